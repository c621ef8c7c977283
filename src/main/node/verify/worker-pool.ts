/**
 * A small pool of summarize workers. Results come back in submission order,
 * whatever order the workers finish in, so verification is deterministic for
 * any number of workers.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { LineBatch } from '../ingest/line-batches';
import { summarizeBatch, type BatchItem } from './summarize-batch';

export const DEFAULT_SUMMARIZE_WORKER = new URL('./summarize-worker.mjs', import.meta.url);

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

/**
 * With the native fast path the main thread's share (reading, the file's
 * SHA-256, the chain and Merkle tree) is as large as a worker's, so one core
 * is left to it: on two cores, main thread + one worker beats two workers
 * fighting the main thread for the cores (measured, docs/verification.md).
 */
export function nativeWorkerCount(): number {
  return Math.max(1, Math.min(4, (os.availableParallelism?.() ?? os.cpus().length) - 1));
}

export interface BatchRunner {
  /** Queue a batch; the returned promise resolves with its summaries. The batch's buffers may be handed to a worker: do not use them after. */
  run(batch: LineBatch): Promise<BatchItem[]>;
  /** Batches queued and not yet returned. */
  readonly inFlight: number;
  close(): Promise<void>;
}

export function inlineRunner(keepRaw: boolean, useNative = true): BatchRunner {
  return {
    inFlight: 0,
    run: async (batch) => summarizeBatch(batch, keepRaw, useNative),
    close: async () => {},
  };
}

export function workerRunner(count: number, keepRaw: boolean, workerUrl: URL | string = DEFAULT_SUMMARIZE_WORKER, useNative = true): BatchRunner {
  const workers = Array.from({ length: count }, () => new Worker(workerUrl));
  const waiting = new Map<number, { resolve: (s: BatchItem[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  for (const w of workers) {
    w.on('message', (msg: { id: number; summaries: BatchItem[] }) => {
      const entry = waiting.get(msg.id);
      waiting.delete(msg.id);
      entry?.resolve(msg.summaries);
    });
    w.on('error', (err) => {
      failure = err;
      for (const entry of waiting.values()) entry.reject(err);
      waiting.clear();
    });
  }
  return {
    get inFlight() {
      return waiting.size;
    },
    run(batch) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const worker = workers[id % workers.length];
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        // A large batch that fills its whole buffer (the reader's usual case) is handed over, not
        // copied; smaller ones may share Node's 8 KiB buffer pool or zlib's output buffer.
        const whole = batch.bytes.byteLength >= 64 * 1024 && batch.bytes.byteOffset === 0 && batch.bytes.byteLength === batch.bytes.buffer.byteLength;
        const bytes = whole ? batch.bytes : batch.bytes.slice();
        worker.postMessage({ id, batch: { ...batch, bytes }, keepRaw, useNative }, [bytes.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
