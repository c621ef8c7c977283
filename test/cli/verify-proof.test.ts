import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/run-cli';
import type { EntryProofFile } from '../../src/shared/verify/entry-proof';
import { openSampleCases, TRUST, type SampleCases } from '../verify/proof-fixture';

let cases: SampleCases;
let proofPath: string;

beforeAll(async () => {
  cases = await openSampleCases();
  proofPath = path.join(cases.dir, 'export.seq-1300.proof.json');
  await cases.service.exportEntryProof(cases.sample, 1300, proofPath);
});
afterAll(async () => {
  await cases?.close();
});

const edit = (name: string, change: (p: EntryProofFile) => void): string => {
  const p = JSON.parse(readFileSync(proofPath, 'utf8')) as EntryProofFile;
  change(p);
  const out = path.join(cases.dir, name);
  writeFileSync(out, JSON.stringify(p));
  return out;
};

describe('audit-replay verify-proof', () => {
  it('says INTACT, exit 0, for a proof of the bundled sample checked with its trust store', async () => {
    const r = await cli('verify-proof', proofPath, '--trust', TRUST);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: INTACT\n/);
    expect(r.stdout).toContain('  record: consistent (every hash, link and root holds)');
    expect(r.stdout).toContain('  signer: Signed by "ops-sample", in your trust store.');
    expect(r.stdout).toMatch(/entry: seq 1300, line 1307 of export\.jsonl/);
  });

  it('is UNANCHORED, exit 3, without a trust store, in the words verify uses', async () => {
    const r = await cli('verify-proof', proofPath);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/: UNANCHORED\n/);
    expect(r.stdout).toContain('No trust store was given, so no signature can vouch for this record');
    const v = await cli('verify', path.resolve(__dirname, '../../resources/sample/export.jsonl'));
    expect(v.stdout).toContain('No trust store was given, so no signature can vouch for this record');
  });

  it('prints the three answers as JSON with --json', async () => {
    const r = await cli('verify-proof', proofPath, '--trust', TRUST, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      verdict: 'intact',
      seq: 1300,
      integrity: { status: 'intact' },
      signer: { status: 'trusted', key_id: 'ops-sample' },
      checks: { content: true, inclusion: true, signature: 'valid' },
    });
  });

  it('is TAMPERED, exit 1, for an edited line, an altered path or a checkpoint of another root', async () => {
    const line = edit('line.json', (p) => (p.entry.text = p.entry.text.replace(/"seq":1300/, '"seq":1301')));
    const route = edit('path.json', (p) => (p.inclusion.path[2] = p.inclusion.path[3]));
    const lines = readFileSync(path.resolve(__dirname, '../../resources/sample/export.jsonl'), 'utf8').split('\n');
    const root = edit('root.json', (p) => (p.checkpoint.text = lines.find((l) => l.includes('"type":"checkpoint"'))!));
    for (const file of [line, route, root]) {
      const r = await cli('verify-proof', file, '--trust', TRUST);
      expect(r.code, `${file}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stdout).toMatch(/: TAMPERED\n/);
      expect(r.stdout).toContain('record: ALTERED');
    }
  });

  it('refuses what is not a proof in one sentence naming the file, exit 2', async () => {
    const notJson = path.join(cases.dir, 'junk.json');
    writeFileSync(notJson, '{"format":');
    const wrong = edit('wrong.json', (p) => delete (p as Partial<EntryProofFile>).checkpoint);
    for (const [file, why] of [
      [notJson, /junk\.json: the file is not an entry's proof: it is not valid JSON/],
      [wrong, /wrong\.json: the file is not an audit-replay-proof\/1 proof: it has no "checkpoint" object/],
      [path.join(cases.dir, 'absent.json'), /absent\.json/],
    ] as const) {
      const r = await cli('verify-proof', file, '--trust', TRUST);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(why);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const usage = await cli('verify-proof');
    expect(usage.code).toBe(2);
  });
});
