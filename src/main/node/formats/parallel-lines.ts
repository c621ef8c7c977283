/**
 * A JSON Lines reader's per-line job (line-jobs.ts) run on the hash workers,
 * results in file order: the reader keeps only what depends on order (the
 * chain, positions, findings). Same bounds and errors as readLines, whose
 * batches these are.
 */
import { stat } from 'node:fs/promises';
import { lineBatches } from '../read/line-batches';
import { defaultWorkerCount, inFileOrder, inlineRunner, workerRunner } from '../read/worker-pool';
import { runLineJob, type LineJob, type LineResult } from './line-jobs';
import { DEFAULT_SUMMARIZE_WORKER } from './batch-task';
import type { VerifyFileOptions } from './reader';

/** Below this size a log is read on the calling thread. */
export const SMALL_FILE = 8 * 1024 * 1024;

export async function* lineJobResults(o: VerifyFileOptions, job: LineJob, onBytes: (bytesRead: number) => void): AsyncGenerator<LineResult> {
  let read = 0;
  const batches = lineBatches(o.path, { signal: o.signal, onRawChunk: (chunk) => (read += chunk.length) });
  // Starting worker threads costs more than a small file's hashing.
  const workers = o.workers ?? ((await stat(o.path)).size < SMALL_FILE ? 0 : defaultWorkerCount());
  const task = { kind: 'lines', job, keep: Boolean(o.onEvent) } as const;
  const runner = workers > 0 ? workerRunner<LineResult>(workers, task, o.workerUrl ?? DEFAULT_SUMMARIZE_WORKER) : inlineRunner((batch) => runLineJob(job, batch, task.keep));
  try {
    for await (const results of inFileOrder(batches, runner, Math.max(2, workers * 2))) {
      yield* results;
      onBytes(read);
    }
  } finally {
    await runner.close();
  }
}
