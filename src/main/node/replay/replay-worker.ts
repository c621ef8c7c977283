/**
 * Worker thread body: compiles the bundles it is given (plain data, no disk
 * access) once, then answers batches of decision tasks with the same
 * `replayTask` the calling thread uses.
 */
import { workerData } from 'node:worker_threads';
import { serveWorker } from '../read/worker-client';
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

const data = workerData as ReplayWorkerData;
const evaluators = new Map<string, DecisionEvaluator>();
for (const b of data.bundles) evaluators.set(b.digest, compileBundle(b, data.limits));
const against = data.against === null ? null : (evaluators.get(data.against) ?? null);

const methods = {
  ready: () => true,
  run: (tasks: DecisionTask[]) => tasks.map((t) => replayTask(t, evaluators, against)),
};

export type ReplayWorkerMethods = typeof methods;

serveWorker(methods);
