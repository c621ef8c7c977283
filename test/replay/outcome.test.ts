import { describe, expect, it } from 'vitest';
import { compareOutcomes, deriveOutcome, evaluate } from '../../src/shared/replay/outcome';
import { EvaluationError, type CedarAnswer, type DecisionEvaluator } from '../../src/shared/replay/types';

const approval = new Set(['pay.large']);

describe('effect derivation (spec: Policy bundles)', () => {
  it('is deny whenever Cedar denies, even when an approval policy is among the reasons', () => {
    expect(deriveOutcome({ decision: 'deny', reason: ['vendor', 'pay.large'], errors: [] }, approval)).toEqual({ effect: 'deny', determining: ['pay.large', 'vendor'] });
  });
  it('is require_approval when Cedar allows and a determining policy carries @approval("required")', () => {
    expect(deriveOutcome({ decision: 'allow', reason: ['pay.large'], errors: [] }, approval).effect).toBe('require_approval');
  });
  it('is allow when no determining policy needs approval', () => {
    expect(deriveOutcome({ decision: 'allow', reason: ['read', 'a'], errors: [] }, approval)).toEqual({ effect: 'allow', determining: ['a', 'read'] });
  });
  it('a default deny has no determining policy', () => {
    expect(deriveOutcome({ decision: 'deny', reason: [], errors: [] }, approval)).toEqual({ effect: 'deny', determining: [] });
  });
});

describe('comparison', () => {
  it('lists every differing field, recorded beside replayed', () => {
    const fields = compareOutcomes({ effect: 'allow', determining: ['a'] }, { effect: 'deny', determining: ['b'] });
    expect(fields).toEqual([
      { field: 'effect', recorded: 'allow', replayed: 'deny' },
      { field: 'determining', recorded: ['a'], replayed: ['b'] },
    ]);
  });
  it('does not hold the order of recorded determining ids against it', () => {
    expect(compareOutcomes({ effect: 'allow', determining: ['b', 'a'] }, { effect: 'allow', determining: ['a', 'b'] })).toEqual([]);
  });
});

describe('evaluate through the engine boundary', () => {
  const fake = (answer: () => CedarAnswer): DecisionEvaluator => ({ digest: 'd', approvalPolicies: approval, authorize: answer });
  it('turns a refused request into a reason, not an exception', () => {
    const result = evaluate(
      fake(() => {
        throw new EvaluationError('context lacks amount');
      }),
      { principal: { type: 'A', id: 'a' }, action: { type: 'Action', id: 'x' }, resource: { type: 'R', id: 'r' }, context: {} },
    );
    expect(result).toEqual({ ok: false, message: 'context lacks amount' });
  });
  it('lets programming errors through', () => {
    expect(() =>
      evaluate(
        fake(() => {
          throw new TypeError('bug');
        }),
        { principal: { type: 'A', id: 'a' }, action: { type: 'Action', id: 'x' }, resource: { type: 'R', id: 'r' }, context: {} },
      ),
    ).toThrow(TypeError);
  });
});
