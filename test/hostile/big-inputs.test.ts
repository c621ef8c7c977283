/**
 * The big hostile inputs, each run in a child process so that a crash, a hang
 * or a runaway allocation fails the test, not the test runner: a 100 MB line,
 * gzip bombs (about 10 MB inflating to 10 GiB), a million tiny lines and
 * nesting 100,000 deep. Bounds are generous (CI machines are slow and share
 * cores); they are there to catch the unbounded, not to benchmark.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepNesting, gzipBomb, HEADER, hugeLineExport, millionTinyLines } from './big-inputs';
import type { ProbeResult } from './probe';
import { FloodWriter } from './floods';
import { deriveKey } from '../../src/main/node/generate/generate-export';

const REPO = path.resolve(import.meta.dirname, '../..');
const RSS_LIMIT_MIB = 1024;
/** HOSTILE_FULL=1 runs every door on every big input; by default the slow combinations are left to that run. */
const FULL = process.env.HOSTILE_FULL === '1';
const TIME_LIMIT_MS = 60_000;

function probe(mode: string, file: string, timeoutMs = TIME_LIMIT_MS, trust?: string): Promise<ProbeResult & { exit: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), path.join(REPO, 'test/hostile/probe.ts'), mode, file, ...(trust ? [trust] : [])], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let parsed: ProbeResult = { ok: false, ms: timeoutMs, maxRssMiB: -1, error: `no result (exit ${code}, signal ${signal}): ${err.slice(0, 500)}` };
      try {
        parsed = JSON.parse(out.trim().split('\n').pop() ?? '') as ProbeResult;
      } catch {
        /* keep the failure above */
      }
      resolve({ ...parsed, exit: code, signal, stderr: err });
    });
  });
}

function bounded(r: Awaited<ReturnType<typeof probe>>, rssMiB = RSS_LIMIT_MIB): void {
  expect(r.signal, `killed after ${TIME_LIMIT_MS} ms (a hang) or crashed: ${r.stderr.slice(0, 300)}`).toBeNull();
  expect(r.exit, r.stderr.slice(0, 500)).toBe(0);
  expect(r.maxRssMiB, 'peak RSS (MiB)').toBeLessThan(rssMiB);
  expect(r.maxRssMiB).toBeGreaterThan(0);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-big-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a 100 MB line', () => {
  let file: string;
  beforeAll(() => {
    file = hugeLineExport(dir, 100);
  });
  it('verify (inline and on workers) and ingest stop at line 2 with a sentence, under 1 GiB', async () => {
    for (const mode of FULL ? ['verify', 'verify-workers', 'ingest'] : ['verify-workers', 'ingest']) {
      const r = await probe(mode, file);
      bounded(r);
      expect(r.ok).toBe(false);
      expect(r.error).toContain(file);
      expect(r.errorLine).toBe(2);
      expect(r.error).toMatch(/longer than 16 MiB/);
      if (mode === 'ingest') expect(r.leftovers).toEqual([]);
    }
  });
  it('replay reads past it (an unreadable line), under 1 GiB', async () => {
    const r = await probe('replay', file);
    bounded(r);
  });
});

describe('gzip bombs: about 10 MB inflating to 10 GiB', () => {
  it('of newlines after a valid header: stopped by the ratio guard, naming the file', async () => {
    const bomb = gzipBomb(dir, 'bomb-newlines.jsonl.gz', '\n', 640, 16, HEADER);
    expect(statSync(bomb).size).toBeGreaterThan(9_000_000);
    // Inline (ingest uses workers: 0) the megabyte of empty lines inflated before the guard costs ~20 s of findings: see docs/security.md.
    for (const mode of FULL ? ['verify-workers', 'verify', 'ingest'] : ['verify-workers']) {
      const r = await probe(mode, bomb);
      bounded(r);
      expect(r.error).toMatch(/decompression bomb/);
      expect(r.error).toContain(bomb);
    }
  });
  it('of zeros after a valid header (one endless line): stopped within the first 16 MiB', async () => {
    const bomb = gzipBomb(dir, 'bomb-zeros.jsonl.gz', '0', 640, 16, HEADER);
    for (const mode of FULL ? ['verify', 'ingest'] : ['ingest']) {
      const r = await probe(mode, bomb);
      bounded(r);
      expect(r.error).toMatch(/decompression bomb|longer than 16 MiB/);
    }
  });
  it('of zeros with no header: detection refuses it', async () => {
    const r = await probe('verify', gzipBomb(dir, 'bomb-plain.jsonl.gz', '0'));
    bounded(r);
    expect(r.error).toMatch(/not in a format/);
  });
  // Replay reads exports through src/main/node/replay/export-events.ts, which
  // once gunzipped without a bound and split lines with readline (the process
  // died of "Invalid string length"); it now reads through the same bounded
  // line reader as verification.
  it('replay of a gzip bomb ends in a sentence, not a crash', async () => {
    const r = await probe('replay', gzipBomb(dir, 'bomb-replay.jsonl.gz', '0', 640, 16, HEADER), 40_000);
    bounded(r);
    expect(r.error).toMatch(/bomb|longer/);
  });
});

