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
  /**
   * Enqueues the jobs (those already there are reused) and resolves with
   * their results in order. Rejects with one sentence when a job fails
   * (naming it), when Redis is lost for LOST_MS, or when no worker took a
   * job of the run for the wait timeout.
   */
  run<D, R>(jobs: readonly JobSpec<D>[]): Promise<R[]>;
  close(): Promise<void>;
}

export interface SubmitterOptions {
  /** How long a run may go without a worker starting or finishing one of its jobs while none holds one, ms. */
  waitTimeoutMs?: number;
}

/** `--wait-timeout`'s default, seconds: long enough for workers to be started or scaled up, short enough to be told. */
export const DEFAULT_WAIT_TIMEOUT_S = 120;

/** A connection to Redis down this long ends the run (ioredis reconnects meanwhile; a restart in that time goes unnoticed). */
export const LOST_MS = 5000;

const parse = <R>(value: unknown): R => (typeof value === 'string' ? (JSON.parse(value) as R) : (value as R));

/** Watches a connection: since when it has been down (null while ready) and the last error it met. */
function watchConnection(connection: Redis) {
  const state = { downSince: null as number | null, lastError: null as Error | null };
  connection.on('error', (err: Error) => (state.lastError = err));
  connection.on('close', () => (state.downSince ??= Date.now()));
  connection.on('ready', () => (state.downSince = null));
  return state;
}

export async function createSubmitter(url: string, options: SubmitterOptions = {}): Promise<Submitter> {
  await probeRedis(url);
  const waitTimeoutMs = options.waitTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_S * 1000;
  const connection = redisConnection(url);
  const eventsConnection = redisConnection(url);
  const watched = [watchConnection(connection), watchConnection(eventsConnection)];
  const queue = new Queue(QUEUE_NAME, { connection, defaultJobOptions: { attempts: 2, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } } });
  // Every job waited on listens for the queue closing.
  queue.setMaxListeners(0);
  queue.on('error', () => {});
  const events = new QueueEvents(QUEUE_NAME, { connection: eventsConnection });
  events.setMaxListeners(0);
  events.on('error', () => {});
  await events.waitUntilReady();
  let lost = false;

  /** Rejects when the run cannot finish: Redis lost, or no worker for the wait timeout. `held` holds the ids of the run's jobs a worker has. */
  function watchdog(ids: ReadonlySet<string>, held: Set<string>) {
    let lastProgress = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let checking = false;
    const onActive = ({ jobId }: { jobId: string }) => {
      if (!ids.has(jobId)) return;
      held.add(jobId);
      lastProgress = Date.now();
    };
    const onDone = ({ jobId }: { jobId: string }) => {
      if (!ids.has(jobId)) return;
      held.delete(jobId);
      lastProgress = Date.now();
    };
    events.on('active', onActive);
    events.on('completed', onDone);
    events.on('failed', onDone);
    const failed = new Promise<never>((_, reject) => {
      const tick = async () => {
        const down = watched.find((w) => w.downSince !== null && Date.now() - w.downSince >= LOST_MS);
        if (down) {
          lost = true;
          const why = down.lastError?.message || 'the connection closed';
          return reject(new InputError(`Redis at ${url} was lost during the run (${why}), so it was stopped: start Redis again and run the command again`));
        }
        if (!checking && Date.now() - lastProgress >= waitTimeoutMs && watched.every((w) => w.downSince === null)) {
          checking = true;
          try {
            // A job held by a worker that died stays active until a live worker's stall check frees it: with no worker left, it never is.
            const stuck = held.size === 0 || (await queue.getWorkersCount()) === 0;
            if (stuck && Date.now() - lastProgress >= waitTimeoutMs) {
              return reject(
                new InputError(
                  `No worker took a job of this run in ${Math.round(waitTimeoutMs / 1000)} s (queue ${QUEUE_NAME} on ${url}): start one with audit-replay worker --redis ${url}, or give a longer --wait-timeout`,
                ),
              );
            }
          } catch {
            // Redis did not answer: the lost check above decides.
          } finally {
            checking = false;
          }
        }
        timer = setTimeout(tick, Math.min(250, waitTimeoutMs / 4));
      };
      timer = setTimeout(tick, Math.min(250, waitTimeoutMs / 4));
    });
    failed.catch(() => {});
    return {
      failed,
      progress: () => (lastProgress = Date.now()),
      stop() {
        clearTimeout(timer);
        events.off('active', onActive);
        events.off('completed', onDone);
        events.off('failed', onDone);
      },
    };
  }

  return {
    async run<D, R>(jobs: readonly JobSpec<D>[]): Promise<R[]> {
      const held = new Set<string>();
      const watch = watchdog(new Set(jobs.map((j) => j.id)), held);
      const work = (async () => {
        const added: Job[] = await queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: { jobId: j.id } })));
        await Promise.all(
          added.map(async (job) => {
            const state = await job.getState();
            // A resubmitted run whose job failed before runs it again; finished ones are reused as they are.
            if (state === 'failed') await job.retry('failed');
            if (state === 'active') held.add(job.id!);
          }),
        );
        watch.progress();
        return Promise.all(
          added.map(async (job, i) => {
            try {
              return parse<R>(await job.waitUntilFinished(events));
            } catch (err) {
              throw new InputError(`${jobs[i].what} failed on a worker: ${(err as Error).message}`);
            }
          }),
        );
      })();
      work.catch(() => {});
      try {
        return await Promise.race([work, watch.failed]);
      } finally {
        watch.stop();
      }
    },
    async close() {
      if (lost) {
        // Closing politely would wait for a Redis that is gone.
        connection.disconnect();
        eventsConnection.disconnect();
        void events.close().catch(() => {});
        void queue.close().catch(() => {});
        return;
      }
      await events.close();
      await queue.close();
      // BullMQ leaves connections it was given open.
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}
