/**
 * A full disk and a read-only cases folder: a clear sentence (describeError),
 * no half case, the cases already there intact, the export unchanged. Needs
 * root to mount small tmpfs file systems; skipped with a message otherwise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCase } from '../../src/main/node/ingest/ingest-case';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { describeError } from '../../src/main/node/errors/describe-error';
import { openReadable } from '../../src/main/node/store/case-store';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { REPO } from './child';

const root = mkdtempSync(path.join(os.tmpdir(), 'faults-disk-'));
const mounts: string[] = [];

function mount(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}

const isRoot = process.getuid?.() === 0;
const canMount = isRoot && mount(path.join(root, 'probe'), 'size=64k');
if (!canMount) console.warn(`Skipping the disk-full and read-only tests: ${isRoot ? 'mount -t tmpfs failed (no CAP_SYS_ADMIN in this container?)' : 'not running as root'}.`);

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
let bigExport: string;
let smallExport: string;
let trust: string;

beforeAll(() => {
  if (!canMount) return;
  const gen = (events: number, name: string) => {
    const out = path.join(root, name);
    const r = spawnSync(
      process.execPath,
      [
        path.join(REPO, 'bin/audit-replay.mjs'),
        'generate',
        '--events',
        String(events),
        '--seed',
        '3',
        '--out',
        out,
        '--key-out',
        path.join(root, `${name}.key`),
        '--trust-out',
        path.join(root, 'trust.json'),
      ],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return out;
  };
  bigExport = gen(6000, 'big.jsonl');
  smallExport = gen(50, 'small.jsonl');
  trust = path.join(root, 'trust.json');
});

afterAll(() => {
  for (const dir of mounts.reverse()) spawnSync('umount', ['-l', dir]);
  rmSync(root, { recursive: true, force: true });
});

async function waitJob(service: ReturnType<typeof createAuditService>, jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = service.onProgress((p) => {
      if (p.jobId === jobId && (p.phase === 'done' || p.phase === 'failed')) {
        off();
        resolve(p);
      }
    });
  });
}

describe.skipIf(!canMount)('a full disk', () => {
  it('ingest fails with "the disk … is full", leaves no half case, and the case already there stays intact', async () => {
    const casesDir = path.join(root, 'full');
    expect(mount(casesDir, 'size=2m')).toBe(true);
    const first = await ingestCase({ caseId: 'aaaaaaaa-0000-4000-8000-000000000001', casesDir, exportPath: smallExport, trustPath: trust, workers: 0 });
    const before = sha(first.file);
    const exportBefore = sha(bigExport);
    const err = await ingestCase({ caseId: 'aaaaaaaa-0000-4000-8000-000000000002', casesDir, exportPath: bigExport, trustPath: trust, workers: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(describeError(err, bigExport)).toMatch(/disk .*is full; nothing was saved/i);
    expect(readdirSync(casesDir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(sha(first.file)).toBe(before);
    const db = openReadable(first.file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    expect(sha(bigExport)).toBe(exportBefore);

    // The same through the service, as the window sees it.
    const service = createAuditService({ casesDir, workers: 0 });
    const { jobId } = await service.openExport({ exportPath: bigExport, trustPath: trust });
    const end = await waitJob(service, jobId);
    expect(end.phase).toBe('failed');
    expect(end.error).toMatch(/disk .*is full; nothing was saved/i);
    expect(end.error).not.toMatch(/\n\s+at /);
    expect((await service.listRecentCases()).map((c) => c.caseId)).toEqual(['aaaaaaaa-0000-4000-8000-000000000001']);
    await service.close();
    expect(readdirSync(casesDir).filter((f) => f.includes('partial'))).toEqual([]);
  });
});

describe.skipIf(!canMount)('read-only locations', () => {
  it('a read-only cases folder: ingest says so, nothing is written', async () => {
    const casesDir = path.join(root, 'ro');
    expect(mount(casesDir, 'ro,size=1m')).toBe(true);
    const err = await ingestCase({ caseId: 'bbbbbbbb-0000-4000-8000-000000000001', casesDir, exportPath: smallExport, trustPath: trust, workers: 0 }).catch((e: unknown) => e);
    expect(describeError(err, smallExport)).toMatch(/read-only/);
    expect(readdirSync(casesDir)).toEqual([]);
    const service = createAuditService({ casesDir, workers: 0 });
    const { jobId } = await service.openExport({ exportPath: smallExport, trustPath: trust });
    const end = await waitJob(service, jobId);
    expect(end.phase).toBe('failed');
    expect(end.error).toMatch(/read-only/);
    await service.close();
  });

  it('a case on a medium made read-only afterwards: reading it works or says so, and the store is not changed', async () => {
    const casesDir = path.join(root, 'remount');
    expect(mount(casesDir, 'size=4m')).toBe(true);
    const made = await ingestCase({ caseId: 'cccccccc-0000-4000-8000-000000000001', casesDir, exportPath: smallExport, trustPath: trust, workers: 0 });
    execFileSync('mount', ['-o', 'remount,ro', casesDir]);
    const before = sha(made.file);
    const service = createAuditService({ casesDir, workers: 0 });
    let summary: unknown;
    try {
      summary = await service.getCaseSummary('cccccccc-0000-4000-8000-000000000001');
    } catch (err) {
      summary = describeError(err);
    }
    if (typeof summary === 'string') expect(summary).toMatch(/read-only|cannot be opened/);
    else expect((summary as { verdict: string }).verdict).toBe('intact');
    await service.close();
    expect(sha(made.file)).toBe(before);
  });
});

function cliRun(...args: string[]): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/audit-replay.mjs'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr };
}

describe.skipIf(!canMount)('outputs on a full or read-only disk', () => {
  it('report --out on a full disk: exit 2, a sentence naming the file, the report already there unchanged, no partial file', () => {
    const out = path.join(root, 'full-out');
    expect(mount(out, 'size=16k')).toBe(true);
    const report = path.join(out, 'report.html');
    writeFileSync(report, 'the report made last week');
    const r = cliRun('report', bigExport, '--trust', trust, '--out', report);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/report\.html: cannot be written: the disk is full; nothing was written/);
    expect(r.stderr).not.toMatch(/internal error|ENOSPC/);
    expect(readFileSync(report, 'utf8')).toBe('the report made last week');
    expect(readdirSync(out)).toEqual(['report.html']);
    // The generator's export, the same way.
    const g = cliRun('generate', '--events', '2000', '--out', path.join(out, 'gen.jsonl'), '--key-out', path.join(out, 'gen.key'));
    expect(g.code).toBe(2);
    expect(g.stderr).toMatch(/gen\.jsonl: cannot be written: the disk is full; nothing was written/);
    expect(readdirSync(out)).toEqual(['report.html']);
  });

  it('export-events to a read-only folder: exit 2, "read-only", nothing written', () => {
    const out = path.join(root, 'ro-out');
    expect(mount(out, 'ro,size=16k')).toBe(true);
    const r = cliRun('export-events', smallExport, '--ocel', path.join(out, 'events.json'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/events\.json: cannot be written: the location is read-only; nothing was written/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('the desktop report on a full disk: the sentence, and no partial file', async () => {
    const casesDir = path.join(root, 'report-cases');
    const service = createAuditService({ casesDir, workers: 0 });
    const { jobId } = await service.openExport({ exportPath: bigExport, trustPath: trust });
    const done = await waitJob(service, jobId);
    expect(done.phase, done.error).toBe('done');
    const out = path.join(root, 'report-full');
    expect(mount(out, 'size=16k')).toBe(true);
    const err = await service.exportReport(done.caseId!, 'html', path.join(out, 'case.html')).catch((e: unknown) => e);
    expect(describeError(err)).toMatch(/case\.html: cannot be written: the disk is full; nothing was written/);
    expect(readdirSync(out)).toEqual([]);
    await service.close();
  });
});
