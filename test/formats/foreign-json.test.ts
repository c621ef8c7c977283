// The re-serializers that must reproduce other languages' JSON byte for byte.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LexJsonError, LexNumber, LexObject, LineIndex, parseLexJson } from '../../src/shared/json/lexeme-json';
import { compareCodePoints, pythonDumps, serdeNumber, serdeSortedCompact } from '../../src/shared/json/foreign-json';
import { agtMerkleRoot, meshHashInput, pythonIsoformat, tsSdkHashInput, ZERO_HASH } from '../../src/shared/formats/agt/hashing';
import { sha256HexOfText } from '../../src/shared/crypto';

const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/agt');

describe('lexeme-preserving JSON', () => {
  it('keeps number text exactly as written', () => {
    const v = parseLexJson('[1e-07, -0.0, 1e+22, 18446744073709551617, 1.0, 3.141592653589793]') as LexNumber[];
    expect(v.map((n) => n.lexeme)).toEqual(['1e-07', '-0.0', '1e+22', '18446744073709551617', '1.0', '3.141592653589793']);
  });

  it('keeps member order, the first position and the last value of a repeated name', () => {
    const o = parseLexJson('{"b": 1, "a": 2, "b": 3}') as LexObject;
    expect(o.keys()).toEqual(['b', 'a']);
    expect((o.get('b') as LexNumber).lexeme).toBe('3');
  });

  it('tells a cut text from a syntax error, and where objects start', () => {
    for (const cut of ['[{"a": "x', '[{"a": 1', '[{"a": 1},', '{"a": tr', '["\\u00']) {
      expect(() => parseLexJson(cut)).toThrow(LexJsonError);
      try {
        parseLexJson(cut);
      } catch (e) {
        expect((e as LexJsonError).atEnd, cut).toBe(true);
      }
    }
    try {
      parseLexJson('[{"a" 1}]');
    } catch (e) {
      expect((e as LexJsonError).atEnd).toBe(false);
    }
    const text = '[\n  {"a": 1},\n  {"b": 2}\n]';
    const starts: number[] = [];
    parseLexJson(text, (v) => starts.push(new LineIndex(text).lineOf((v as LexObject).start)));
    expect(starts).toEqual([2, 3]);
  });
});

describe("Python's json.dumps", () => {
  const dumps = (t: string) => pythonDumps(parseLexJson(t));

  it('uses ", " and ": " separators and sorts keys at every depth', () => {
    expect(dumps('{"b":{"y":1,"x":[1,2,{}]},"a":[]}')).toBe('{"a": [], "b": {"x": [1, 2, {}], "y": 1}}');
  });

  it('escapes non-ASCII as lowercase \\uXXXX with surrogate pairs, and controls as Python does', () => {
    expect(dumps('"é東😀"')).toBe('"\\u00e9\\u6771\\ud83d\\ude00"');
    expect(dumps('"a\\tb\\nc\\"d\\\\e\\u0001\\u007f\\u2028/"')).toBe('"a\\tb\\nc\\"d\\\\e\\u0001\\u007f\\u2028/"');
    expect(pythonDumps(parseLexJson('"é\\u007f"'), { sortKeys: true, ensureAscii: false, separators: [',', ':'] })).toBe('"é\u007f"');
  });

  it('sorts keys by code point, not by UTF-16 unit', () => {
    expect(['😀', '～'].sort()).toEqual(['😀', '～']); // what plain JS would do
    expect(['😀', '～', 'Z', 'a'].sort(compareCodePoints)).toEqual(['Z', 'a', '～', '😀']);
    expect(dumps('{"😀": 1, "～": 2}')).toBe('{"\\uff5e": 2, "\\ud83d\\ude00": 1}');
  });

  it('writes numbers as the file wrote them', () => {
    expect(dumps('{"t": 1e-07, "z": -0.0, "h": 1e+22, "b": 18446744073709551617, "o": 1.0}')).toBe('{"b": 18446744073709551617, "h": 1e+22, "o": 1.0, "t": 1e-07, "z": -0.0}');
  });

  it('hashes a real agent-mesh entry with these rules', () => {
    const line = readFileSync(path.join(FIXTURES, 'mesh-valid.jsonl'), 'utf8').split('\n')[4];
    const entry = parseLexJson(line) as LexObject;
    const input = meshHashInput(entry);
    expect(input.ok).toBe(true);
    if (input.ok) {
      expect(input.text).toContain('"huge": 1e+22');
      expect(input.text).toContain('"resource": "invoice/1004"');
      expect(sha(input.text)).toBe(entry.get('entry_hash'));
      expect(sha256HexOfText(input.text)).toBe(entry.get('entry_hash'));
    }
  });
});

