import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, cpSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { jobEnd } from '../support/job-end';
import { buildLines, lineOfSeq, specs, tmpDir, trustFor, writeExportFile } from '../support/export-builder';
import { createHash } from 'node:crypto';

let dir: string;
let service: AuditService;
let exportPath: string;
let trustPath: string;

function waitFor(jobId: string): Promise<JobProgress> {
  return jobEnd(service, jobId);
}

async function open(file: string, trust: string | null = trustPath): Promise<JobProgress> {
  const { jobId } = await service.openExport({ exportPath: file, trustPath: trust });
  return waitFor(jobId);
}

beforeAll(() => {
  dir = tmpDir();
  const kinds = ['action.requested', 'policy.decision', 'approval.requested', 'approval.granted', 'action.executed', 'killswitch.engaged'];
  const s = specs(120).map((_, i) => ({
    kind: kinds[i % kinds.length],
    actor: { type: 'agent', id: `agent-${i % 3}` },
    data:
      i % 6 === 1
        ? { decision_id: `d${i}`, request_id: `r${i}`, outcome: { effect: i % 12 === 1 ? 'deny' : 'allow', determining: [] } }
        : { request_id: `r${i}`, note: `<img src=x onerror=alert(${i})>` },
  }));
  exportPath = writeExportFile(dir, 'sample.jsonl', buildLines(s, { every: 25 }));
  trustPath = path.join(dir, 'trust.json');
  writeFileSync(trustPath, JSON.stringify(trustFor()));
  service = createAuditService({ casesDir: path.join(dir, 'cases'), workers: 1 });
});

afterAll(async () => {
  await service.close();
});

