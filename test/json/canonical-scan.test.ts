import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scanCanonicalObject } from '../../src/shared/json/canonical-scan';
import { canonicalize } from '../../src/shared/json/canonical';

const objects = fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 });

describe('the canonical-form scanner (verification fast path)', () => {
  it('accepts every canonical object and finds each top-level member where it is', () => {
    fc.assert(
      fc.property(objects, (obj) => {
        const value = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
        const text = canonicalize(value);
        const members = scanCanonicalObject(text);
        expect(members).not.toBeNull();
        expect(members!.map((m) => m.key)).toEqual(Object.keys(value).sort());
        for (const m of members!) expect(JSON.parse(text.slice(m.start, m.end))).toEqual(value[m.key]);
      }),
      { numRuns: 400 },
    );
  });

  it('never accepts text that is not exactly the canonical form of what it parses to', () => {
    const spellings = fc.tuple(objects, fc.integer({ min: 0, max: 2 }), fc.boolean()).map(([obj, indent, reverse]) => {
      const v = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
      const ordered = reverse ? Object.fromEntries(Object.entries(v).reverse()) : v;
      return JSON.stringify(ordered, null, indent);
    });
    fc.assert(
      fc.property(spellings, (text) => {
        if (scanCanonicalObject(text) !== null) expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 600 },
    );
  });

  it('refuses the non-canonical spellings an attacker could use to make two texts of one content', () => {
    const refused = [
      '{"a":1,"a":2}', // duplicate
      '{"b":1,"a":2}', // order
      '{"a": 1}', // whitespace
      '{"a":1.0}',
      '{"a":-0}',
      '{"a":1E3}',
      '{"a":1e400}',
      '{"a":01}',
      '{"a":0.10}', // numbers
      '{"a":"\\u0041"}',
      '{"a":"\\/"}',
      '{"a":"\\u000A"}',
      '{"a":"\\u000a"}',
      '{"a":"\\ud800"}', // escapes
      '{"a":1}x',
      '{"a":[1,]}',
      '{"a":tru}',
    ];
    for (const text of refused) expect(scanCanonicalObject(text), text).toBeNull();
    const accepted = ['{}', '{"":0,"a":[],"b":{},"c":"\\u001f\\n\\"","d":1e+21,"e":5e-324,"f":-1.5}'];
    for (const text of accepted) expect(scanCanonicalObject(text), text).not.toBeNull();
  });
});
