/**
 * Decision evaluation spread over worker threads. Batches go to whichever
 * worker is least busy, but each batch's results come back to the caller's
 * own promise, so the order (and the report) never depends on timing.
 */
import { Worker } from 'node:worker_threads';
import { replayTask, type DecisionTask, type TaskResult } from '../../../shared/replay/replay-decision';
import { REQUEST_LIMITS, type RequestLimits } from '../../../shared/replay/request-limits';
import type { DecisionEvaluator } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { compileBundle } from './cedar-evaluator';
import type { ReplayWorkerData } from './replay-worker';

export interface DecisionRunner {
  run(tasks: DecisionTask[]): Promise<TaskResult[]>;
  close(): Promise<void>;
}

/** The bootstrap that registers tsx, then imports replay-worker.ts; injectable for a built app. */
export const DEFAULT_WORKER_URL = new URL('./replay-worker.mjs', import.meta.url);

/** Evaluation in the calling thread (workers = 0): the decider, tests, tiny exports. */
export function createInlineRunner(bundles: readonly BundleSource[], againstDigest: string | null, limits: Readonly<RequestLimits> = REQUEST_LIMITS): DecisionRunner {
  const evaluators = new Map<string, DecisionEvaluator>();
  for (const b of bundles) evaluators.set(b.digest, compileBundle(b, limits));
  const against = againstDigest === null ? null : (evaluators.get(againstDigest) ?? null);
  return {
    run: async (tasks) => tasks.map((t) => replayTask(t, evaluators, against)),
    close: async () => {},
  };
}

interface Slot {
  worker: Worker;
  busy: number;
}

export async function createWorkerRunner(
  count: number,
  bundles: readonly BundleSource[],
  againstDigest: string | null,
  workerUrl: URL = DEFAULT_WORKER_URL,
  limits: Readonly<RequestLimits> = REQUEST_LIMITS,
): Promise<DecisionRunner> {
  const data: ReplayWorkerData = { bundles: [...bundles], against: againstDigest, limits: { ...limits } };
  const pending = new Map<number, { resolve: (r: TaskResult[]) => void; reject: (e: Error) => void; slot: Slot }>();
  let nextId = 0;
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const slots: Slot[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(workerUrl, { workerData: data });
    const slot: Slot = { worker, busy: 0 };
    slots.push(slot);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`replay worker exited with code ${code} before it was ready`)));
        worker.on('message', function first(msg: { ready?: boolean }) {
          if (msg.ready) {
            worker.off('message', first);
            resolve();
          }
        });
      }),
    );
    worker.on('message', (msg: { id?: number; results?: TaskResult[]; error?: string }) => {
      if (msg.id === undefined) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      p.slot.busy--;
      if (msg.error !== undefined) p.reject(new Error(`replay worker: ${msg.error}`));
      else p.resolve(msg.results!);
    });
    worker.on('error', (err) => fail(err instanceof Error ? err : new Error(String(err))));
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw err;
  }
  for (const s of slots) {
    s.worker.removeAllListeners('exit');
    s.worker.on('exit', (code) => {
      if (code !== 0 || pending.size > 0) fail(new Error(`replay worker exited with code ${code}`));
    });
  }
  let closing = false;
  return {
    run(tasks) {
      if (failure) return Promise.reject(failure);
      let slot = slots[0];
      for (const s of slots) if (s.busy < slot.busy) slot = s;
      slot.busy++;
      const id = nextId++;
      return new Promise<TaskResult[]>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot });
        slot.worker.postMessage({ id, tasks });
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      for (const s of slots) s.worker.removeAllListeners('exit');
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
