// TRACE v0.2 Trust Records: the exact bytes the signature covers, trust
// decided by the reviewer's trust store only, and each kind of tampering a
// session log can hide from its own chain but not from its signed record.
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, createHash, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLexJson, type LexObject } from '../../src/shared/json/lexeme-json';
import { pythonNumberText, traceSigningText, fromBase64Url } from '../../src/shared/formats/agt/trace-record';
import { meshHashInput } from '../../src/shared/formats/agt/hashing';
import { agtTraceReader } from '../../src/main/node/formats/agt-trace';
import { verifyFile } from '../../src/main/node/verify/verify-file';
import { InputError } from '../../src/main/node/errors/errors';
import { cli } from '../support/run-cli';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/agt-next');
const fixture = (f: string) => path.join(FIXTURES, f);
const TRUST = JSON.parse(readFileSync(fixture('trace-trust.json'), 'utf8')) as { keys: { key_id: string; alg: string; public_key: string; revoked_at?: string }[] };
const dir = mkdtempSync(path.join(os.tmpdir(), 'trace-'));
let n = 0;
function write(name: string, text: string): string {
  const file = path.join(dir, `${n++}-${name}`);
  writeFileSync(file, text);
  return file;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const validRecord = () => JSON.parse(readFileSync(fixture('trace-valid.json'), 'utf8')) as Record<string, Json>;

/** Signs a record as sign_record does, with a fresh key; returns the record and the key's hex for a trust store. */
function signWithNewKey(record: Record<string, Json>): { record: Record<string, Json>; publicHex: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  const out: Record<string, Json> = { ...record, cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x } } };
  delete out.signature;
  const text = traceSigningText(parseLexJson(JSON.stringify(out)) as LexObject);
  out.signature = sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64url');
  return { record: out, publicHex: Buffer.from(fromBase64Url(x)!).toString('hex') };
}

async function verifyRecord(record: unknown, trust: typeof TRUST | null = TRUST) {
  return agtTraceReader.verify({ path: write('record.json', JSON.stringify(record, null, 2)), trust, hmacKey: null });
}

describe('the bytes a TRACE signature covers', () => {
  it('are json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=True) without the signature, cnf included', () => {
    // Python 3.11's output for this record (keys by code point: U+FF5E before U+1F600, unlike JavaScript's sort).
    const rec = parseLexJson(
      '{"z": 1, "é": "café ☕", "😀": {"b": [1.5, null, true], "a": "\\u0000\\t\\"\\\\"}, "～": "x", "A": 100000000000000000000, "signature": "zz", "cnf": {"jwk": {"x": "abc", "kty": "OKP", "crv": "Ed25519"}}, "del": "\\u007f"}',
    ) as LexObject;
    expect(traceSigningText(rec)).toBe(
      '{"A":100000000000000000000,"cnf":{"jwk":{"crv":"Ed25519","kty":"OKP","x":"abc"}},"del":"\\u007f","z":1,"\\u00e9":"caf\\u00e9 \\u2615","\\uff5e":"x","\\ud83d\\ude00":{"a":"\\u0000\\t\\"\\\\","b":[1.5,null,true]}}',
    );
  });

  it('write numbers as Python does after json.loads', () => {
    // Each pair: the JSON text, and json.dumps(json.loads(text)) in Python 3.11.
    const vectors: [string, string][] = [
      ['9', '9'],
      ['-0', '0'],
      ['1.0', '1.0'],
      ['1e16', '1e+16'],
      ['1e15', '1000000000000000.0'],
      ['0.0001', '0.0001'],
      ['0.00001', '1e-05'],
      ['1.5E300', '1.5e+300'],
      ['123456789012345678901234567890', '123456789012345678901234567890'],
      ['-0.0', '-0.0'],
      ['2.50', '2.5'],
      ['1e-7', '1e-07'],
      ['123.456e2', '12345.6'],
      ['5e-324', '5e-324'],
      ['1.7976931348623157e308', '1.7976931348623157e+308'],
      ['0.1', '0.1'],
      ['100', '100'],
      ['1E2', '100.0'],
    ];
    for (const [text, python] of vectors) expect(pythonNumberText(text), text).toBe(python);
  });

  it('verify on the fixture whatever the file layout: key order and indentation are not signed', async () => {
    const r = await verifyRecord(JSON.parse(JSON.stringify(validRecord())));
    expect(r.verdict).toBe('intact');
    const compact = write('compact.json', JSON.stringify(Object.fromEntries(Object.entries(validRecord()).reverse())));
    expect((await agtTraceReader.verify({ path: compact, trust: TRUST, hmacKey: null })).verdict).toBe('intact');
  });

  it('change with every member: an edit anywhere, cnf.jwk and nested members included, breaks the signature', async () => {
    const leaves: string[][] = [];
    const walk = (v: Json, p: string[]) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
      else if (p[0] !== 'signature') leaves.push(p);
    };
    walk(validRecord(), []);
    expect(leaves.length).toBeGreaterThan(15);
    for (const p of leaves) {
      const rec = validRecord();
      let o = rec as Record<string, Json>;
      for (const k of p.slice(0, -1)) o = o[k] as Record<string, Json>;
      const last = p[p.length - 1];
      const v = o[last];
      o[last] = typeof v === 'number' ? v + 1 : typeof v === 'string' ? (last === 'x' ? 'QzNPqZ4JhqZp66iLkjYK4EuayjlGFtJgWdQW5az0wgs' : v + 'x') : 'x';
      const r = await verifyRecord(rec);
      expect(r.verdict, p.join('.')).toBe('tampered');
      expect(
        r.findings.map((f) => f.kind),
        p.join('.'),
      ).toEqual(['bad-signature']);
    }
  });

  it('one flipped character of the signature is caught', async () => {
    const rec = validRecord();
    const s = rec.signature as string;
    rec.signature = s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11);
    const r = await verifyRecord(rec);
    expect(r.verdict).toBe('tampered');
    expect(r.firstFailure?.kind).toBe('bad-signature');
  });
});

