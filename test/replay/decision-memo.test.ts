/**
 * The generator's decider shares one Cedar evaluation between requests the
 * policies cannot tell apart: its answers must be exactly what Cedar answers
 * each request alone, for bundles the analysis can narrow and for bundles
 * that read ids, do arithmetic or use the context whole.
 */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/shared/replay/outcome';
import type { CedarRequest } from '../../src/shared/replay/types';
import { loadBundle } from '../../src/main/node/replay/bundle-loader';
import { compileBundle } from '../../src/main/node/replay/cedar-evaluator';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { requestKey, requestShape } from '../../src/main/node/replay/decision-memo';
import { tempDir, V7, V8, writeBundle } from './helpers';

const manifest = (name: string) => JSON.stringify({ name, version: '1', engine: 'cedar' });

/** Bundles whose decisions depend on what the analysis must not narrow. */
function trickyBundles(): string[] {
  const dir = tempDir('decision-memo-');
  const bundle = (name: string, policies: string) => writeBundle(path.join(dir, name), { 'manifest.json': manifest(name), 'policies.cedar': policies });
  return [
    bundle('by-id-scope', '@id("one")\npermit (principal, action, resource == Invoice::"INV-7");'),
    bundle('by-id', '@id("cond")\npermit (principal, action, resource) when { resource == Invoice::"INV-12" || resource in [Invoice::"INV-2"] };'),
    bundle('arith', '@id("sum")\npermit (principal, action, resource) when { context.amount + 5 > 1000 };\n@id("cmp")\nforbid (principal, action, resource) when { context.amount == 777 };'),
    bundle(
      'whole',
      '@id("whole")\npermit (principal, action, resource) when { context.amount > 10 && context == {"amount": 11, "currency": "EUR", "vendor_verified": true, "po_matched": true, "ring": 1} };',
    ),
    bundle('attr-vs-attr', '@id("pair")\npermit (principal, action, resource) when { context.amount < context.ring };\n@id("lit")\npermit (principal, action, resource) when { context.ring >= 2 };'),
    bundle('edges', '@id("below")\npermit (principal, action, resource) when { context.amount < 777 };\n@id("two")\nforbid (principal, action, resource) when { context.ring == 2 };'),
    bundle(
      'mixed',
      '@id("set")\npermit (principal, action, resource) when { [1, 2, 3].contains(context.ring) && context.amount > 10 };\n@id("str")\nforbid (principal, action, resource) when { context.currency == "USD" };',
    ),
  ];
}

// A small space, so that requests the policies could tell apart often share everything but one field.
const arbRequest: fc.Arbitrary<CedarRequest> = fc.record({
  principal: fc.record({ type: fc.constant('Agent'), id: fc.constantFrom('ap-matching-agent', 'ap-payment-agent') }),
  action: fc.record({ type: fc.constant('Action'), id: fc.constantFrom('read_invoice', 'pay_invoice', 'issue_credit_note') }),
  resource: fc.record({ type: fc.constantFrom('Invoice', 'CreditNote'), id: fc.constantFrom('INV-7', 'INV-12', 'INV-2') }),
  context: fc.record({
    amount: fc.oneof(fc.constantFrom(4, 5, 6, 10, 11, 777, 995, 996, 25000, 25001, 50000, 50001, 500000, 500001, 1000000, 1000001), fc.integer({ min: -3, max: 12 })),
    currency: fc.constantFrom('EUR', 'USD'),
    vendor_verified: fc.boolean(),
    po_matched: fc.boolean(),
    ring: fc.integer({ min: 0, max: 3 }),
  }),
});

describe('shared decisions', () => {
  it('the sample bundle counts the resource by type and amounts by their side of each threshold', () => {
    const shape = requestShape(loadBundle(V7))!;
    expect(shape.resourceByType).toBe(true);
    expect(shape.contextByAttribute).toBe(true);
    expect(Object.fromEntries(shape.intervals)).toEqual({ amount: [50000, 1000000], ring: [1] });
    const req = (id: string, amount: number): CedarRequest => ({
      principal: { type: 'Agent', id: 'ap-payment-agent' },
      action: { type: 'Action', id: 'pay_invoice' },
      resource: { type: 'Invoice', id },
      context: { amount, currency: 'EUR', vendor_verified: true, po_matched: true, ring: 1 },
    });
    expect(requestKey(shape, req('INV-1', 20))).toBe(requestKey(shape, req('INV-2', 49_999)));
    expect(requestKey(shape, req('INV-1', 20))).not.toBe(requestKey(shape, req('INV-1', 50_000)));
    expect(requestKey(shape, req('INV-1', 1_000_000))).not.toBe(requestKey(shape, req('INV-1', 1_000_001)));
    // A request that shares a key with an answered one is still refused for what the key leaves out.
    const decide = createCedarDecider(V7);
    expect(decide(req('INV-1', 20)).effect).toBe('allow');
    expect(() => decide(req('INV-\ud800', 20))).toThrow(/lone UTF-16 surrogate/);
    expect(requestKey(shape, { ...req('INV-1', 20), entities: [{ uid: { type: 'Invoice', id: 'INV-1' }, attrs: {}, parents: [] }] })).toBeNull();
  });

  it('a bundle that reads ids, does arithmetic or uses the context whole is not narrowed there', () => {
    const [byIdScope, byId, arith, whole, pair] = trickyBundles().map((dir) => requestShape(loadBundle(dir))!);
    expect(byIdScope.resourceByType).toBe(false);
    expect(byId.resourceByType).toBe(false);
    expect(arith.intervals.has('amount')).toBe(false);
    expect(whole.contextByAttribute).toBe(false);
    expect(pair.intervals.has('amount')).toBe(false);
    expect(pair.intervals.has('ring')).toBe(false);
  });

  it('answers every request as Cedar answers it alone, in any order', () => {
    const dirs = [V7, V8, ...trickyBundles()];
    for (const dir of dirs) {
      const decide = createCedarDecider(dir);
      const alone = compileBundle(loadBundle(dir));
      fc.assert(
        fc.property(fc.array(arbRequest, { minLength: 1, maxLength: 80 }), (requests) => {
          for (const request of requests) {
            const expected = evaluate(alone, request);
            if (!expected.ok) {
              expect(() => decide(request), dir).toThrow();
              continue;
            }
            expect(decide(request), `${dir} ${JSON.stringify(request)}`).toEqual(expected.outcome);
          }
        }),
        { numRuns: 80 },
      );
    }
  }, 120_000);
});
