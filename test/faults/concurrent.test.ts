/**
 * Two windows or processes on the same case: concurrent writers and readers
 * on one store (WAL) lose nothing and corrupt nothing; a second window
 * opening the cases folder while the first is ingesting must not break that
 * ingest.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestCase } from '../../src/main/node/ingest/ingest-case';
import { openWritable } from '../../src/main/node/store/case-store';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { REPO, startChild } from './child';

let dir: string;
let exportPath: string;
let trustPath: string;
const POLICIES = path.join(REPO, 'resources/sample/policies');

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'faults-concurrent-'));
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const r = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'bin/audit-replay.mjs'),
      'generate',
      '--events',
      '1500',
      '--seed',
      '5',
      '--plant-divergences',
      '2',
      '--out',
      exportPath,
      '--key-out',
      path.join(dir, 'key.json'),
      '--trust-out',
      trustPath,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
});

describe('one case, two processes', () => {
  it('two processes writing replay rows and findings while a third reads: nothing lost, integrity_check ok', async () => {
    const casesDir = path.join(dir, 'shared');
    mkdirSync(casesDir);
    const made = await ingestCase({ caseId: 'dddddddd-0000-4000-8000-000000000001', casesDir, exportPath, trustPath, policiesPath: POLICIES, workers: 0 });
    const rounds = 150;
    const writers = ['a', 'b'].map((tag) => startChild('writer', [made.file, String(rounds), tag]));
    // This process reads the way the window does, through the service, while they write.
    const service = createAuditService({ casesDir, workers: 0 });
    let reads = 0;
    let writing = true;
    const exits = Promise.all(writers.map((w) => w.exited)).finally(() => (writing = false));
    while (writing) {
      const page = await service.queryEvents('dddddddd-0000-4000-8000-000000000001', { offset: 0, limit: 50 });
      expect(page.rows.length).toBe(50);
      reads++;
      await sleep(5);
    }
    for (const end of await exits) expect(end.out, end.err).toContain('done');
    await service.close();
    const db = openWritable(made.file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    for (const tag of ['a', 'b']) expect(db.prepare('SELECT count(*) FROM sequence_findings WHERE kind = ?').pluck().get(`race-${tag}`)).toBe(rounds * 20);
    db.close();
    expect(reads).toBeGreaterThan(0);
  });

  it('a writer killed mid-transaction loses only its open transaction; the store stays intact', async () => {
    const casesDir = path.join(dir, 'killed-writer');
    mkdirSync(casesDir);
    const made = await ingestCase({ caseId: 'dddddddd-0000-4000-8000-000000000002', casesDir, exportPath, trustPath, workers: 0 });
    for (const delay of [5, 40, 120]) {
      const w = startChild('writer', [made.file, '100000', `k${delay}`]);
      await w.ready;
      await sleep(delay);
      w.proc.kill('SIGKILL');
      await w.exited;
    }
    const db = openWritable(made.file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    for (const delay of [5, 40, 120]) expect((db.prepare('SELECT count(*) FROM sequence_findings WHERE kind = ?').pluck().get(`race-k${delay}`) as number) % 20).toBe(0);
    db.close();
  });

  // Opening a cases folder sweeps partial cases left by killed ingests; one
  // whose writer process is alive ("<id>.partial.pid") is another window's
  // ingest in progress and must be left alone.
  it("a second window opening the cases folder does not break the first window's ingest", async () => {
    const casesDir = path.join(dir, 'two-windows');
    mkdirSync(casesDir);
    const second = startChild('opener', [casesDir]);
    await second.ready;
    const first = startChild('ingest', [casesDir, 'eeeeeeee-0000-4000-8000-000000000001', exportPath, trustPath, POLICIES]);
    await first.ready;
    await sleep(300);
    second.proc.stdin!.write('go\n');
    const [a, b] = await Promise.all([first.exited, second.exited]);
    expect(b.out).toContain('done');
    expect(a.out, a.out + a.err).toContain('done');
  });
});
