/**
 * SIGKILL at seeded random points during ingest (verification, storing,
 * replay, the final fsync and rename) of a child running ingestCase, and of
 * a child running the whole AuditService with its ingest worker thread. Then
 * reopen the cases folder: every case is complete or absent (a killed
 * ingest's "<id>.partial.db" is removed on opening), every store passes
 * PRAGMA integrity_check and holds what a finished ingest holds, and the
 * export's SHA-256 has not changed.
 *
 * KILL_POINTS (default 24) and KILL_SEED (default 6) scale and replay a run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { openReadable } from '../../src/main/node/store/case-store';
import { readCaseMeta } from '../../src/main/node/store/case-meta';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { prng, REPO, startChild } from './child';

const KILL_POINTS = Number(process.env.KILL_POINTS ?? 24);
const SEED = Number(process.env.KILL_SEED ?? 6);
const POLICIES = path.join(REPO, 'resources/sample/policies');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

let dir: string;
let exportPath: string;
let trustPath: string;
let exportSha: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'faults-kill-'));
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const run = spawnSync(
    process.execPath,
    [
      path.join(REPO, 'bin/audit-replay.mjs'),
      'generate',
      '--events',
      '1500',
      '--seed',
      '11',
      '--plant-divergences',
      '3',
      '--out',
      exportPath,
      '--key-out',
      path.join(dir, 'key.json'),
      '--trust-out',
      trustPath,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  expect(run.status, run.stderr).toBe(0);
  exportSha = sha(exportPath);
});

/** Everything a reopened cases folder must satisfy. */
async function checkCasesDir(casesDir: string): Promise<{ complete: number; partialsRemoved: number }> {
  const before = readdirSync(casesDir);
  const partials = before.filter((f) => f.includes('.partial.db'));
  const service = createAuditService({ casesDir });
  const listed = await service.listRecentCases();
  const after = readdirSync(casesDir);
  expect(
    after.filter((f) => f.includes('.partial.')),
    'leftover partial cases (stores or export copies) after reopening',
  ).toEqual([]);
  const stores = after.filter((f) => /^[^.]+\.db$/.test(f));
  // Each complete case has its export copy, byte for byte the export; no copy is left without its case.
  const copies = after.filter((f) => /^[^.]+\.export$/.test(f));
  expect(copies.map((f) => f.replace(/\.export$/, '.db')).sort(), 'export copies and stores pair up').toEqual([...stores].sort());
  for (const c of copies) expect(sha(path.join(casesDir, c)), c).toBe(exportSha);
  expect(
    listed
      .filter((c) => !c.interrupted)
      .map((c) => `${c.caseId}.db`)
      .sort(),
  ).toEqual(stores.sort());
  // Every ingest killed before it finished is marked as interrupted, naming its export.
  for (const c of listed.filter((r) => r.interrupted)) {
    expect(c.verdict).toBeNull();
    expect(c.exportPath).toBe(exportPath);
    expect(stores).not.toContain(`${c.caseId}.db`);
  }
  for (const store of stores) {
    const db = openReadable(path.join(casesDir, store));
    try {
      expect(db.pragma('integrity_check', { simple: true }), store).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      const meta = readCaseMeta(db);
      expect(meta.verdict, store).toBe('intact');
      expect(meta.exportSha256).toBe(exportSha);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(meta.events);
      expect(meta.replay, `${store}: replay stored with the case`).not.toBeNull();
    } finally {
      db.close();
    }
    const summary = await service.getCaseSummary(store.slice(0, -3));
    expect(summary.verdict).toBe('intact');
  }
  await service.close();
  return { complete: stores.length, partialsRemoved: partials.length };
}

