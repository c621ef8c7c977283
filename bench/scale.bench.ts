/**
 * Distributed verify and replay (BullMQ on a local redis-server, 2 worker
 * processes) against the local commands on the same generated exports
 * (200,000 and 1,000,000 events by default; BENCH_SCALE_EVENTS=200000 for
 * one size, BENCH_SCALE_REPLAY=0 to skip replay), cached under os.tmpdir().
 * Checks the answers are identical byte for byte, and prints time ratios, the
 * round-trip cost of one job, one segment's map work and replay's ordered pass
 * (the part that stays on the submitter), all measured in the same run.
 *
 *   npm run bench:scale
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveKey, writeExport } from '../src/main/node/generate/generate-export';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { replayExport } from '../src/main/node/replay/replay-service';
import { createSubmitter } from '../src/main/node/scale/queue';
import { countSegment, planSegments, verifySegment } from '../src/main/node/scale/segments';
import { DEFAULT_SEGMENT_BYTES } from '../src/main/node/scale/verify-run';
import type { JobData } from '../src/main/node/scale/worker';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/audit-replay.mjs');
const POLICIES = path.join(ROOT, 'resources/sample/policies');
const SIZES = (process.env.BENCH_SCALE_EVENTS ?? '200000,1000000').split(',').map(Number);
const REPLAY = process.env.BENCH_SCALE_REPLAY !== '0';
const dir = path.join(os.tmpdir(), 'audit-replay-bench-scale');
const key = deriveKey('bench');

async function exportOf(events: number): Promise<{ file: string; trust: string }> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `export-${events}.jsonl`);
  const trust = path.join(dir, 'trust.json');
  writeFileSync(trust, JSON.stringify({ keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] }));
  if (!existsSync(file)) {
    const t0 = performance.now();
    const decide = createCedarDecider(path.join(POLICIES, 'ap-policy-v7'));
    await writeExport(`${file}.partial`, { events, seed: 'bench', key, policy: decide.policy, decide, plantDivergences: 3 });
    renameSync(`${file}.partial`, file);
    const s = (performance.now() - t0) / 1000;
    console.log(`generated ${events} events in ${s.toFixed(1)} s (${Math.round(events / s)} events/s): ${file}`);
  }
  return { file, trust };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 })));
}

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for jobs')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

async function main() {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 500));
  const workers = [await startWorker(url), await startWorker(url)];
  try {
    // One job's round trip (enqueue, a worker takes it, its result back), on a job with almost nothing to do.
    const { file: small } = await exportOf(SIZES[0]);
    const plan = (await planSegments(small, DEFAULT_SEGMENT_BYTES))!;
    const ref = { path: small, size: plan.size, mtimeMs: plan.mtimeMs, start: plan.headerEnd, end: plan.headerEnd };
    const submitter = await createSubmitter(url);
    const N = 400;
    const t0 = performance.now();
    await submitter.run<JobData, unknown>(Array.from({ length: N }, (_, i) => ({ name: 'count', id: `bench-${Date.now()}-${i}`, data: { kind: 'count', ref }, what: `job ${i}` })));
    const perJobMs = (performance.now() - t0) / N;
    await submitter.close();
    console.log(`job round trip: ${perJobMs.toFixed(2)} ms per job (${N} empty count jobs, 2 workers, concurrency 1 each)`);

    for (const events of SIZES) {
      const { file, trust } = await exportOf(events);
      const bytes = statSync(file).size;
      const segments = (await planSegments(file, DEFAULT_SEGMENT_BYTES))!.segments.length;
      // One segment's map work as a worker does it (count, then verify), in this process.
      const segPlan = (await planSegments(file, DEFAULT_SEGMENT_BYTES))!;
      const seg = { path: file, size: segPlan.size, mtimeMs: segPlan.mtimeMs, ...segPlan.segments[0] };
      const s0 = performance.now();
      const counted = await countSegment(seg);
      const s1 = performance.now();
      await verifySegment(seg, 0);
      const s2 = performance.now();
      console.log(
        `one segment (${((seg.end - seg.start) / 2 ** 20).toFixed(1)} MiB, ${counted.events} events): count ${((s1 - s0) / 1000).toFixed(3)} s, verify ${((s2 - s1) / 1000).toFixed(3)} s ` +
          `(${Math.round(counted.events / ((s2 - s0) / 1000))} events/s per worker)`,
      );
      const local = await run(['verify', file, '--trust', trust, '--json']);
      const distributed = await run(['verify', file, '--trust', trust, '--json', '--redis', url]);
      if (distributed.stdout !== local.stdout || distributed.code !== local.code) throw new Error(`verify --redis differs from verify on ${file}: ${distributed.stderr}`);
      const again = await run(['verify', file, '--trust', trust, '--json', '--redis', url]);
      if (again.stdout !== local.stdout) throw new Error('a resubmitted run answered differently');
      const jobs = 2 * segments;
      console.log(
        `verify ${events} events (${(bytes / 2 ** 20).toFixed(0)} MiB, ${segments} segments, ${jobs} jobs): local ${local.seconds.toFixed(2)} s, ` +
          `2 workers ${distributed.seconds.toFixed(2)} s (${(distributed.seconds / local.seconds).toFixed(2)}x local), resubmitted ${again.seconds.toFixed(2)} s; ` +
          `job round trips ${((jobs * perJobMs) / 1000).toFixed(2)} s of it; identical output`,
      );
      if (!REPLAY) continue;
      // The part of replay --redis that does not fan out: the submitter's pass over every event in order (workflow and
      // conduct checks, projections, the report), here with every decision's result given as the chunks give them.
      const o0 = performance.now();
      const ordered = await replayExport({ exportPath: file, policies: POLICIES, workers: 1, precomputed: () => ({ pinned: { status: 'match' } }) });
      const orderedSeconds = (performance.now() - o0) / 1000;
      console.log(
        `replay's ordered pass (${ordered.report.events} events, every decision's result given), in this process: ${orderedSeconds.toFixed(2)} s ` +
          `(${Math.round(ordered.report.events / orderedSeconds)} events/s)`,
      );
      const localReplay = await run(['replay', file, '--policies', POLICIES, '--json']);
      const distReplay = await run(['replay', file, '--policies', POLICIES, '--json', '--redis', url]);
      if (distReplay.stdout !== localReplay.stdout || distReplay.code !== localReplay.code) throw new Error(`replay --redis differs from replay on ${file}: ${distReplay.stderr}`);
      const decisions = JSON.parse(localReplay.stdout).decisions as number;
      console.log(
        `replay ${events} events (${decisions} decisions, ${segments} chunks): local ${localReplay.seconds.toFixed(2)} s, 2 workers ${distReplay.seconds.toFixed(2)} s ` +
          `(${(distReplay.seconds / localReplay.seconds).toFixed(2)}x local); identical report (sha256 ${JSON.parse(localReplay.stdout).report_sha256.slice(0, 16)}…)`,
      );
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    redis.kill('SIGTERM');
  }
}

await main();
