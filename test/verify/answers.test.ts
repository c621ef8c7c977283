/**
 * The three answers (record, signer, conduct) through the desk's service and
 * the CLI's JSON, on the bundled samples and the AGT fixtures: a wrong trust
 * store is not tampering, a rewritten chain names the stretch it cannot
 * prove, and conduct is answered apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { ed25519PublicKey, sha256HexOfText } from '../../src/shared/crypto';
import { cli } from '../support/run-cli';
import { tmpDir } from '../support/export-builder';
import { jobEnd } from '../support/job-end';

const ROOT = path.resolve(__dirname, '../..');
const SAMPLE = path.join(ROOT, 'resources/sample/export.jsonl');
const TAMPERED = path.join(ROOT, 'resources/sample/export-tampered.jsonl');
const TRUST = path.join(ROOT, 'resources/sample/trust.json');
const POLICIES = path.join(ROOT, 'resources/sample/policies');
const AGT = path.resolve(ROOT, '../shared/fixtures/agt');
const OTHER_PUB = ed25519PublicKey(sha256HexOfText('not the exporter key'));

let dir: string;
let service: AuditService;
const sampleKey = () => (JSON.parse(readFileSync(TRUST, 'utf8')) as { keys: { key_id: string; alg: string; public_key: string }[] }).keys[0];
const trustFile = (name: string, keys: unknown[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ keys }));
  return file;
};

async function openCase(request: { exportPath: string; trustPath?: string | null; policiesPath?: string | null; hmacKeyPath?: string | null }) {
  const { jobId } = await service.openExport(request);
  const done = await jobEnd(service, jobId);
  expect(done.phase, done.error).toBe('done');
  return service.getCaseSummary(done.caseId!);
}

beforeAll(() => {
  dir = tmpDir();
  service = createAuditService({ casesDir: path.join(dir, 'cases') });
});
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('in the service (what the desk shows)', () => {
  it('the pristine sample with a trust store that lacks its key: consistent, untrusted, unanchored', async () => {
    const s = await openCase({ exportPath: SAMPLE, trustPath: trustFile('other.json', [{ key_id: 'ops-other', alg: 'ed25519', public_key: OTHER_PUB }]) });
    expect(s.verdict).toBe('unanchored');
    expect(s.integrity).toMatchObject({ status: 'intact', unproven: [] });
    expect(s.signer).toMatchObject({ status: 'untrusted', key_id: 'ops-sample', public_key: sampleKey().public_key });
    expect(s.verdictReason).not.toMatch(/altered|changed after/);
  });

  it('key substitution names the header key and says it was substituted', async () => {
    const s = await openCase({ exportPath: SAMPLE, trustPath: trustFile('subst.json', [{ ...sampleKey(), public_key: OTHER_PUB }]) });
    expect(s.verdict).toBe('unanchored');
    expect(s.signer.status).toBe('untrusted');
    expect(s.signer.sentence).toMatch(/substituted/);
    expect(s.findingCounts['bad-signature']).toBeUndefined();
  });

  it('a revoked key: revoked, not tampered', async () => {
    const s = await openCase({ exportPath: SAMPLE, trustPath: trustFile('revoked.json', [{ ...sampleKey(), revoked_at: '2026-11-24T08:10:00.000Z' }]) });
    expect(s.verdict).toBe('unanchored');
    expect(s.signer).toMatchObject({ status: 'revoked', key_id: 'ops-sample' });
    expect(s.integrity.status).toBe('intact');
  });

  it('the sample with its trust store and policies: conduct has violations beside an intact record', async () => {
    const s = await openCase({ exportPath: SAMPLE, trustPath: TRUST, policiesPath: POLICIES });
    expect(s.verdict).toBe('intact');
    expect(s.signer.status).toBe('trusted');
    expect(s.conduct).toMatchObject({ status: 'violations', diverged: 1, sequence_findings: 15, sequence_warnings: 2, likely_edits: 0 });
  });

  it('the tampered sample: the unproven stretches exactly, the divergence at seq 1343 a likely edit, and its proof not proven', async () => {
    const s = await openCase({ exportPath: TAMPERED, trustPath: TRUST, policiesPath: POLICIES });
    expect(s.verdict).toBe('tampered');
    expect(s.integrity.status).toBe('altered');
    expect(s.integrity.unproven[0]).toEqual({
      from_seq: 1250,
      to_seq: 1499,
      from_line: 1257,
      to_line: 1506,
      why: 'the checkpoint on line 1507 does not match them; the last checkpoint that holds (line 1256) covers up to seq 1249',
    });
    expect(s.integrity.unproven.at(-1)).toMatchObject({ from_seq: 2250, to_seq: 2499, to_line: 2510 });
    expect(s.conduct.status).toBe('violations');
    expect(s.conduct.likely_edits).toBeGreaterThanOrEqual(1);
    const page = await service.queryEvents(s.caseId, { offset: 0, limit: 1, seqFrom: 1343, seqTo: 1343 });
    const proof = await service.getEventProof(s.caseId, page.rows[0].index);
    expect(proof.hashMatches).toBe(true);
    expect(proof.unproven).toMatchObject({ from_seq: 1250, to_seq: 1499 });
    const filtered = await service.queryEvents(s.caseId, { offset: 0, limit: 10, seqFrom: 1250, seqTo: 1499 });
    expect(filtered.total).toBe(250);
    // The recent list tells the cases apart: three answers and the trust store.
    const recent = (await service.listRecentCases()).find((c) => c.caseId === s.caseId)!;
    expect(recent.answers).toMatchObject({ integrity: 'altered', signer: 'trusted', conduct: 'violations' });
    expect(recent.trustName).toBe('trust.json');
  });

  it('an OPA decision log: record cannot be checked, conduct says replay is not available for that format', async () => {
    const s = await openCase({ exportPath: path.join(ROOT, 'resources/samples/opa-decisions.jsonl'), policiesPath: POLICIES });
    expect(s.integrity.status).toBe('unknown');
    expect(s.conduct.status).toBe('not-run');
    expect(s.conduct.reason).toMatch(/Replay is not available for opa-decision-log files/);
  });

  it('an AGT file-sink log with the wrong secret: wrong-secret, not tampered', async () => {
    const s = await openCase({ exportPath: path.join(AGT, 'file-sink-valid.jsonl'), hmacKeyPath: path.join(AGT, 'file-sink-wrong.key') });
    expect(s.verdict).toBe('unanchored');
    expect(s.signer.status).toBe('wrong-secret');
    expect(s.integrity.status).toBe('intact');
  });
});

describe('in the CLI JSON', () => {
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    return { code: r.code, out: JSON.parse(r.stdout) };
  };

  it('verify: integrity and signer beside the verdict, exit 3 for an untrusted signer', async () => {
    const { code, out } = await json('verify', SAMPLE, '--trust', trustFile('cli-other.json', [{ key_id: 'x', alg: 'ed25519', public_key: OTHER_PUB }]));
    expect(code).toBe(3);
    expect(out.integrity).toEqual({ status: 'intact', unproven: [], sentence: expect.any(String) });
    expect(out.signer).toMatchObject({ status: 'untrusted', key_id: 'ops-sample', public_key: sampleKey().public_key });
  });

  it('verify on the tampered sample: the unproven stretch with seq and line', async () => {
    const { code, out } = await json('verify', TAMPERED, '--trust', TRUST);
    expect(code).toBe(1);
    expect(out.integrity.status).toBe('altered');
    expect(out.integrity.unproven[0]).toMatchObject({ from_seq: 1250, to_seq: 1499, from_line: 1257, to_line: 1506 });
  });

  it('receipts signed by a key not in the trust store: untrusted, exit 3', async () => {
    const { code, out } = await json('verify', path.join(AGT, 'receipts-valid.json'), '--trust', trustFile('cli-receipts.json', [{ key_id: 'x', alg: 'ed25519', public_key: OTHER_PUB }]));
    expect(code).toBe(3);
    expect(out.signer.status).toBe('untrusted');
    expect(out.integrity.status).toBe('intact');
  });

  it('replay --json carries conduct; the report carries all three at its top', async () => {
    const replay = await json('replay', SAMPLE, '--policies', POLICIES);
    expect(replay.out.conduct).toMatchObject({ status: 'violations', diverged: 1, sequence_findings: 15, sequence_warnings: 2, likely_edits: null });
    const out = path.join(dir, 'report.json');
    const r = await cli('report', TAMPERED, '--trust', TRUST, '--policies', POLICIES, '--out', out);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    // Top-level members (the canonical JSON sorts them, so "at the top" is the first level, not the first bytes).
    for (const k of ['integrity', 'signer', 'conduct']) expect(report).toHaveProperty(k);
    expect(report.signer.status).toBe('trusted');
    expect(report.integrity.unproven[0]).toMatchObject({ from_seq: 1250, to_seq: 1499 });
    expect(report.conduct.likely_edits).toBeGreaterThanOrEqual(1);
    expect((await cli('check-report', out, TAMPERED, '--trust', TRUST, '--policies', POLICIES)).code).toBe(0);
  });
});