describe('isoformat timestamps', () => {
  it('writes +00:00, six fraction digits, and no fraction when it is zero', () => {
    expect(pythonIsoformat('2026-11-19T09:00:04.000007Z')).toBe('2026-11-19T09:00:04.000007+00:00');
    expect(pythonIsoformat('2026-11-19T09:00:01Z')).toBe('2026-11-19T09:00:01+00:00');
    expect(pythonIsoformat('2026-11-19T09:00:01.000000Z')).toBe('2026-11-19T09:00:01+00:00');
    expect(pythonIsoformat('2026-11-19T09:00:01.25Z')).toBe('2026-11-19T09:00:01.250000+00:00');
    expect(pythonIsoformat('2026-11-20 09:00:03+00:00')).toBe('2026-11-20T09:00:03+00:00');
    expect(pythonIsoformat('2026-11-20T09:00:03.5+0200')).toBe('2026-11-20T09:00:03.500000+02:00');
    expect(pythonIsoformat('yesterday')).toBeNull();
  });
});

describe('serde_json numbers and the ACS identity text', () => {
  it('prints floats as ryu does and integers as written', () => {
    const cases: [string, string][] = [
      ['1e-07', '1e-7'],
      ['1.0', '1.0'],
      ['1e+22', '1e22'],
      ['-0.0', '-0.0'],
      ['0', '0'],
      ['-5', '-5'],
      ['18446744073709551615', '18446744073709551615'],
      ['18446744073709551617', '1.8446744073709552e19'],
      ['0.1', '0.1'],
      ['100.0', '100.0'],
      ['1e15', '1000000000000000.0'],
      ['1e16', '1e16'],
      ['0.00001', '0.00001'],
      ['0.000001', '1e-6'],
      ['123.456', '123.456'],
      ['1.5e300', '1.5e300'],
    ];
    for (const [lexeme, out] of cases) expect(serdeNumber(lexeme), lexeme).toBe(out);
  });

  it('is compact, sorted by code point, non-ASCII raw', () => {
    expect(serdeSortedCompact(parseLexJson('{"b": [1.0, "é"], "a": {"😀": null, "～": true}}'))).toBe('{"a":{"～":true,"😀":null},"b":[1.0,"é"]}');
  });
});

describe("JavaScript's JSON.stringify for the TypeScript SDK", () => {
  it('puts integer-like keys first and formats numbers as JS does', () => {
    const e = parseLexJson(
      '{"timestamp": "t", "agentId": "a", "action": {"b": 1, "10": 2, "2": 3, "x": 1e-07, "y": 100.0, "z": -0.0}, "decision": "allow", "previousHash": "p", "hash": "h"}',
    ) as LexObject;
    const input = tsSdkHashInput(e);
    expect(input.ok && input.text).toBe('{"timestamp":"t","agentId":"a","action":{"2":3,"10":2,"b":1,"x":1e-7,"y":100,"z":0},"decision":"allow","previousHash":"p"}');
  });
});

describe("AGT's Merkle root", () => {
  const h = (i: number) => sha(`leaf ${i}`);
  const node = (a: string, b: string) => sha(a + b);

  it('is null for none and the hash itself for one', () => {
    expect(agtMerkleRoot([], sha)).toBeNull();
    expect(agtMerkleRoot([h(0)], sha)).toBe(h(0));
  });

  it('pads empty subtrees with 64 zeros', () => {
    expect(agtMerkleRoot([h(0), h(1)], sha)).toBe(node(h(0), h(1)));
    expect(agtMerkleRoot([h(0), h(1), h(2)], sha)).toBe(node(node(h(0), h(1)), node(h(2), ZERO_HASH)));
    const five = node(node(node(h(0), h(1)), node(h(2), h(3))), node(node(h(4), ZERO_HASH), ZERO_HASH));
    expect(agtMerkleRoot([0, 1, 2, 3, 4].map(h), sha)).toBe(five);
  });

  it('matches the root of a real export', () => {
    const doc = JSON.parse(readFileSync(path.join(FIXTURES, 'export-valid.json'), 'utf8')) as { merkle_root: string; entries: { entry_hash: string }[] };
    expect(
      agtMerkleRoot(
        doc.entries.map((e) => e.entry_hash),
        sha,
      ),
    ).toBe(doc.merkle_root);
    expect(
      agtMerkleRoot(
        doc.entries.slice(1).map((e) => e.entry_hash),
        sha,
      ),
    ).not.toBe(doc.merkle_root);
  });
});
