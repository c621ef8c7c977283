/**
 * The pinned-policy decision a runtime would record, for the export
 * generator: the same bundle loading, Cedar evaluation and effect derivation
 * that replay uses, so a generated sample replays clean.
 */
import { evaluate } from '../../../shared/replay/outcome';
import { EvaluationError, type CedarRequest, type DecisionOutcome, type PolicyRef } from '../../../shared/replay/types';
import { loadBundle } from './bundle-loader';
import { compileBundle } from './cedar-evaluator';

export interface CedarDecider {
  (request: CedarRequest): DecisionOutcome;
  /** {name, version, digest} to record as the decision's `policy`. */
  readonly policy: PolicyRef;
}

/** Loads and compiles the bundle once; each call evaluates one request. Throws EvaluationError when Cedar refuses it. */
export function createCedarDecider(bundleDir: string): CedarDecider {
  const bundle = loadBundle(bundleDir);
  const evaluator = compileBundle(bundle);
  const decide = (request: CedarRequest): DecisionOutcome => {
    const result = evaluate(evaluator, request);
    if (!result.ok) throw new EvaluationError(`${bundle.name}@${bundle.version} refused the request: ${result.message}`);
    return result.outcome;
  };
  return Object.assign(decide, { policy: { name: bundle.name, version: bundle.version, digest: bundle.digest } });
}