describe('AuditService over a real case store', () => {
  let caseId: string;

  it('ingests an export in a worker, reporting progress, and never writes the original', async () => {
    const before = createHash('sha256').update(readFileSync(exportPath)).digest('hex');
    const done = await open(exportPath);
    expect(done.phase).toBe('done');
    caseId = done.caseId!;
    const summary = await service.getCaseSummary(caseId);
    expect(summary.verdict).toBe('intact');
    expect(summary.events).toBe(120);
    expect(summary.exportSha256).toBe(before);
    expect(createHash('sha256').update(readFileSync(exportPath)).digest('hex')).toBe(before);
    expect(summary.agents).toEqual(['agent-0', 'agent-1', 'agent-2']);
    expect(summary.checkpoints).toHaveLength(5);
    expect(summary.checkpoints.every((c) => c.status === 'valid')).toBe(true);
  });

  it('stores the case in WAL mode, STRICT tables, migrated, and passes integrity_check', async () => {
    const db = new Database(path.join(dir, 'cases', `${caseId}.db`), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('user_version', { simple: true })).toBe(8); // 3: reviewer notes (docs/reports.md), 4: timeline index, 5: severity and related events of sequence findings, 6: events by offset in the export copy, 7: request, decision and subject of events, 8: slimmer rows (event_rows behind the events view)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
    expect(sql.every((s) => /STRICT\s*$/.test(s))).toBe(true);
    db.close();
  });

  it('pages and filters events from SQLite', async () => {
    const page = await service.queryEvents(caseId, { offset: 10, limit: 5 });
    expect(page.total).toBe(120);
    expect(page.rows.map((r) => r.seq)).toEqual([10, 11, 12, 13, 14]);
    const agent = await service.queryEvents(caseId, { offset: 0, limit: 1000, agent: 'agent-1' });
    expect(agent.total).toBe(40);
    expect(agent.rows.every((r) => r.actorId === 'agent-1')).toBe(true);
    const denies = await service.queryEvents(caseId, { offset: 0, limit: 100, outcome: 'deny' });
    expect(denies.rows.map((r) => r.seq)).toEqual([1, 13, 25, 37, 49, 61, 73, 85, 97, 109]);
    const text = await service.queryEvents(caseId, { offset: 0, limit: 100, text: 'alert(42)' });
    expect(text.rows.map((r) => r.seq)).toEqual([42]);
    const pct = await service.queryEvents(caseId, { offset: 0, limit: 100, text: '%' });
    expect(pct.total).toBe(0);
  });

  it('shows the proof behind an event: canonical bytes, hashes, link, checkpoint and each Merkle step', async () => {
    const proof = await service.getEventProof(caseId, 37);
    expect(proof.hashMatches).toBe(true);
    expect(proof.linkMatches).toBe(true);
    expect(proof.recomputedHash).toBe(createHash('sha256').update(proof.canonical).digest('hex'));
    expect(proof.checkpoint).toMatchObject({ treeSize: 50, status: 'valid' });
    expect(proof.inclusion.length).toBeGreaterThan(3);
    expect(proof.inclusionOk).toBe(true);
    expect(proof.inclusion[proof.inclusion.length - 1].result).toBe(proof.checkpoint!.merkleRoot);
  });

  it('builds a timeline with lanes per agent and markers', async () => {
    const t = await service.getTimeline(caseId, { buckets: 10 });
    expect(t.buckets).toHaveLength(10);
    expect(t.buckets.reduce((n, b) => n + b.total, 0)).toBe(120);
    expect(t.lanes.map((l) => l.agent)).toEqual(['agent-0', 'agent-1', 'agent-2']);
    expect(t.markers.some((m) => m.marker === 'deny')).toBe(true);
    expect(t.markers.some((m) => m.marker === 'killswitch')).toBe(true);
  });

  it('a tampered export shows where it broke, tied to the event', async () => {
    const lines = buildLines(specs(40), { every: 10 });
    const at = lineOfSeq(lines, 17);
    lines[at - 1] = { ...lines[at - 1], data: { forged: true } };
    const done = await open(writeExportFile(dir, 'tampered.jsonl', lines));
    const summary = await service.getCaseSummary(done.caseId!);
    expect(summary.verdict).toBe('tampered');
    expect(summary.firstFailure).toMatchObject({ kind: 'hash-mismatch', seq: 17, line: at });
    const flagged = await service.queryEvents(done.caseId!, { offset: 0, limit: 10, finding: 'hash-mismatch' });
    expect(flagged.rows.map((r) => [r.seq, r.findingKinds])).toEqual([[17, ['hash-mismatch']]]);
    const proof = await service.getEventProof(done.caseId!, 17);
    expect(proof.hashMatches).toBe(false);
    expect(proof.findings.map((f) => f.kind)).toEqual(['hash-mismatch']);
  });

  it('lists recent cases, newest first', async () => {
    const recent = await service.listRecentCases();
    expect(recent.length).toBeGreaterThanOrEqual(2);
    expect(recent.map((r) => r.exportName)).toContain('sample.jsonl');
  });

  it('a missing file fails with a sentence naming it, and leaves no case', async () => {
    const before = readdirSync(path.join(dir, 'cases')).length;
    await expect(service.openExport({ exportPath: path.join(dir, 'nope.jsonl') })).rejects.toThrow(/nope\.jsonl: no such file/);
    expect(readdirSync(path.join(dir, 'cases')).length).toBe(before);
  });

  it('an unreadable format fails the job with a sentence, never a stack, and leaves no half case', async () => {
    const file = path.join(dir, 'garbage.bin');
    writeFileSync(file, Buffer.from([0, 1, 2, 3, 255, 254]));
    const done = await open(file);
    expect(done.phase).toBe('failed');
    expect(done.error).toMatch(/garbage\.bin/);
    expect(done.error).not.toMatch(/\n\s+at /);
    expect(readdirSync(path.join(dir, 'cases')).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('cancelling an ingest removes the half-built case', async () => {
    const big = writeExportFile(dir, 'big.jsonl', buildLines(specs(20000), { every: 1000 }));
    const { jobId } = await service.openExport({ exportPath: big, trustPath });
    await service.cancelJob(jobId);
    await new Promise((r) => setTimeout(r, 200));
    const files = readdirSync(path.join(dir, 'cases'));
    expect(files.filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('a leftover partial case from a crash is removed when the cases folder is opened', async () => {
    const casesDir = path.join(dir, 'cases2');
    const first = createAuditService({ casesDir });
    await first.listRecentCases();
    writeFileSync(path.join(casesDir, '00000000-0000-0000-0000-000000000000.partial.db'), 'half');
    await first.close();
    const second = createAuditService({ casesDir });
    const recent = await second.listRecentCases();
    expect(recent.map((r) => [r.caseId, r.interrupted, r.verdict])).toEqual([['00000000-0000-0000-0000-000000000000', true, null]]);
    expect(existsSync(path.join(casesDir, '00000000-0000-0000-0000-000000000000.partial.db'))).toBe(false);
    await second.close();
  });

  it('an ingest killed with its process is listed as interrupted, with its export, until that export is opened again', async () => {
    const casesDir = path.join(dir, 'cases3');
    const first = createAuditService({ casesDir });
    await first.listRecentCases();
    await first.close();
    const id = '11111111-0000-4000-8000-000000000000';
    // What a SIGKILLed ingest leaves: the partial case, its journal, and its owner file naming a dead process.
    writeFileSync(path.join(casesDir, `${id}.partial.db`), 'half');
    writeFileSync(path.join(casesDir, `${id}.partial.db-journal`), 'half');
    writeFileSync(path.join(casesDir, `${id}.partial.pid`), `2147483646\n${exportPath}\n`);
    const second = createAuditService({ casesDir });
    const recent = await second.listRecentCases();
    expect(recent).toEqual([expect.objectContaining({ caseId: id, interrupted: true, verdict: null, exportPath, exportName: 'sample.jsonl' })]);
    expect(readdirSync(casesDir).filter((f) => f.includes('partial'))).toEqual([]);
    const { jobId } = await second.openExport({ exportPath, trustPath });
    await new Promise<void>((resolve) => second.onProgress((p) => p.jobId === jobId && p.phase === 'done' && resolve()));
    const after = await second.listRecentCases();
    expect(after.map((r) => [r.exportName, r.interrupted ?? false, r.verdict])).toEqual([['sample.jsonl', false, 'intact']]);
    await second.close();
  });

  it('a process killed while writing its owner file, before any case was begun, leaves nothing to report and nothing behind', async () => {
    const casesDir = path.join(dir, 'cases4');
    mkdirSync(casesDir);
    // Killed before the rename: only the half-written owner file exists. Killed by an older version mid-write: an empty owner file.
    writeFileSync(path.join(casesDir, '22222222-0000-4000-8000-000000000000.partial.pid-new'), '2147483646\n');
    writeFileSync(path.join(casesDir, '33333333-0000-4000-8000-000000000000.partial.pid'), '');
    const service2 = createAuditService({ casesDir });
    expect(await service2.listRecentCases()).toEqual([]);
    expect(readdirSync(casesDir).filter((f) => f.includes('partial'))).toEqual([]);
    await service2.close();
  });
});

describe('replay stored with the case', () => {
  it('opening the sample with its policy folder stores divergences and sequence findings beside the evidence', async () => {
    const root = path.resolve(__dirname, '../..');
    const { jobId } = await service.openExport({
      exportPath: path.join(root, 'resources/sample/export.jsonl'),
      trustPath: path.join(root, 'resources/sample/trust.json'),
      policiesPath: path.join(root, 'resources/sample/policies'),
    });
    const done = await waitFor(jobId);
    expect(done.phase).toBe('done');
    const summary = await service.getCaseSummary(done.caseId!);
    expect(summary.verdict).toBe('intact');
    expect(summary.replay).not.toBeNull();
    expect(summary.replay!.decisions).toBe(summary.replay!.matched + summary.replay!.diverged + summary.replay!.notReplayable);
    expect(summary.replay!.diverged).toBeGreaterThan(0);
    expect(summary.replayReportSha256).toMatch(/^[0-9a-f]{64}$/);
    const divergences = await service.listDivergences(done.caseId!);
    const d = divergences.find((v) => v.status === 'diverged')!;
    expect(d.fields.map((f) => f.field)).toContain('effect');
    expect(d.determiningPolicies.some((p) => p.text.includes('@id('))).toBe(true);
    const rows = await service.queryEvents(done.caseId!, { offset: 0, limit: 10, diverged: true });
    expect(rows.rows.map((r) => r.index)).toContain(d.index);
    expect(rows.rows.every((r) => r.replayStatus === 'diverged')).toBe(true);
    const seq = await service.listSequenceFindings(done.caseId!);
    expect(seq.map((f) => f.kind)).toEqual(expect.arrayContaining(['executed-without-approval', 'action-after-killswitch', 'executed-after-deny']));
  });

  it('a policy folder that cannot be used is a reason shown with the case, and verification stands', async () => {
    const done = await (async () => {
      const { jobId } = await service.openExport({ exportPath, trustPath, policiesPath: path.join(dir, 'no-such-policies') });
      return waitFor(jobId);
    })();
    expect(done.phase).toBe('done');
    const summary = await service.getCaseSummary(done.caseId!);
    expect(summary.verdict).toBe('intact');
    expect(summary.replay).toBeNull();
    expect(summary.replayError).toMatch(/no-such-policies/);
  });
});

describe('the timeline index', () => {
  it('coarse views read pre-counted cells, deep zooms count events, and both agree with the events', async () => {
    const root = path.resolve(__dirname, '../..');
    const { jobId } = await service.openExport({ exportPath: path.join(root, 'resources/sample/export.jsonl'), trustPath: path.join(root, 'resources/sample/trust.json') });
    const caseId = (await waitFor(jobId)).caseId!;
    const whole = await service.getTimeline(caseId, { buckets: 50 });
    const sum = (t: typeof whole) => t.buckets.reduce((n, b) => n + b.total, 0);
    expect(sum(whole)).toBe(2500);
    // A lane draws what its actor did; the agent filter's default also counts events about the agent.
    const perAgent = (await service.queryEvents(caseId, { offset: 0, limit: 1, agent: 'billing-agent', agentRole: 'actor' })).total;
    expect(whole.lanes.find((l) => l.agent === 'billing-agent')!.counts.reduce((n, c) => n + c.count, 0)).toBe(perAgent);
    // Markers are spread over the whole span, not just its start.
    const lastBucketStart = Date.parse(whole.buckets[45].start);
    expect(whole.markers.some((m) => m.marker === 'deny' && Date.parse(m.ts) >= lastBucketStart)).toBe(true);
    // A deep zoom: a two-minute window, finer than a cell, counted from the events themselves.
    const fromTs = '2026-11-24T08:10:00.000Z';
    const toTs = '2026-11-24T08:12:00.000Z';
    const zoom = await service.getTimeline(caseId, { fromTs, toTs, buckets: 400 });
    const inRange = (await service.queryEvents(caseId, { offset: 0, limit: 1, fromTs, toTs })).total;
    expect(inRange).toBeGreaterThan(0);
    expect(sum(zoom)).toBe(inRange);
  });
});

describe('an AGT file-sink log with its HMAC secret', () => {
  const fixtures = path.resolve(__dirname, '../../../shared/fixtures/agt');
  it.skipIf(!existsSync(fixtures))('is intact with the key, and neither the secret nor its path reaches the case store', async () => {
    const keyPath = path.join(fixtures, 'file-sink.key');
    const { jobId } = await service.openExport({ exportPath: path.join(fixtures, 'file-sink-valid.jsonl'), hmacKeyPath: keyPath });
    const done = await waitFor(jobId);
    expect(done.phase, done.error).toBe('done');
    const summary = await service.getCaseSummary(done.caseId!);
    expect(summary.format).toBe('agt-file-sink');
    expect(summary.verdict).toBe('intact');
    const store = readFileSync(path.join(dir, 'cases', `${done.caseId}.db`));
    const secret = readFileSync(keyPath);
    expect(store.includes(secret)).toBe(false);
    expect(store.includes(Buffer.from(secret.toString('hex')))).toBe(false);
    expect(store.includes(Buffer.from('file-sink.key'))).toBe(false);
    // Without the key the same log is only hash-chained.
    const again = await waitFor((await service.openExport({ exportPath: path.join(fixtures, 'file-sink-valid.jsonl') })).jobId);
    expect((await service.getCaseSummary(again.caseId!)).verdict).toBe('unanchored');
  });
});

/*
 * Special files from the window's file fields: a FIFO would block the ingest
 * worker's read for good, so each is refused before the worker starts. Each
 * test is bounded, and every FIFO is opened for writing afterwards, waking a
 * read stuck on it: a regression fails, it does not hang.
 */
describe('special files and outputs over inputs', () => {
  const fifos: string[] = [];
  const fifo = (name: string) => {
    const file = path.join(dir, name);
    execFileSync('mkfifo', [file]);
    fifos.push(file);
    return file;
  };
  afterEach(() => {
    for (const f of fifos) {
      try {
        closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waiting
      }
    }
  });
  const bounded = <T>(p: Promise<T>, ms = 4000): Promise<T | 'hung'> => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms))]);
  const refusal = async (request: Parameters<AuditService['openExport']>[0]) => {
    const before = readdirSync(path.join(dir, 'cases')).length;
    const outcome = await bounded(
      service
        .openExport(request)
        .then((job) => waitFor(job.jobId))
        .then(
          (p) => `not refused: ${p.phase} ${p.error ?? ''}`,
          (err: Error) => err.message,
        ),
    );
    expect(readdirSync(path.join(dir, 'cases')).length).toBe(before);
    return outcome;
  };

  it('a FIFO as the export is refused as a FIFO, at once', { timeout: 10_000 }, async () => {
    expect(await refusal({ exportPath: fifo('pipe-export.jsonl') })).toMatch(/pipe-export\.jsonl: is a FIFO \(named pipe\), not a regular file, so it cannot be the export/);
  });

  it('a FIFO as the trust store or the HMAC key file is refused before the ingest starts', { timeout: 15_000 }, async () => {
    expect(await refusal({ exportPath, trustPath: fifo('pipe-trust.json') })).toMatch(/pipe-trust\.json: is a FIFO \(named pipe\), not a regular file, so it cannot be the trust store/);
    expect(await refusal({ exportPath, hmacKeyPath: fifo('pipe-key') })).toMatch(/pipe-key: is a FIFO \(named pipe\), not a regular file, so it cannot be the HMAC key file/);
  });

  it('a folder as the export or trust store says "is a folder"', { timeout: 10_000 }, async () => {
    const folder = path.join(dir, 'a-folder.jsonl');
    mkdirSync(folder, { recursive: true });
    expect(await refusal({ exportPath: folder })).toMatch(/a-folder\.jsonl: is a folder, not a regular file, so it cannot be the export/);
    expect(await refusal({ exportPath, trustPath: folder })).toMatch(/a-folder\.jsonl: is a folder, not a regular file, so it cannot be the trust store/);
  });

  it("a FIFO in the policy folder is the case's replay error, naming it; verification stands", { timeout: 20_000 }, async () => {
    const policies = path.join(dir, 'policies-fifo');
    cpSync(path.resolve(__dirname, '../../resources/sample/policies'), policies, { recursive: true });
    const cedar = path.join(policies, 'ap-policy-v8', 'policies.cedar');
    rmSync(cedar);
    execFileSync('mkfifo', [cedar]);
    fifos.push(cedar);
    const done = await bounded(
      service.openExport({ exportPath, trustPath, policiesPath: policies }).then((j) => waitFor(j.jobId)),
      15_000,
    );
    expect(done).not.toBe('hung');
    const summary = await service.getCaseSummary((done as JobProgress).caseId!);
    expect(summary.verdict).toBe('intact');
    expect(summary.replayError).toMatch(/policies\.cedar: is a FIFO \(named pipe\), not a regular file/);
  });

  it('the report is not written over the export, the trust store or the case itself (links included)', { timeout: 30_000 }, async () => {
    const done = await open(exportPath);
    const caseId = done.caseId!;
    const soft = path.join(dir, 'soft-export.json');
    symlinkSync(exportPath, soft);
    const hard = path.join(dir, 'hard-export.json');
    linkSync(exportPath, hard);
    const before = createHash('sha256').update(readFileSync(exportPath)).digest('hex');
    await expect(service.exportReport(caseId, 'json', soft)).rejects.toThrow(/soft-export\.json is the export this case examines; choose another file/);
    await expect(service.exportReport(caseId, 'json', hard)).rejects.toThrow(/hard-export\.json is the export this case examines; choose another file/);
    await expect(service.exportReport(caseId, 'json', trustPath)).rejects.toThrow(/trust\.json is the trust store of this case; choose another file/);
    await expect(service.exportReport(caseId, 'json', path.join(dir, 'cases', `${caseId}.db`))).rejects.toThrow(/is the case store itself; choose another file/);
    await expect(service.exportReport(caseId, 'json', '/dev/full')).rejects.toThrow(/\/dev\/full is a character device, not a regular file; choose another file/);
    expect(createHash('sha256').update(readFileSync(exportPath)).digest('hex')).toBe(before);
    expect((await service.getCaseSummary(caseId)).verdict).toBe('intact');
    // And an ordinary path still works.
    const out = path.join(dir, 'case-report.json');
    expect((await service.exportReport(caseId, 'json', out))?.path).toBe(out);
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });
});