describe('SIGKILL during ingest and replay', () => {
  it(`${KILL_POINTS} seeded kill points: each case complete or absent, stores intact, the export unchanged`, async () => {
    const rand = prng(SEED);
    const ingestDir = path.join(dir, 'cases-ingest');
    const serviceDir = path.join(dir, 'cases-service');
    mkdirSync(ingestDir);
    mkdirSync(serviceDir);

    // How long a whole ingest takes here, from "ready" to exit: the window the kill points fall in.
    const t0 = performance.now();
    const full = startChild('ingest', [ingestDir, '00000000-0000-4000-8000-000000000000', exportPath, trustPath, POLICIES]);
    await full.ready;
    const t1 = performance.now();
    const finished = await full.exited;
    expect(finished.out, finished.err).toContain('done');
    const window = performance.now() - t1;
    expect(t1 - t0).toBeGreaterThan(0);
    // The same without a policy folder: the difference is the replay phase, where every third kill point falls.
    mkdirSync(path.join(dir, 'cases-bare'));
    const bare = startChild('ingest', [path.join(dir, 'cases-bare'), '00000000-0000-4000-8000-00000000000b', exportPath, trustPath, '']);
    await bare.ready;
    const t2 = performance.now();
    expect((await bare.exited).out).toContain('done');
    const verifyPart = Math.min(performance.now() - t2, window * 0.9);

    const landed = { beforeOrDuring: 0, afterDone: 0, replayPhase: 0 };
    const kinds: string[] = [];
    for (let i = 0; i < KILL_POINTS; i += 2) {
      // Two at once, one of each kind, in separate folders.
      const runs = (['ingest', 'service'] as const).map((mode, k) => {
        const caseId = `00000000-0000-4000-8000-${String(i + k + 1).padStart(12, '0')}`;
        const child = mode === 'ingest' ? startChild('ingest', [ingestDir, caseId, exportPath, trustPath, POLICIES]) : startChild('service', [serviceDir, exportPath, trustPath, POLICIES]);
        // Every third ingest kill lands in the replay phase; the service child also starts a worker thread, so its window is longer.
        const inReplay = mode === 'ingest' && (i / 2) % 3 === 2;
        const delay = inReplay ? verifyPart + rand() * (window - verifyPart) : rand() * window * (mode === 'service' ? 1.5 : 1.1);
        if (inReplay) landed.replayPhase++;
        kinds.push(`${mode}@${Math.round(delay)}ms`);
        return (async () => {
          await child.ready;
          await sleep(delay);
          child.proc.kill('SIGKILL');
          const end = await child.exited;
          if (end.out.includes('done')) landed.afterDone++;
          else landed.beforeOrDuring++;
          expect(end.out).not.toMatch(/failed:/);
        })();
      });
      await Promise.all(runs);
    }
    const a = await checkCasesDir(ingestDir);
    const b = await checkCasesDir(serviceDir);
    expect(sha(exportPath)).toBe(exportSha);
    console.log(
      `kill points: ${KILL_POINTS} (seed ${SEED}), window ${Math.round(window)} ms (replay from ${Math.round(verifyPart)} ms), ${landed.replayPhase} aimed at replay; killed mid-work ${landed.beforeOrDuring}, after completion ${landed.afterDone}; ` +
        `complete cases ${a.complete + b.complete}, partial cases removed on reopening ${a.partialsRemoved + b.partialsRemoved}; points: ${kinds.join(' ')}`,
    );
    expect(landed.beforeOrDuring).toBeGreaterThan(KILL_POINTS / 3);
    expect(existsSync(exportPath)).toBe(true);
  }, 240_000); // 12 rounds of two killed ingests and two full ones: minutes on a loaded 2-core machine; a correctness test, never timed

  it('the ingest worker thread terminated at 8 seeded points (cancel): no half case, the service keeps working', async () => {
    const rand = prng(SEED + 1);
    const casesDir = path.join(dir, 'cases-worker');
    mkdirSync(casesDir);
    const service = createAuditService({ casesDir, workers: 1 });
    const phases: string[] = [];
    service.onProgress((p) => {
      if (p.phase !== 'ingest') phases.push(p.phase);
    });
    for (let i = 0; i < 8; i++) {
      const { jobId } = await service.openExport({ exportPath, trustPath, policiesPath: POLICIES });
      await sleep(rand() * 1200);
      await service.cancelJob(jobId);
    }
    // After all that, an ingest still completes.
    const { jobId } = await service.openExport({ exportPath, trustPath, policiesPath: POLICIES });
    await vi.waitFor(() => expect(phases[phases.length - 1]).toMatch(/done|failed/), { timeout: 60_000, interval: 100 });
    expect(phases[phases.length - 1]).toBe('done');
    void jobId;
    await service.close();
    const result = await checkCasesDir(casesDir);
    expect(result.complete).toBeGreaterThanOrEqual(1);
    console.log(`worker terminations: 8, cancelled mid-work ${phases.filter((p) => p === 'cancelled').length}, finished before the cancel ${phases.filter((p) => p === 'done').length - 1}`);
  });
});
