/**
 * One decision replayed: the same function runs in a worker thread and in
 * the calling thread, so the worker count cannot change a result.
 */
import { compareOutcomes, evaluate, type Evaluation } from './outcome';
import type { CedarRequest, DecisionEvaluator, DecisionOutcome, FieldDifference } from './types';

/** What a worker is sent for one decision whose pinned bundle was found. */
export interface DecisionTask {
  /** Digest of the pinned bundle, or null when it was not found (what-if only). */
  digest: string | null;
  request: CedarRequest;
  recorded: DecisionOutcome;
}

export type PinnedResult =
  { status: 'match' } | { status: 'diverged'; replayed: DecisionOutcome; fields: FieldDifference[] } | { status: 'error'; message: string; engineFailure?: true } | { status: 'skipped' };

export interface TaskResult {
  pinned: PinnedResult;
  /** Present when a what-if bundle was given. */
  whatIf?: Evaluation;
}

export function replayTask(task: DecisionTask, evaluators: ReadonlyMap<string, DecisionEvaluator>, against: DecisionEvaluator | null): TaskResult {
  let pinned: PinnedResult = { status: 'skipped' };
  if (task.digest !== null) {
    const evaluator = evaluators.get(task.digest);
    if (!evaluator) throw new Error(`bundle ${task.digest} was not loaded in this worker`);
    const result = evaluate(evaluator, task.request);
    if (!result.ok) pinned = result.engineFailure ? { status: 'error', message: result.message, engineFailure: true } : { status: 'error', message: result.message };
    else {
      const fields = compareOutcomes(task.recorded, result.outcome);
      pinned = fields.length === 0 ? { status: 'match' } : { status: 'diverged', replayed: result.outcome, fields };
    }
  }
  if (against === null) return { pinned };
  return { pinned, whatIf: evaluate(against, task.request) };
}
