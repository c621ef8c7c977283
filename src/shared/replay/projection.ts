/**
 * Is a projection admissible? The spec's rule: the pinned bundle, evaluated
 * on the decision's request with `context` replaced by the projected `args`,
 * must `allow` it. Building that request and reading Cedar's answer are pure;
 * the evaluation itself runs where the decisions run (replay-service).
 */
import { readDecision, type BundleIndex } from './decision';
import type { PinnedResult } from './replay-decision';
import { REQUEST_LIMITS, type RequestLimits } from './request-limits';
import type { ProjectionCheck } from './sequence-checks';
import type { CedarRequest, PolicyRef } from './types';

export type ProjectionTask = { ok: true; digest: string; request: CedarRequest; policy: PolicyRef } | { ok: false; problem: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function projectionTask(check: ProjectionCheck, bundles: BundleIndex, limits: Readonly<RequestLimits> = REQUEST_LIMITS): ProjectionTask {
  if (check.decision === null) {
    return {
      ok: false,
      problem: `it names decision ${check.decision_id === null ? '(none)' : JSON.stringify(check.decision_id)}, which is not the latest decision recorded for the request before it, so there is no request to evaluate`,
    };
  }
  if (!isObject(check.args)) return { ok: false, problem: "its args are not a JSON object, so they cannot stand as the request's context" };
  const recorded = check.decision.request;
  const request = isObject(recorded) ? { ...recorded, context: check.args } : recorded;
  // Read as a decision would be, so a projection meets the same completeness checks and caps.
  const reading = readDecision(
    {
      index: check.index,
      seq: check.seq,
      line: check.line,
      kind: 'policy.decision',
      actor: { type: 'system', id: 'projection' },
      data: { decision_id: check.decision_id, request_id: check.request_id, policy: check.decision.policy, request, outcome: { effect: 'allow', determining: [] } },
    },
    limits,
  );
  if (!reading.ok) return { ok: false, problem: reading.message };
  const pinned = bundles.resolve(reading.decision.policy);
  if (!pinned.ok) return { ok: false, problem: `the pinned bundle cannot be used (${pinned.message})` };
  return { ok: true, digest: pinned.bundle.digest, request: reading.decision.request, policy: pinned.bundle };
}

/** Null when the pinned bundle allows the projected request; else a sentence saying what it decided. */
export function projectionProblem(result: PinnedResult, policy: PolicyRef): string | null {
  const bundle = `${policy.name}@${policy.version}`;
  switch (result.status) {
    case 'match':
      return null;
    case 'diverged': {
      const { effect, determining } = result.replayed;
      if (effect === 'allow') return null;
      const ids = determining.length > 0 ? ` (determined by ${determining.join(', ')})` : ' (no policy permits it)';
      return `${bundle} decides ${effect}${ids} on the decision's request with these arguments as its context`;
    }
    case 'error':
      return `${bundle} could not evaluate the decision's request with these arguments as its context: ${result.message}`;
    default:
      return `${bundle} was not evaluated on it`;
  }
}