describe('who vouches for a Trust Record', () => {
  it('a record re-signed with another key is untrusted (not proven), and only trusted once that key is in the trust store', async () => {
    const edited = { ...validRecord(), data_class: 'public' };
    const { record, publicHex } = signWithNewKey(edited);
    const r = await verifyRecord(record);
    expect(r.verdict).toBe('unanchored');
    expect(r.signer.status).toBe('untrusted');
    expect(r.signer.public_key).toBe(publicHex);
    expect(r.integrity.status).toBe('intact');
    expect(r.findings.map((f) => f.kind)).toEqual(['untrusted-key']);
    const theirs = await verifyRecord(record, { keys: [{ key_id: 'theirs', alg: 'ed25519', public_key: publicHex }] });
    expect(theirs.verdict).toBe('intact');
    expect(theirs.signer.key_id).toBe('theirs');
  });

  it('the trust store decides, not the record: with the attacker key trusted, the re-signed record is intact and the issuer one untrusted', async () => {
    const attacker = JSON.parse(readFileSync(fixture('trace-attacker-trust.json'), 'utf8')) as typeof TRUST;
    const resigned = await agtTraceReader.verify({ path: fixture('trace-resigned-other-key.json'), trust: attacker, hmacKey: null });
    expect([resigned.verdict, resigned.signer.status, resigned.signer.key_id]).toEqual(['intact', 'trusted', 'attacker']);
    const issuer = await agtTraceReader.verify({ path: fixture('trace-valid.json'), trust: attacker, hmacKey: null });
    expect([issuer.verdict, issuer.signer.status]).toEqual(['unanchored', 'untrusted']);
  });

  it('a key revoked before iat vouches for nothing; revoked after iat it still does', async () => {
    const key = TRUST.keys[0];
    const iat = validRecord().iat as number;
    const before = await verifyRecord(validRecord(), { keys: [{ ...key, revoked_at: new Date((iat - 60) * 1000).toISOString() }] });
    expect(before.verdict).toBe('unanchored');
    expect(before.signer.status).toBe('revoked');
    const after = await verifyRecord(validRecord(), { keys: [{ ...key, revoked_at: new Date((iat + 60) * 1000).toISOString() }] });
    expect(after.verdict).toBe('intact');
  });

  it('a member written twice is refused, not read one way here and another elsewhere', async () => {
    const text = readFileSync(fixture('trace-valid.json'), 'utf8').replace('"data_class": "confidential",', '"data_class": "confidential",\n  "data_class": "public",');
    const r = await agtTraceReader.verify({ path: write('twice.json', text), trust: TRUST, hmacKey: null });
    expect(r.verdict).toBe('malformed');
    expect(r.findings[0].message).toMatch(/duplicate member name "data_class"/);
  });

  it('a record that is not JSON is malformed, naming the line', async () => {
    const text = readFileSync(fixture('trace-valid.json'), 'utf8');
    const r = await agtTraceReader.verify({ path: write('cut.json', text.slice(0, 400)), trust: TRUST, hmacKey: null });
    expect(r.verdict).toBe('malformed');
    expect(r.findings[0].message).toMatch(/cut off/);
    expect(r.findings[0].line).toBeGreaterThan(1);
  });
});

