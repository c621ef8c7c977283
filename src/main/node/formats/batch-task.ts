/**
 * What the hash workers do with a batch of lines: summarize audit-export/1
 * lines for the chain verifier, or run a JSON Lines reader's per-line job.
 * The same function runs inline when there are no workers.
 */
import type { LineBatch } from '../read/line-batches';
import { runLineJob, type LineJob, type LineResult } from './line-jobs';
import { summarizeBatch, type BatchItem } from './summarize-batch';
import { indexBatch, type IndexedEvent } from './index-batch';

/** The hash worker's entry under plain Node; the Electron build passes its bundled one. */
export const DEFAULT_SUMMARIZE_WORKER = new URL('./summarize-worker.mjs', import.meta.url);

export type BatchTask = { kind: 'summarize'; keepRaw: boolean; useNative: boolean } | { kind: 'lines'; job: LineJob; keep: boolean } | { kind: 'index' };

export type TaskResult<T extends BatchTask> = T extends { kind: 'summarize' } ? BatchItem : T extends { kind: 'index' } ? IndexedEvent : LineResult;

export function runBatchTask(task: BatchTask, batch: LineBatch): BatchItem[] | LineResult[] | IndexedEvent[] {
  if (task.kind === 'index') return indexBatch(batch);
  return task.kind === 'summarize' ? summarizeBatch(batch, task.keepRaw, task.useNative) : runLineJob(task.job, batch, task.keep);
}
