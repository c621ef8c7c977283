/**
 * Runs that cannot finish end with one sentence and exit 2, never a hang:
 * Redis killed while a run waits on its jobs, a run no worker picks up
 * (--wait-timeout), a run whose only worker was SIGKILLed holding its jobs.
 * And a wait timeout shorter than the run does not end a run whose worker
 * is working.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { cli } from '../support/run-cli';
import { tmpDir } from '../support/export-builder';
import { cliChild, startRedis, startWorker, stopChild, type RedisServer, type WorkerProcess } from './redis-harness';

const POLICIES = path.resolve(__dirname, '../../resources/sample/policies');

let dir: string;
let exportPath: string;
let trustPath: string;
const servers: RedisServer[] = [];
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  dir = tmpDir();
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const gen = await cli('generate', '--events', '20000', '--seed', 'stuck', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath);
  expect(gen.code, gen.stderr).toBe(0);
}, 300_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function redis(): Promise<RedisServer> {
  const r = await startRedis();
  servers.push(r);
  return r;
}

/** Resolves once the queue holds at least one job of the run in `state`. */
async function until(url: string, state: 'waiting' | 'active'): Promise<void> {
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue('audit-replay', { connection });
  try {
    while ((await queue.getJobCountByTypes(state)) === 0) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

const oneSentence = (stderr: string) => expect(stderr.split('\n').filter(Boolean), stderr).toHaveLength(1);

/** The run ended with exit 2, nothing on stdout, and Redis lost in one sentence. */
function expectLost(result: { code: number | null; stdout: string; stderr: string }, command: string, url: string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(new RegExp(`^audit-replay ${command}: Redis at ${url} was lost during the run \\(.*\\), so it was stopped: start Redis again and run the command again\\n$`));
  oneSentence(result.stderr);
}

it('Redis killed while verify --redis waits on its jobs: exit 2 and a sentence saying Redis was lost', async () => {
  const r = await redis();
  const run = cliChild('verify', exportPath, '--trust', trustPath, '--redis', r.url, '--segment-bytes', '200000', '--wait-timeout', '3600');
  await until(r.url, 'waiting');
  await r.kill();
  expectLost(await run.done, 'verify', r.url);
}, 120_000);

it('Redis killed while a worker is doing replay --redis jobs: exit 2 and the same sentence; the worker still stops on SIGTERM', async () => {
  const r = await redis();
  const worker = await startWorker(r.url, '--concurrency', '1');
  workers.push(worker);
  const run = cliChild('replay', exportPath, '--policies', POLICIES, '--redis', r.url, '--chunk-bytes', '200000', '--wait-timeout', '3600');
  await until(r.url, 'active');
  await r.kill();
  expectLost(await run.done, 'replay', r.url);
  const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
  worker.child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 120_000);

it('no worker at all: verify and replay give up after --wait-timeout with a sentence naming the queue and Redis', async () => {
  const r = await redis();
  for (const args of [
    ['verify', exportPath, '--trust', trustPath, '--segment-bytes', '200000'],
    ['replay', exportPath, '--policies', POLICIES, '--chunk-bytes', '200000'],
  ]) {
    const result = await cli(...args, '--redis', r.url, '--wait-timeout', '2');
    expect(result.code, args[0]).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^audit-replay ${args[0]}: No worker took a job of this run in 2 s \\(queue audit-replay on ${r.url}\\): start one with audit-replay worker --redis ${r.url}, or give a longer --wait-timeout\\n$`,
      ),
    );
    oneSentence(result.stderr);
  }
}, 120_000);

it('the only worker SIGKILLed holding jobs: the run gives up after --wait-timeout instead of waiting for a stall check nobody runs', async () => {
  const r = await redis();
  const doomed = await startWorker(r.url, '--concurrency', '1', '--stall-ms', '1000');
  const run = cliChild('verify', exportPath, '--trust', trustPath, '--redis', r.url, '--segment-bytes', '200000', '--wait-timeout', '3');
  await until(r.url, 'active');
  await stopChild(doomed.child, 'SIGKILL');
  const result = await run.done;
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/^audit-replay verify: No worker took a job of this run in 3 s \(queue audit-replay on redis:\/\/127\.0\.0\.1:\d+\)/);
  oneSentence(result.stderr);
}, 120_000);

it('a wait timeout shorter than the run does not end a run whose worker keeps taking its jobs', async () => {
  const r = await redis();
  workers.push(await startWorker(r.url, '--concurrency', '1'));
  const local = await cli('replay', exportPath, '--policies', POLICIES, '--json');
  const started = Date.now();
  // One chunk: its replay job holds the worker for seconds with no job of the run started or finished meanwhile.
  const result = await cli('replay', exportPath, '--policies', POLICIES, '--json', '--redis', r.url, '--chunk-bytes', String(1 << 30), '--wait-timeout', '1');
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe(local.stdout);
  // Not a speed assertion: the case only means something when the run outlasts the timeout.
  expect(Date.now() - started, 'the run was shorter than its wait timeout').toBeGreaterThan(1000);
}, 180_000);
