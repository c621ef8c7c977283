/**
 * A small pool of hash workers (formats/summarize-worker runs the tasks). Results come back in
 * submission order, whatever order the workers finish in, so verification is
 * deterministic for any number of workers.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import type { LineBatch, LineStreamResult } from './line-batches';

const cores = (): number => os.availableParallelism?.() ?? os.cpus().length;

export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, cores()));
}

/**
 * With the native fast path the main thread's share (reading, the file's
 * SHA-256, the chain and Merkle tree) is as large as a worker's, so one core
 * is left to it: on two cores, main thread + one worker beats two workers
 * fighting the main thread for the cores (measured, docs/verification.md).
 */
export function nativeWorkerCount(): number {
  return Math.max(1, Math.min(4, cores() - 1));
}

export interface BatchRunner<R> {
  /** Queue a batch; the returned promise resolves with its results. The batch's buffers may be handed to a worker: do not use them after. */
  run(batch: LineBatch): Promise<R[]>;
  /** Batches queued and not yet returned. */
  readonly inFlight: number;
  close(): Promise<void>;
}

/** The same work on the calling thread, for small files and no-worker runs. */
export function inlineRunner<R>(work: (batch: LineBatch) => R[]): BatchRunner<R> {
  return {
    inFlight: 0,
    run: async (batch) => work(batch),
    close: async () => {},
  };
}

/** `task` is posted with every batch; the worker at `workerUrl` (formats/summarize-worker) says what it means. */
export function workerRunner<R>(count: number, task: unknown, workerUrl: URL | string): BatchRunner<R> {
  const workers = Array.from({ length: count }, () => new Worker(workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 64 } }));
  const waiting = new Map<number, { resolve: (s: R[]) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  for (const w of workers) {
    w.on('message', (msg: { id: number; results: R[] }) => {
      const entry = waiting.get(msg.id);
      waiting.delete(msg.id);
      entry?.resolve(msg.results);
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
        worker.postMessage({ id, batch: { ...batch, bytes }, task }, [bytes.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/**
 * Sends each batch to the runner as it is read, keeping up to `depth` in
 * flight, and yields their results in file order. Returns what the reader
 * returns (line count, last line terminated). Stopping early closes the file.
 */
export async function* inFileOrder<R>(batches: AsyncGenerator<LineBatch, LineStreamResult, void>, runner: BatchRunner<R>, depth: number): AsyncGenerator<R[], LineStreamResult, void> {
  const queue: Promise<R[]>[] = [];
  let done = false;
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) {
        done = true;
        while (queue.length) yield await queue.shift()!;
        return next.value;
      }
      const pending = runner.run(next.value);
      // Awaited in order below; until then a failure must not count as unhandled.
      pending.catch(() => {});
      queue.push(pending);
      while (queue.length > depth) yield await queue.shift()!;
    }
  } finally {
    if (!done) await batches.return(undefined as never);
  }
}
