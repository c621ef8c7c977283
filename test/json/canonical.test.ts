import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import referenceCanonicalize from 'canonicalize';
import { canonicalize, canonicalizeWithout } from '../../src/shared/json/canonical';
import { parseStrictJson } from '../../src/shared/json/strict-json';

describe('RFC 8785 known answers', () => {
  it('the example of section 3.2.2 (numbers, strings, literals)', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts member names by UTF-16 code units (section 3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // Object.keys would put "1" first whatever the text says, so read the order off the text.
    const text = canonicalize(input);
    const order = ['"\\r"', '"1"', '"\u0080"', '"ö"', '"€"', '"😀"', '"\ufb33"'].map((k) => text.indexOf(k + ':'));
    expect(order.every((pos) => pos > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('serializes IEEE-754 numbers as Appendix B says', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of cases) {
      const n = Buffer.from(bits, 'hex').readDoubleBE(0);
      expect(canonicalize(n), bits).toBe(expected);
    }
  });

  it('refuses non-finite numbers', () => {
    expect(() => canonicalize({ a: Infinity })).toThrow(/finite/);
    expect(() => canonicalize([NaN])).toThrow(/finite/);
  });

  it('agrees with the reference implementation on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalized = JSON.parse(JSON.stringify(value));
        expect(canonicalize(normalized)).toBe(referenceCanonicalize(normalized));
      }),
      { numRuns: 500 },
    );
  });

  it('canonicalizeWithout gives both forms in one pass', () => {
    const obj = { b: 1, hash: 'x', a: { hash: 'nested stays' } };
    const { full, without } = canonicalizeWithout(obj, 'hash');
    expect(full).toBe(canonicalize(obj));
    expect(without).toBe('{"a":{"hash":"nested stays"},"b":1}');
  });
});

describe('the strict I-JSON parser', () => {
  it('parses what JSON.parse parses, to the same values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses duplicate names at any depth, lone surrogates, non-finite numbers and deep nesting', () => {
    expect(() => parseStrictJson('{"a":1,"a":2}')).toThrow(/duplicate member name "a"/);
    expect(() => parseStrictJson('{"x":{"b":[{"c":1,"c":1}]}}')).toThrow(/duplicate/);
    expect(() => parseStrictJson('{"a\\u0000":1,"a\\u0000":2}')).toThrow(/duplicate/);
    expect(() => parseStrictJson('"\\udc00"')).toThrow(/surrogate/);
    expect(() => parseStrictJson('"\\ud83d"')).toThrow(/surrogate/);
    expect(parseStrictJson('"\\ud83d\\ude00"')).toBe('😀');
    expect(() => parseStrictJson('1e400')).toThrow(/finite/);
    expect(() => parseStrictJson('['.repeat(5000) + ']'.repeat(5000))).toThrow(/nesting/);
    expect(() => parseStrictJson('{"a":1,}')).toThrow();
    expect(() => parseStrictJson('01')).toThrow();
  });

  it('keeps "__proto__" as an ordinary member', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
