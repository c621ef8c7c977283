import { parentPort } from 'node:worker_threads';
import { runBatchTask, type BatchTask } from './batch-task';
import type { LineBatch } from '../read/line-batches';

parentPort!.on('message', (msg: { id: number; batch: LineBatch; task: BatchTask }) => {
  const results = runBatchTask(msg.task, msg.batch);
  // Runs of one batch share their hash arrays: hand those over instead of copying them.
  const transfer = new Set<ArrayBuffer>();
  for (const s of results) if (s.t === 'run' && 'hashes' in s) transfer.add(s.hashes.buffer as ArrayBuffer).add(s.leaves.buffer as ArrayBuffer);
  parentPort!.postMessage({ id: msg.id, results }, [...transfer]);
});
