/**
 * The pinned-policy decision a runtime would record, for the export
 * generator: the same bundle loading, Cedar evaluation and effect derivation
 * that replay uses, so a generated sample replays clean.
 *
 * Requests the bundle's policies cannot tell apart (decision-memo.ts: the
 * same principal, action, resource type and context, amounts on the same
 * side of every threshold) share one evaluation: the generator's
 * hundreds of thousands of decisions come down to a few dozen Cedar calls.
 */
import { evaluate } from '../../../shared/replay/outcome';
import { EvaluationError, type CedarRequest, type DecisionOutcome, type PolicyRef } from '../../../shared/replay/types';
import { loadBundle } from './bundle-loader';
import { compileBundle, requestProblem } from './cedar-evaluator';
import { requestKey, requestShape, sharedPartsWellFormed } from './decision-memo';

export interface CedarDecider {
  (request: CedarRequest): DecisionOutcome;
  /** {name, version, digest} to record as the decision's `policy`. */
  readonly policy: PolicyRef;
}

/** Answers kept at most; past it, new kinds of request are evaluated every time (a bundle whose decisions depend on ids). */
const MAX_SHARED_ANSWERS = 100_000;

/** Loads and compiles the bundle once; each call evaluates one request (or reuses an equivalent one's answer). Throws EvaluationError when Cedar refuses it. */
export function createCedarDecider(bundleDir: string): CedarDecider {
  const bundle = loadBundle(bundleDir);
  const evaluator = compileBundle(bundle);
  const shape = requestShape(bundle);
  const answers = new Map<string, DecisionOutcome>();
  const decide = (request: CedarRequest): DecisionOutcome => {
    const key = requestKey(shape, request);
    const known = key === null ? undefined : answers.get(key);
    // A request shares an answer only with one that passed requestProblem and differs at most in what
    // the key leaves out: the resource id (checked here) and integers (which cannot be a problem).
    if (known && sharedPartsWellFormed(shape!, request)) return { effect: known.effect, determining: [...known.determining] };
    // What Cedar would refuse is refused before it is remembered.
    const problem = requestProblem(request);
    if (problem !== null) throw new EvaluationError(`${bundle.name}@${bundle.version} refused the request: ${problem}`);
    const result = evaluate(evaluator, request);
    if (!result.ok) throw new EvaluationError(`${bundle.name}@${bundle.version} refused the request: ${result.message}`);
    if (key !== null && answers.size < MAX_SHARED_ANSWERS) answers.set(key, { effect: result.outcome.effect, determining: [...result.outcome.determining] });
    return result.outcome;
  };
  return Object.assign(decide, { policy: { name: bundle.name, version: bundle.version, digest: bundle.digest } });
}