/** The session log's entries, parsed, for building tampered copies. */
const sessionLines = () =>
  readFileSync(fixture('session-valid.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, Json>);
const jsonl = (entries: Record<string, Json>[]) => entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
const meshHash = (e: Record<string, Json>) => {
  const input = meshHashInput(parseLexJson(JSON.stringify(e)) as LexObject);
  if (!input.ok) throw new Error(input.problem);
  return createHash('sha256').update(input.text).digest('hex');
};

async function againstRecord(log: string, record = fixture('trace-valid.json'), trustPath: string | null = fixture('trace-trust.json')) {
  return verifyFile({ path: log, trustPath, traceRecordPath: record });
}
const kinds = (r: { findings: { kind: string }[] }) => r.findings.map((f) => f.kind).sort();

describe('a session log checked against its Trust Record', () => {
  it('the log as written is intact; alone, it is only unanchored', async () => {
    const log = write('session.jsonl', jsonl(sessionLines()));
    expect((await againstRecord(log)).verdict).toBe('intact');
    expect((await verifyFile({ path: log, trustPath: fixture('trace-trust.json') })).verdict).toBe('unanchored');
  });

  it('a cut tail: the chain holds, the count, transcript and root do not', async () => {
    const log = write('cut.jsonl', jsonl(sessionLines().slice(0, -1)));
    expect((await verifyFile({ path: log })).verdict).toBe('unanchored');
    const r = await againstRecord(log);
    expect(r.verdict).toBe('tampered');
    expect(kinds(r)).toEqual(['call-count-mismatch', 'measurement-mismatch', 'transcript-mismatch']);
    expect(r.findings.find((f) => f.kind === 'call-count-mismatch')!.message).toMatch(/holds 8 entries but .* counts 9/);
  });

  it('a chain recomputed after an edit: the transcript and root differ', async () => {
    const entries = sessionLines();
    (entries[5].data as Record<string, Json>).amount = 1;
    for (let i = 5; i < entries.length; i++) {
      if (i > 5) entries[i].previous_hash = entries[i - 1].entry_hash;
      entries[i].entry_hash = meshHash(entries[i]);
    }
    const log = write('rechained.jsonl', jsonl(entries));
    expect((await verifyFile({ path: log })).verdict).toBe('unanchored');
    const r = await againstRecord(log);
    expect(r.verdict).toBe('tampered');
    expect(kinds(r)).toEqual(['measurement-mismatch', 'transcript-mismatch']);
  });

  it('an edit outside entry_hash: only the transcript differs', async () => {
    for (const member of ['policy_decision', 'approver_did', 'sandbox_id', 'compute_driver']) {
      const entries = sessionLines();
      entries[2][member] = 'edited';
      const log = write('unhashed.jsonl', jsonl(entries));
      expect((await verifyFile({ path: log })).verdict, member).toBe('unanchored');
      const r = await againstRecord(log);
      expect(r.verdict, member).toBe('tampered');
      expect(kinds(r), member).toEqual(['transcript-mismatch']);
    }
  });

  it('a member AuditEntry does not have is covered by nothing, and said so', async () => {
    const entries = sessionLines();
    entries[3].note = 'added later';
    const r = await againstRecord(write('added.jsonl', jsonl(entries)));
    expect(r.verdict).toBe('intact');
    expect(r.unauthenticatedFields).toEqual(['note']);
  });

  it('an altered record vouches for nothing: tampered, and its bindings are not used', async () => {
    const r = await againstRecord(fixture('session-valid.jsonl'), fixture('trace-edit-data-class.json'));
    expect(r.verdict).toBe('tampered');
    expect(kinds(r)).toEqual(['bad-signature']);
    expect(r.findings[0].message).toContain('trace-edit-data-class.json');
  });

  it('a matching record signed by a key outside the trust store leaves the log unanchored, signer untrusted', async () => {
    const r = await againstRecord(fixture('session-valid.jsonl'), fixture('trace-resigned-other-key.json'));
    expect(r.verdict).toBe('unanchored');
    expect(r.signer.status).toBe('untrusted');
    expect(r.traceRecord!.checks.transcript_hash.matches).toBe(true);
  });

  it('an unreadable line: the transcript and root are not computed, the line itself is the finding', async () => {
    const lines = readFileSync(fixture('session-valid.jsonl'), 'utf8').split('\n');
    lines[4] = '{"entry_id": ';
    const r = await againstRecord(write('garbled.jsonl', lines.join('\n')));
    expect(r.verdict).toBe('tampered');
    expect(kinds(r)).toEqual(['malformed-line']);
    expect(r.traceRecord!.checks.transcript_hash.computed).toBeNull();
    expect(r.traceRecord!.checks.call_count.matches).toBe(true);
  });

  it('is refused for a file that is not an agent-mesh session log', async () => {
    await expect(againstRecord(fixture('plugin-valid.json'))).rejects.toThrow(InputError);
    await expect(againstRecord(fixture('plugin-valid.json'))).rejects.toThrow(/--trace-record checks an agent-mesh session log/);
  });

  it('through the command line: exit codes and the trace_record JSON', async () => {
    const ok = await cli('verify', fixture('session-valid.jsonl'), '--trace-record', fixture('trace-valid.json'), '--trust', fixture('trace-trust.json'), '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const okJson = JSON.parse(ok.stdout) as { verdict: string; trace_record: { signature: string; signer: { status: string }; checks: Record<string, { matches: boolean }> } };
    expect(okJson.verdict).toBe('intact');
    expect(okJson.trace_record.signer.status).toBe('trusted');
    expect(Object.values(okJson.trace_record.checks).every((c) => c.matches)).toBe(true);
    const cut = await cli('verify', fixture('session-cut-tail.jsonl'), '--trace-record', fixture('trace-valid.json'), '--trust', fixture('trace-trust.json'));
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/call_count DIFFERS/);
  });
});
