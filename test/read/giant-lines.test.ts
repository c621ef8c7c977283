// Long lines are judged with memory about their own size (a line of millions
// of numbers once took 60 times its size, in a rope of string pieces and a
// parse kept only to look for duplicate names), and judged exactly as before:
// the check-only strict parse throws what the full one throws, a canonical
// line without its hash takes the shortcut and says what the slow path says.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, canonicalizeWithout, canonicalWithout } from '../../src/shared/json/canonical';
import { checkStrictJson, parseStrictJson } from '../../src/shared/json/strict-json';
import { summarizeLine } from '../../src/shared/export/parse-line';
import { runs } from '../hostile/fuzz-config';

const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
const thrown = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

/** JSON texts, some broken: duplicate names, bad numbers, cut ends. */
const texts = fc.oneof(
  fc.json(),
  fc.json().map((t) => t.replace(/\{"([^"]*)":/, '{"$1":1,"$1":')),
  fc.json().map((t) => t.replace(/\d+/, '1e400')),
  fc.tuple(fc.json(), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
  fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'a', '\\', 'u', 'd', '8') }),
);

describe('the strict check', () => {
  it('throws exactly what the strict parser throws, at the same place, and nothing when it accepts', () => {
    fc.assert(
      fc.property(texts, (t) => {
        expect(thrown(() => checkStrictJson(t))).toBe(thrown(() => parseStrictJson(t)));
      }),
      runs(400),
    );
  });
});

describe('canonical forms in bounded memory', () => {
  it('canonicalWithout is the `without` of canonicalizeWithout, and canonicalize is unchanged on big values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (obj, omit) => {
        expect(canonicalWithout(obj, omit)).toBe(canonicalizeWithout(obj, omit).without);
      }),
      runs(300),
    );
    const big = { data: { x: Array.from({ length: 300_000 }, (_, i) => i % 7), s: 'é'.repeat(10_000) }, type: 'event' };
    expect(canonicalize(big)).toBe(JSON.stringify({ data: { s: big.data.s, x: big.data.x }, type: 'event' }));
  });

  it('a canonical line without its hash (header, junk, a cut event) says what its non-canonical spelling says', () => {
    const objects = fc.record(
      { type: fc.constantFrom('header', 'event', 'checkpoint', 'other'), seq: fc.integer(), data: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), format: fc.constant('audit-export/1') },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(objects, (obj) => {
        const text = canonicalize(obj);
        const respelled = text.replace(/^\{/, '{ ');
        expect(summarizeLine(text, 2, sha)).toEqual(summarizeLine(respelled, 2, sha));
      }),
      runs(300),
    );
    expect(summarizeLine('{}', 2, sha)).toEqual({ t: 'malformed', line: 2, reason: 'unknown line type undefined' });
  });

  it('a 4 MiB line of numbers, canonical or not, is one malformed event saying what it lacks', () => {
    const numbers = Array.from({ length: 1_400_000 }, () => '0');
    const canonical = `{"data":{"x":[${numbers.join(',')}]},"seq":0,"type":"event"}`;
    const spaced = `{"data":{"x":[${numbers.join(', ')}]},"seq":0,"type":"event"}`;
    const a = summarizeLine(canonical, 2, sha);
    expect(a).toMatchObject({ t: 'malformed', line: 2 });
    expect(a.t === 'malformed' && a.reason).toMatch(/^event lacks or mistypes "ts"/);
    expect(summarizeLine(spaced, 2, sha)).toEqual(a);
  });
});