describe('a million tiny lines', () => {
  it('counted, the first 1,000 listed as malformed-line findings and one finding for the rest; verified and ingested under 1 GiB', async () => {
    const file = millionTinyLines(dir);
    for (const mode of FULL ? ['verify', 'verify-workers', 'ingest'] : ['verify']) {
      const r = await probe(mode, file);
      bounded(r);
      expect(r.ok).toBe(true);
      expect(r.verdict).toBe('tampered');
      // MAX_LINE_FINDINGS listed, one summary, and the file-level findings (truncated, unanchored): bounded.
      expect(r.findings).toBeGreaterThanOrEqual(1001);
      expect(r.findings).toBeLessThanOrEqual(1010);
    }
  });
});

// Floods of findings other than unreadable lines: every kind is listed up to 1,000 and counted beyond
// (FindingCollector), and blank lines fold into one summary per run. Memory figures are the bench's
// (bench/floods.bench.ts); here, what comes out.
describe('floods of findings', () => {
  it('500,000 events stepping back in time: 1,000 ts-regression findings listed, the other 498,999 counted; intact', async () => {
    const write = new FloodWriter(deriveKey('hostile-floods'));
    const file = write.events(path.join(dir, 'ts-back-500k.jsonl'), 500_000, { tsStep: -1 });
    const trust = path.join(dir, 'ts-back-trust.json');
    writeFileSync(trust, JSON.stringify(write.trust()));
    const r = await probe('verify-workers', file, TIME_LIMIT_MS, trust);
    expect(r.signal, r.stderr.slice(0, 300)).toBeNull();
    expect(r.ok, r.error).toBe(true);
    expect(r.verdict).toBe('intact');
    expect(r.events).toBe(500_000);
    expect(r.findings).toBe(1001);
    expect(r.folded).toEqual({ 'ts-regression': 498_999 });
    expect(r.firstFindings?.[0]).toMatchObject({ kind: 'ts-regression', line: 3 });
  });

  it('a million blank lines after a valid header: the first 1,000 listed, the other 999,000 counted', async () => {
    const r = await probe('verify-workers', millionTinyLines(dir, 1_000_000, ''));
    expect(r.signal, r.stderr.slice(0, 300)).toBeNull();
    expect(r.ok, r.error).toBe(true);
    expect(r.verdict).toBe('tampered');
    expect(r.folded).toEqual({ 'malformed-line': 999_000 });
    expect(r.firstFindings?.[0]).toMatchObject({ kind: 'malformed-line', line: 2, message: 'Line 2 cannot be read: the line is empty.' });
  });
});

describe('nesting 100,000 deep', () => {
  it('arrays and objects: a malformed-line finding at line 2, no stack overflow', async () => {
    for (const kind of ['array', 'object'] as const) {
      const file = deepNesting(dir, 100_000, kind);
      for (const mode of FULL ? ['verify', 'verify-workers', 'ingest', 'replay'] : kind === 'array' ? ['verify-workers', 'ingest'] : ['verify']) {
        const r = await probe(mode, file);
        bounded(r);
        if (mode === 'replay') continue;
        expect(r.ok, r.error).toBe(true);
        expect(r.firstFindings?.some((f) => f.kind === 'malformed-line' && f.line === 2 && /deeper than/.test(f.message)) ?? mode === 'ingest').toBe(true);
      }
    }
  });
});
