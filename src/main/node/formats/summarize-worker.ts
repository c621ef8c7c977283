// The hash worker: runs a batch task (batch-task.ts) for read/worker-pool.ts.
import { serveWorker } from '../read/worker-client';
import type { HashWorkerMethods } from '../read/worker-pool';
import { runBatchTask, type BatchTask, type TaskResult } from './batch-task';
import type { LineBatch } from '../read/line-batches';

const methods: HashWorkerMethods<TaskResult<BatchTask>> = {
  run: (batch: LineBatch, task: unknown) => runBatchTask(task as BatchTask, batch) as TaskResult<BatchTask>[],
};

serveWorker(methods, {
  // Runs of one batch share their hash arrays: hand those over instead of copying them.
  transfer: (_method, results) => {
    const transfer = new Set<ArrayBuffer>();
    for (const s of results as TaskResult<BatchTask>[]) if (s.t === 'run' && 'hashes' in s) transfer.add(s.hashes.buffer as ArrayBuffer).add(s.leaves.buffer as ArrayBuffer);
    return [...transfer];
  },
});
