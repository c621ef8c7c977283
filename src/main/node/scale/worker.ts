/**
 * A BullMQ worker for distributed runs: takes jobs off the queue and does
 * them where the export is reachable (a shared volume; object storage on
 * paper), answering with small summaries. A worker that dies holding a job
 * stops renewing its lock; after the stall interval another worker's stall
 * check puts the job back and someone does it again.
 */
import { Worker, type Job } from 'bullmq';
import { describeError } from '../errors/describe-error';
import { LOST_MS, QUEUE_NAME, probeRedis, redisConnection } from './queue';
import { countSegment, verifySegment, type SegmentRef } from './segments';
import { replayChunk, type ReplayChunkJob } from './replay-chunks';

export interface WorkerOptions {
  redis: string;
  concurrency?: number;
  /** Lock duration and stall check interval, ms (BullMQ's default is 30 s). */
  stallMs?: number;
  onJob?: (job: Job) => void;
}

export type JobData = { kind: 'count'; ref: SegmentRef } | { kind: 'segment'; ref: SegmentRef; startIndex: number } | { kind: 'replay'; chunk: ReplayChunkJob };

async function process(job: Job<JobData>): Promise<string> {
  const data = job.data;
  try {
    switch (data.kind) {
      case 'count':
        return JSON.stringify(await countSegment(data.ref));
      case 'segment':
        return JSON.stringify(await verifySegment(data.ref, data.startIndex));
      case 'replay':
        return JSON.stringify(await replayChunk(data.chunk));
    }
  } catch (err) {
    // The failure reason is what the submitter shows: one sentence, never a stack.
    throw new Error(describeError(err));
  }
}

export async function startWorker(options: WorkerOptions): Promise<{ worker: Worker; close: () => Promise<void> }> {
  await probeRedis(options.redis);
  const stallMs = options.stallMs ?? 30_000;
  const connection = redisConnection(options.redis);
  connection.on('error', () => {});
  const worker = new Worker<JobData, string>(
    QUEUE_NAME,
    async (job) => {
      options.onJob?.(job);
      return process(job);
    },
    { connection, concurrency: options.concurrency ?? 1, lockDuration: stallMs, stalledInterval: stallMs, maxStalledCount: 2 },
  );
  worker.on('error', () => {});
  await worker.waitUntilReady();
  let downSince: number | null = null;
  connection.on('close', () => (downSince ??= Date.now()));
  connection.on('ready', () => (downSince = null));
  return {
    worker,
    close: async () => {
      // Jobs in hand are finished first, unless Redis is gone: then nothing they answer can be stored, and their runs
      // see Redis lost, so the worker lets go at once (their jobs are taken over by the stall check once Redis is back).
      const gone = new Promise<void>((resolve) => {
        const check = () => (downSince !== null && Date.now() - downSince >= LOST_MS ? resolve() : setTimeout(check, 100).unref());
        check();
      });
      await Promise.race([worker.pause(), gone]);
      // Forced: no jobs are left in hand (or none can be handed back), and a polite QUIT would wait for a Redis that is gone.
      await worker.close(true);
      connection.disconnect();
    },
  };
}
