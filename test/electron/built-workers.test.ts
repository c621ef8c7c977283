/**
 * The Electron main bundle hands the service electron-vite's `?modulePath`
 * worker entries. Build it, and run a real ingest through those built workers
 * under plain Node (same worker_threads as Electron's main process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAuditService } from '../../src/main/node/service/audit-service';
import type { JobProgress } from '../../src/shared/api/audit-api';

const root = join(__dirname, '../..');
// Inside the project (so the bundle's external imports resolve from node_modules), git-ignored.
const work = join(root, 'tmp', `electron-built-workers-${process.pid}`);
const outDir = join(work, 'out');

beforeAll(() => {
  mkdirSync(work, { recursive: true });
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
  const generate = spawnSync(
    process.execPath,
    [join(root, 'bin/audit-replay.mjs'), 'generate', '--events', '200', '--seed', '7', '--out', join(work, 'e.jsonl'), '--key-out', join(work, 'k.json'), '--trust-out', join(work, 't.json')],
    { cwd: root, encoding: 'utf8' },
  );
  expect(generate.status, generate.stderr).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('the built main, preload and workers are where index.ts looks for them', () => {
  expect(existsSync(join(outDir, 'main/index.js'))).toBe(true);
  expect(existsSync(join(outDir, 'preload/index.cjs'))).toBe(true);
  const chunks = readdirSync(join(outDir, 'main/chunks'));
  expect(chunks.some((c) => c.startsWith('ingest-worker'))).toBe(true);
  expect(chunks.some((c) => c.startsWith('summarize-worker'))).toBe(true);
  expect(chunks.some((c) => c.startsWith('case-reader-worker'))).toBe(true);
});

it('ingests an export through the bundled workers', async () => {
  const chunks = readdirSync(join(outDir, 'main/chunks'));
  const chunk = (prefix: string) =>
    join(
      outDir,
      'main/chunks',
      chunks.find((c) => c.startsWith(prefix))!,
    );
  const service = createAuditService({
    casesDir: join(work, 'cases'),
    ingestWorkerUrl: chunk('ingest-worker'),
    summarizeWorkerUrl: chunk('summarize-worker'),
    readerWorkerUrl: chunk('case-reader-worker'),
  });
  try {
    const finished = new Promise<JobProgress>((resolve) =>
      service.onProgress((p) => {
        if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled') resolve(p);
      }),
    );
    await service.openExport({ exportPath: join(work, 'e.jsonl'), trustPath: join(work, 't.json') });
    const result = await finished;
    expect(result.error).toBeUndefined();
    expect(result.phase).toBe('done');
    const summary = await service.getCaseSummary(result.caseId!);
    expect(summary.events).toBe(200);
    expect(summary.verdict).toBe('intact');
  } finally {
    await service.close();
  }
});
