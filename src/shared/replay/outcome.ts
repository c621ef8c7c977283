/**
 * The spec's effect derivation and the recorded-versus-replayed comparison.
 * `deny` when Cedar denies; `require_approval` when Cedar allows and a
 * determining policy carries `@approval("required")`; `allow` otherwise.
 */
import type { CedarAnswer, CedarRequest, DecisionEvaluator, DecisionOutcome, Effect, FieldDifference } from './types';
import { EvaluationError } from './types';

const EFFECTS: ReadonlySet<string> = new Set<Effect>(['allow', 'deny', 'require_approval']);

export function sortedIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}

export function deriveOutcome(answer: CedarAnswer, approvalPolicies: ReadonlySet<string>): DecisionOutcome {
  const determining = sortedIds(answer.reason);
  if (answer.decision === 'deny') return { effect: 'deny', determining };
  const needsApproval = determining.some((id) => approvalPolicies.has(id));
  return { effect: needsApproval ? 'require_approval' : 'allow', determining };
}

export function isEffect(value: unknown): value is Effect {
  return typeof value === 'string' && EFFECTS.has(value);
}

/** Every field that differs, recorded beside replayed. Order of `determining` in the record is not held against it. */
export function compareOutcomes(recorded: DecisionOutcome, replayed: DecisionOutcome): FieldDifference[] {
  const fields: FieldDifference[] = [];
  if (recorded.effect !== replayed.effect) fields.push({ field: 'effect', recorded: recorded.effect, replayed: replayed.effect });
  if (!sameIds(sortedIds(recorded.determining), replayed.determining)) {
    fields.push({ field: 'determining', recorded: recorded.determining, replayed: replayed.determining });
  }
  return fields;
}

export function sameOutcome(a: DecisionOutcome, b: DecisionOutcome): boolean {
  return a.effect === b.effect && sameIds(a.determining, b.determining);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What one evaluation gave: an outcome, or the sentence saying why Cedar refused. */
export type Evaluation = { ok: true; outcome: DecisionOutcome } | { ok: false; message: string; engineFailure?: true };

export function evaluate(evaluator: DecisionEvaluator, request: CedarRequest): Evaluation {
  let answer: CedarAnswer;
  try {
    answer = evaluator.authorize(request);
  } catch (err) {
    if (err instanceof EvaluationError) return err.engineFailure ? { ok: false, message: err.message, engineFailure: true } : { ok: false, message: err.message };
    throw err;
  }
  // Policies that error are skipped by Cedar, exactly as the recording runtime's Cedar skipped them,
  // so `answer.errors` does not make a decision unreplayable; a refused request (thrown) does.
  return { ok: true, outcome: deriveOutcome(answer, evaluator.approvalPolicies) };
}
