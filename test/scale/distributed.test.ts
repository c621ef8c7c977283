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
import { cli } from '../support/run-cli';
import { tmpDir } from '../support/export-builder';
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
  const gen = await cli(
    'generate',
    '--events',
    '20000',
    '--seed',
    'scale',
    '--checkpoint-every',
    '500',
    '--plant-divergences',
    '4',
    '--plant-conduct',
    '3',
    '--out',
    exportPath,
    '--key-out',
    path.join(dir, 'key.json'),
    '--trust-out',
    trustPath,
  );
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
      for (const extra of [
        ['--trust', trustPath, '--json'],
        ['--trust', trustPath],
      ]) {
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
    for (const args of [
      ['verify', exportPath, '--redis', url],
      ['replay', exportPath, '--policies', POLICIES, '--redis', url],
      ['worker', '--redis', url],
    ]) {
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

describe('replay --redis: conduct checks', () => {
  /** Line number (1-based) of each event's seq. */
  const linesBySeq = (bytes: Buffer) => {
    const out = new Map<number, number>();
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((l, i) => {
        const m = /"seq":(\d+),/.exec(l);
        if (m && l.endsWith('"type":"event"}')) out.set(Number(m[1]), i + 1);
      });
    return out;
  };

  it('a request whose events straddle a chunk edge: the same conduct findings and report bytes as replay', async () => {
    const local = await cli('replay', exportPath, '--policies', POLICIES, '--json');
    const report = JSON.parse(local.stdout);
    const kinds = new Set(report.sequence_findings.map((f: { kind: string }) => f.kind));
    // The planted conduct findings (besides the workflow ones): what the edge must not lose.
    for (const kind of ['executed-differs', 'projection-not-admissible', 'self-approval']) expect(kinds, kind).toContain(kind);
    const bytes = readFileSync(exportPath);
    const lineOf = linesBySeq(bytes);
    const plan = (await planSegments(exportPath, 1 << 30))!;
    const text = await cli('replay', exportPath, '--policies', POLICIES);
    for (const kind of ['executed-differs', 'projection-not-admissible', 'self-approval']) {
      const finding = report.sequence_findings.find((f: { kind: string }) => f.kind === kind) as { seq: number; related_seqs: number[] };
      const before = lineOf.get(Math.min(...finding.related_seqs))!;
      const after = lineOf.get(finding.seq)!;
      expect(after, kind).toBeGreaterThan(before);
      // Chunk bytes that end the first chunk just after the request's earlier line: its events are read by two workers.
      let edge = 0;
      for (let l = 0; l < before; l++) edge = bytes.indexOf(0x0a, edge) + 1;
      const chunkBytes = edge - plan.headerEnd;
      const cut = (await planSegments(exportPath, chunkBytes))!;
      expect(cut.segments[0].end, kind).toBe(edge);
      expect(cut.segments.length, kind).toBeGreaterThan(1);
      for (const extra of [['--json'], []]) {
        const distributed = await cli('replay', exportPath, '--policies', POLICIES, ...extra, '--redis', redis.url, '--chunk-bytes', String(chunkBytes));
        expect(distributed.stderr, kind).toBe('');
        expect(distributed.stdout, kind).toBe(extra.length ? local.stdout : text.stdout);
        expect(distributed.code, kind).toBe(local.code);
      }
    }
  }, 900_000);
});
