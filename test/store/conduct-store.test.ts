/**
 * Conduct findings through the case store and the desk's service: severity
 * and related events stored (migration 5) and served, the counts apart, and
 * a case written before version 5 still opening with its findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { CaseQueries } from '../../src/main/node/service/case-queries';
import { asReadable, migrate } from '../../src/main/node/store/case-store';
import { CaseStoreReader } from '../../src/main/node/store/case-store-reader';
import { MIGRATIONS } from '../../src/main/node/store/migrations';
import { tmpDir } from '../support/export-builder';
import { jobEnd } from '../support/job-end';

const ROOT = path.resolve(__dirname, '../..');
const SAMPLE = path.join(ROOT, 'resources/sample/export.jsonl');
const TRUST = path.join(ROOT, 'resources/sample/trust.json');
const POLICIES = path.join(ROOT, 'resources/sample/policies');

let dir: string;
let service: AuditService;

beforeAll(() => {
  dir = tmpDir();
  service = createAuditService({ casesDir: path.join(dir, 'cases'), workers: 1 });
});

afterAll(async () => {
  await service.close();
});

describe('conduct findings in a case', () => {
  it('the bundled sample: each conduct finding listed with its severity and the events it involves', async () => {
    const { jobId } = await service.openExport({ exportPath: SAMPLE, trustPath: TRUST, policiesPath: POLICIES });
    const done = await jobEnd(service, jobId);
    expect(done.phase, done.error).toBe('done');
    const summary = await service.getCaseSummary(done.caseId!);
    expect(summary.replay).toMatchObject({ sequenceFindings: 15, sequenceWarnings: 2 });
    expect(summary.conduct.sentence).toBe('1 divergence, 15 workflow violations, 2 warnings.');
    const findings = await service.listSequenceFindings(done.caseId!);
    const kinds = new Set(findings.map((f) => f.kind));
    for (const k of ['executed-differs', 'projection-not-admissible', 'self-approval', 'approval-expired', 'duplicate-execution', 'killswitch-ineffective']) expect(kinds).toContain(k);
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.kind)).toEqual(['killswitch-ineffective', 'killswitch-ineffective']);
    // Every finding of the sample rests on another event, and each named event is in the case.
    for (const f of findings) {
      expect(f.relatedSeqs.length, `${f.kind} at seq ${f.seq}`).toBeGreaterThan(0);
      for (const seq of f.relatedSeqs) {
        const page = await service.queryEvents(done.caseId!, { offset: 0, limit: 1, seqFrom: seq, seqTo: seq });
        expect(page.total).toBe(1);
      }
    }
    const differs = findings.find((f) => f.kind === 'executed-differs')!;
    const requested = await service.queryEvents(done.caseId!, { offset: 0, limit: 1, seqFrom: differs.relatedSeqs[0], seqTo: differs.relatedSeqs[0] });
    expect(requested.rows[0].kind).toBe('action.requested');
  });

  it('a case written before store version 5 lists its findings as violations naming no other event', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    db.prepare('INSERT INTO sequence_findings (kind, seq, event_idx, message) VALUES (?, ?, ?, ?)').run(
      'executed-after-deny',
      7,
      7,
      'request r1 was executed for a1 although its policy decision was deny',
    );
    const old = new CaseQueries('old', new CaseStoreReader(asReadable(db))).sequenceFindings();
    expect(old).toEqual([{ kind: 'executed-after-deny', severity: 'violation', seq: 7, index: 7, message: 'request r1 was executed for a1 although its policy decision was deny', relatedSeqs: [] }]);
    // Opened for writing, it migrates; the old row keeps the defaults and new rows carry both.
    migrate(db);
    db.prepare('INSERT INTO sequence_findings (kind, seq, event_idx, message, severity, related_seqs) VALUES (?, ?, ?, ?, ?, ?)').run('killswitch-ineffective', 9, 9, 'w', 'warning', '[11]');
    expect(new CaseQueries('old', new CaseStoreReader(asReadable(db))).sequenceFindings().map((f) => [f.kind, f.severity, f.relatedSeqs])).toEqual([
      ['executed-after-deny', 'violation', []],
      ['killswitch-ineffective', 'warning', [11]],
    ]);
    expect(() => db.prepare("INSERT INTO sequence_findings (kind, seq, event_idx, message, severity) VALUES ('x', 1, 1, 'm', 'fatal')").run()).toThrow(/CHECK/);
  });
});
