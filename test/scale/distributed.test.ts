/**
 * verify --redis and replay --redis against a real redis-server and real
 * worker processes: the same bytes and exit codes as the local commands on
 * clean and tampered exports, resubmission, a failing job, Redis down.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { cli } from '../core/run-cli';
import { tmpDir } from '../core/export-builder';
import { planSegments } from '../../src/main/node/scale/segments';
import { freePort, startRedis, startWorker, type RedisServer, type WorkerProcess } from './redis-harness';

const POLICIES = path.resolve(__dirname, '../../resources/sample/policies');
const SEGMENT = 400_000;

let redis: RedisServer;
let workers: WorkerProcess[] = [];
let dir: string;
let exportPath: string;
let trustPath: string;

beforeAll(async () => {
  dir = tmpDir();
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const gen = await cli('generate', '--events', '20000', '--seed', 'scale', '--checkpoint-every', '500', '--plant-divergences', '4', '--plant-conduct', '3', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath);
  expect(gen.code, gen.stderr).toBe(0);
  redis = await startRedis();
  workers = await Promise.all([startWorker(redis.url, '--concurrency', '2'), startWorker(redis.url, '--concurrency', '2')]);
}, 300_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
});

beforeEach(async () => {
  await redis.flush();
});

const verifyBoth = async (file: string, ...extra: string[]) => {
  const local = await cli('verify', file, ...extra);
  const distributed = await cli('verify', file, ...extra, '--redis', redis.url, '--segment-bytes', String(SEGMENT));
  return { local, distributed };
};

describe('verify --redis', () => {
  it('prints what verify prints, as JSON and as text, with the same exit code, on a clean export', async () => {
    for (const extra of [['--trust', trustPath, '--json'], ['--trust', trustPath], ['--json']]) {
      const { local, distributed } = await verifyBoth(exportPath, ...extra);
      expect(distributed.stderr).toBe('');
      expect(distributed.stdout).toBe(local.stdout);
      expect(distributed.code).toBe(local.code);
    }
    const json = JSON.parse((await cli('verify', exportPath, '--trust', trustPath, '--json', '--redis', redis.url, '--segment-bytes', String(SEGMENT))).stdout);
    expect(json.verdict).toBe('intact');
    expect(json.events).toBe(20000);
    expect((await planSegments(exportPath, SEGMENT))!.segments.length).toBeGreaterThan(10);
  }, 300_000);

  it('finds a tampering at a segment edge as verify does (an edited event, a deleted one, two swapped across the edge)', async () => {
    const plan = (await planSegments(exportPath, SEGMENT))!;
    // Byte offsets: the export holds non-ASCII text, so the cuts are made on bytes.
    const bytes = readFileSync(exportPath);
    const edge = plan.segments[3].start;
    const lineEnd = bytes.indexOf(0x0a, edge) + 1;
    const before = bytes.lastIndexOf(0x0a, edge - 2) + 1;
    const first = bytes.subarray(edge, lineEnd).toString('utf8');
    expect(first).toMatch(/^\{"actor".*"type":"event"\}\n$/);
    const cases: Record<string, Buffer> = {
      // The first line of segment 4, one character of its data changed.
      edited: Buffer.concat([bytes.subarray(0, edge), Buffer.from(first.replace('"data":{"', '"data":{"x')), bytes.subarray(lineEnd)]),
      // The last line of segment 3 removed.
      deleted: Buffer.concat([bytes.subarray(0, before), bytes.subarray(edge)]),
      // The lines either side of the edge swapped.
      swapped: Buffer.concat([bytes.subarray(0, before), bytes.subarray(edge, lineEnd), bytes.subarray(before, edge), bytes.subarray(lineEnd)]),
    };
    for (const [name, content] of Object.entries(cases)) {
      const file = path.join(dir, `tampered-${name}.jsonl`);
      writeFileSync(file, content);
      for (const extra of [['--trust', trustPath, '--json'], ['--trust', trustPath]]) {
        const { local, distributed } = await verifyBoth(file, ...extra);
        expect(local.code, name).toBe(1);
        expect(distributed.stdout, name).toBe(local.stdout);
        expect(distributed.code, name).toBe(local.code);
      }
    }
  }, 600_000);

  it('a resubmitted run reuses its jobs (the same ids) and answers the same', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new Queue('audit-replay', { connection });
    try {
      const first = await cli('verify', exportPath, '--trust', trustPath, '--json', '--redis', redis.url, '--segment-bytes', String(SEGMENT));
      const jobs = (await queue.getJobCounts('completed', 'failed', 'waiting', 'active')) as Record<string, number>;
      const again = await Promise.all([1, 2].map(() => cli('verify', exportPath, '--trust', trustPath, '--json', '--redis', redis.url, '--segment-bytes', String(SEGMENT))));
      const after = (await queue.getJobCounts('completed', 'failed', 'waiting', 'active')) as Record<string, number>;
      expect(first.code).toBe(0);
      for (const r of again) expect(r.stdout).toBe(first.stdout);
      expect(jobs.completed).toBe(2 * (await planSegments(exportPath, SEGMENT))!.segments.length);
      expect(after).toEqual(jobs);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  }, 300_000);

  it('a job that fails ends the run with a sentence naming its segment (exit 2), never a hang', async () => {
    const bytes = readFileSync(exportPath);
    const plan = (await planSegments(exportPath, SEGMENT))!;
    const at = plan.segments[5].start;
    // A line longer than the reader takes (16 MiB): its worker refuses it.
    const file = path.join(dir, 'giant-line.jsonl');
    writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from('x'.repeat(17 << 20) + '\n'), bytes.subarray(at)]));
    const r = await cli('verify', file, '--trust', trustPath, '--redis', redis.url, '--segment-bytes', String(SEGMENT));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^audit-replay verify: Segment 6 of \d+ \(bytes \d+–\d+\) failed on a worker: .*longer than 16 MiB.*\n$/);
    expect(r.stderr.split('\n').length).toBe(2);
  }, 300_000);

  it('says in one sentence that Redis cannot be reached (exit 2), for verify, replay and worker', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    for (const args of [['verify', exportPath, '--redis', url], ['replay', exportPath, '--policies', POLICIES, '--redis', url], ['worker', '--redis', url]]) {
      const r = await cli(...args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^audit-replay ${args[0]}: Redis at ${url} cannot be reached \\(.*ECONNREFUSED.*\\): start it, or give the right --redis URL\\n$`));
    }
  }, 120_000);
});

describe('replay --redis', () => {
  it('prints what replay prints (JSON with the same report SHA-256, and text), with the same exit code', async () => {
    for (const extra of [['--json'], [], ['--against', 'ap-policy@8', '--json']]) {
      const local = await cli('replay', exportPath, '--policies', POLICIES, ...extra);
      const distributed = await cli('replay', exportPath, '--policies', POLICIES, ...extra, '--redis', redis.url, '--chunk-bytes', '1000000');
      expect(distributed.stderr).toBe('');
      expect(distributed.stdout).toBe(local.stdout);
      expect(distributed.code).toBe(local.code);
    }
    const report = JSON.parse((await cli('replay', exportPath, '--policies', POLICIES, '--json', '--redis', redis.url, '--chunk-bytes', '1000000')).stdout);
    expect(report.decisions).toBeGreaterThan(5000);
    expect(report.diverged).toBeGreaterThan(0);
    expect(report.sequence_findings.length).toBeGreaterThan(0);
  }, 600_000);
});
