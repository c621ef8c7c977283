/**
 * Decision evaluation spread over worker threads. Batches go to whichever
 * worker is least busy, but each batch's results come back to the caller's
 * own promise, so the order (and the report) never depends on timing.
 */
import { createWorkerClient } from '../read/worker-client';
import { replayTask, type DecisionTask, type TaskResult } from '../../../shared/replay/replay-decision';
import { REQUEST_LIMITS, type RequestLimits } from '../../../shared/replay/request-limits';
import type { DecisionEvaluator } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { compileBundle } from './cedar-evaluator';
import type { ReplayWorkerData, ReplayWorkerMethods } from './replay-worker';

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

export async function createWorkerRunner(
  count: number,
  bundles: readonly BundleSource[],
  againstDigest: string | null,
  workerUrl: URL = DEFAULT_WORKER_URL,
  limits: Readonly<RequestLimits> = REQUEST_LIMITS,
): Promise<DecisionRunner> {
  const workerData: ReplayWorkerData = { bundles: [...bundles], against: againstDigest, limits: { ...limits } };
  const workers = Array.from({ length: count }, () => createWorkerClient<ReplayWorkerMethods>(workerUrl, { name: 'replay worker', workerData }));
  try {
    // Each worker compiles the bundles as it starts: a bundle it cannot compile fails here, before any batch.
    await Promise.all(workers.map((w) => w.call('ready', [])));
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    throw err;
  }
  return {
    run(tasks) {
      // The least busy worker; each batch's results still come back to its own promise.
      let worker = workers[0];
      for (const w of workers) if (w.pending < worker.pending) worker = w;
      return worker.call('run', [tasks]);
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
