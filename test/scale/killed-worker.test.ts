/**
 * A worker SIGKILLed while it holds jobs: after the stall interval another
 * worker's stall check puts them back, and the run ends with the answer the
 * local command gives.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { cli } from '../support/run-cli';
import { tmpDir } from '../support/export-builder';
import { cliChild, startRedis, startWorker, stopChild, type RedisServer, type WorkerProcess } from './redis-harness';

let redis: RedisServer;
const started: WorkerProcess[] = [];
let dir: string;

beforeAll(async () => {
  dir = tmpDir();
  redis = await startRedis();
}, 120_000);

afterAll(async () => {
  await Promise.all(started.map((w) => w.stop()));
  await redis?.stop();
});

it("a SIGKILLed worker's jobs are taken over after the stall interval; the answer is the local one", async () => {
  const exportPath = path.join(dir, 'export.jsonl');
  const trustPath = path.join(dir, 'trust.json');
  const gen = await cli('generate', '--events', '20000', '--seed', 'killed', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath);
  expect(gen.code, gen.stderr).toBe(0);
  const local = await cli('verify', exportPath, '--trust', trustPath, '--json');

  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('audit-replay', { connection });
  const events = new QueueEvents('audit-replay', { connection: eventsConnection });
  const stalled: string[] = [];
  events.on('stalled', ({ jobId }) => stalled.push(jobId));
  await events.waitUntilReady();
  try {
    const doomed = await startWorker(redis.url, '--concurrency', '2', '--stall-ms', '1500');
    started.push(doomed);
    const run = cliChild('verify', exportPath, '--trust', trustPath, '--json', '--redis', redis.url, '--segment-bytes', '200000');
    // Killed as soon as it holds a job.
    for (let i = 0; (await queue.getActiveCount()) === 0; i++) {
      expect(i, 'the worker never took a job').toBeLessThan(6000);
      await new Promise((r) => setTimeout(r, 10));
    }
    await stopChild(doomed.child, 'SIGKILL');
    const held = await queue.getActiveCount();
    expect(held).toBeGreaterThan(0);
    started.push(await startWorker(redis.url, '--concurrency', '2', '--stall-ms', '1500'));
    const result = await run.done;
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(local.stdout);
    expect(result.code).toBe(local.code);
    expect(stalled.length).toBeGreaterThan(0);
  } finally {
    await events.close();
    await queue.close();
    connection.disconnect();
    eventsConnection.disconnect();
  }
}, 300_000);
