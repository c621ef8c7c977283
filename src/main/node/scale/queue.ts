/**
 * The BullMQ plumbing shared by workers and the commands that submit runs:
 * one queue, jobs named by what they do, ids derived from the run (so the
 * same run submitted twice is the same jobs), and Redis reached or refused
 * in one sentence. Jobs carry where the bytes are, never the bytes; results
 * are small summaries.
 */
import { createHash } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InputError } from '../errors/errors';

export const QUEUE_NAME = 'audit-replay';

/** Finished jobs stay this long, so a resubmitted run finds its results instead of redoing them. */
const KEEP_SECONDS = 3600;

/** A Redis connection as BullMQ wants it (it retries requests itself). */
export function redisConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** Connects once, without retrying: Redis is there, or a sentence says it is not. */
export async function probeRedis(url: string): Promise<void> {
  let probe: Redis;
  try {
    probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000, enableOfflineQueue: false });
  } catch (err) {
    throw new InputError(`--redis ${url} is not a Redis URL (${(err as Error).message})`);
  }
  // The first connection error says why (ECONNREFUSED, ENOTFOUND); what connect() rejects with only says it closed.
  let first: Error | null = null;
  probe.on('error', (err: Error) => (first ??= err));
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new InputError(`Redis at ${url} cannot be reached (${(first ?? (err as Error)).message || 'no answer'}): start it, or give the right --redis URL`);
  } finally {
    probe.disconnect();
  }
}

/** A stable id for one run's jobs: the same file, options and inputs give the same id. */
export function runId(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

export interface JobSpec<D> {
  name: string;
  id: string;
  data: D;
  /** How a failure of this job is named to the user ("segment 3 of 12 (bytes …)"). */
  what: string;
}

export interface Submitter {
  /** Enqueues the jobs (those already there are reused) and resolves with their results in order; the first failure rejects with a sentence naming its job. */
  run<D, R>(jobs: readonly JobSpec<D>[]): Promise<R[]>;
  close(): Promise<void>;
}

const parse = <R>(value: unknown): R => (typeof value === 'string' ? (JSON.parse(value) as R) : (value as R));

export async function createSubmitter(url: string): Promise<Submitter> {
  await probeRedis(url);
  const connection = redisConnection(url);
  connection.on('error', () => {});
  const eventsConnection = redisConnection(url);
  eventsConnection.on('error', () => {});
  const queue = new Queue(QUEUE_NAME, { connection, defaultJobOptions: { attempts: 2, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } } });
  // Every job waited on listens for the queue closing.
  queue.setMaxListeners(0);
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
  events.setMaxListeners(0);
  await events.waitUntilReady();
  return {
    async run<D, R>(jobs: readonly JobSpec<D>[]): Promise<R[]> {
      const added: Job[] = await queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.id } })));
      // A resubmitted run whose job failed before runs it again; finished ones are reused as they are.
      await Promise.all(added.map(async (job) => ((await job.getState()) === 'failed' ? job.retry('failed') : undefined)));
      return Promise.all(
        added.map(async (job, i) => {
          try {
            return parse<R>(await job.waitUntilFinished(events));
          } catch (err) {
            throw new InputError(`${jobs[i].what} failed on a worker: ${(err as Error).message}`);
          }
        }),
      );
    },
    async close() {
      await events.close();
      await queue.close();
      // BullMQ leaves connections it was given open.
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}
