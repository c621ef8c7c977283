import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { exportCopyFile } from '../../src/main/node/ingest/ingest-case';
import { migrate, openWritable } from '../../src/main/node/store/case-store';
import { CaseStoreReader } from '../../src/main/node/store/case-store-reader';
import { CaseQueries } from '../../src/main/node/service/case-queries';
import { MIGRATIONS } from '../../src/main/node/store/migrations';
import { prng } from '../faults/child';
import { jobEnd } from '../support/job-end';
import { cli } from '../support/run-cli';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let exportPath: string;
let gzPath: string;
let trustPath: string;
let service: AuditService;
const casesDir = () => path.join(dir, 'cases');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'store-index-'));
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const made = await cli('generate', '--events', '600', '--seed', '9', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath);
  expect(made.code, made.stderr).toBe(0);
  gzPath = path.join(dir, 'export.jsonl.gz');
  writeFileSync(gzPath, gzipSync(readFileSync(exportPath)));
  service = createAuditService({ casesDir: casesDir(), workers: 1 });
});

afterAll(async () => {
  await service.close();
});

async function ingest(file: string): Promise<string> {
  const { jobId } = await service.openExport({ exportPath: file, trustPath });
  const end = await jobEnd(service, jobId);
  expect(end.phase, end.error).toBe('done');
  return end.caseId!;
}

describe('the case store indexes the export instead of copying its lines', () => {
  for (const which of ['plain', 'gzip'] as const) {
    it(`${which}: every line read back by offset is the file's line; the store holds none`, async () => {
      const caseId = await ingest(which === 'plain' ? exportPath : gzPath);
      const text = readFileSync(exportPath);
      // The copy is the export verbatim (decompressed once for gzip).
      expect(sha(readFileSync(exportCopyFile(casesDir(), caseId)))).toBe(sha(text));
      const summary = await service.getCaseSummary(caseId);
      expect(summary.exportSha256).toBe(sha(readFileSync(which === 'plain' ? exportPath : gzPath)));
      const lines = text.toString('utf8').split('\n');
      const db = new Database(path.join(casesDir(), `${caseId}.db`), { readonly: true });
      expect(db.prepare('SELECT count(*) FROM events WHERE raw IS NOT NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM events WHERE byte_offset IS NOT NULL').pluck().get()).toBe(600);
      db.close();
      // Random positions (seeded) and both ends: raw, the canonical bytes recomputed and the hash they give.
      const rand = prng(13);
      const picks = [0, 599, ...Array.from({ length: 60 }, () => Math.floor(rand() * 600))];
      for (const i of picks) {
        const proof = await service.getEventProof(caseId, i);
        expect(proof.raw, `event ${i}`).toBe(lines[proof.line - 1]);
        const recorded = (JSON.parse(proof.raw) as { hash: string }).hash;
        expect(proof.recordedHash).toBe(recorded);
        expect(proof.hashMatches).toBe(true);
        expect(proof.recomputedHash).toBe(recorded);
        if (i > 0) expect(proof.linkMatches).toBe(true);
      }
    });
  }

  it('text search still looks inside the lines kept in the copy', async () => {
    const caseId = await ingest(exportPath);
    const lines = readFileSync(exportPath, 'utf8').split('\n');
    const needle = (JSON.parse(lines[100]) as { hash: string }).hash.slice(0, 20);
    const page = await service.queryEvents(caseId, { offset: 0, limit: 10, text: needle });
    // Line 101 has it as its hash, line 102 as its prev_hash: found in the lines, not in the table's columns.
    const expected = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
    expect(expected).toContain(101);
    expect(page.rows.map((r) => r.line)).toEqual(expected);
  });
});

describe('a case made before store version 6', () => {
  it('is rebuilt in place: its lines stay in the store, its hashes read the same', () => {
    const file = path.join(dir, 'old.db');
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    const h = (n: number) => n.toString(16).padStart(64, '0');
    const insert = old.prepare(
      `INSERT INTO events (idx, seq, line, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run(0, 0, 2, '2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:00:00Z'), 'action.requested', 'agent', 'a1', null, 's0', '{"seq":0}', null, h(1), h(1), h(0), null);
    insert.run(1, 1, 3, '2026-01-01T00:00:01Z', Date.parse('2026-01-01T00:00:01Z'), 'action.executed', 'agent', 'a1', null, 's1', '{"seq":1}', null, h(2), h(9), h(1), '["x"]');
    insert.run(2, 2, 4, '2026-01-01T00:00:02Z', Date.parse('2026-01-01T00:00:02Z'), 'other', 'system', 'sys', null, 's2', 'not json', 'canon', 'not-hex', null, null, null);
    old.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('format', JSON.stringify('opa-decision-log'));
    old.close();

    const db = openWritable(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const store = new CaseStoreReader(db);
    expect(
      [0, 1, 2].map((i) => {
        const e = store.event(i)!;
        return [e.raw, e.recordedHash, e.computedHash, e.prevHash, e.unauthenticated, e.canonical];
      }),
    ).toEqual([
      ['{"seq":0}', h(1), h(1), h(0), [], null],
      ['{"seq":1}', h(2), h(9), h(1), ['x'], null],
      ['not json', 'not-hex', null, null, [], 'canon'],
    ]);
    const q = new CaseQueries('old', store);
    expect(q.events({ offset: 0, limit: 10, text: 'seq":1' }).rows.map((r) => r.index)).toEqual([1]);
    expect(q.proof(1).raw).toBe('{"seq":1}');
    expect(q.proof(1).expectedPrevHash).toBe(h(1));
    db.close();
  });
});
