/**
 * Worker thread body: compiles the bundles it is given (plain data, no disk
 * access) once, then answers batches of decision tasks with the same
 * `replayTask` the calling thread uses.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { replayTask, type DecisionTask } from '../../../shared/replay/replay-decision';
import type { RequestLimits } from '../../../shared/replay/request-limits';
import type { DecisionEvaluator } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { compileBundle } from './cedar-evaluator';

export interface ReplayWorkerData {
  bundles: BundleSource[];
  against: string | null;
  limits: RequestLimits;
}

export type ReplayWorkerRequest = { id: number; tasks: DecisionTask[] };

const data = workerData as ReplayWorkerData;
const evaluators = new Map<string, DecisionEvaluator>();
for (const b of data.bundles) evaluators.set(b.digest, compileBundle(b, data.limits));
const against = data.against === null ? null : (evaluators.get(data.against) ?? null);

parentPort!.on('message', (msg: ReplayWorkerRequest) => {
  try {
    const results = msg.tasks.map((t) => replayTask(t, evaluators, against));
    parentPort!.postMessage({ id: msg.id, results });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: (err as Error).message ?? String(err) });
  }
});
parentPort!.postMessage({ ready: true });
