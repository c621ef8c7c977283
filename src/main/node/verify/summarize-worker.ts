import { parentPort } from 'node:worker_threads';
import { summarizeBatch } from './summarize-batch';
import type { LineBatch } from '../ingest/line-batches';

parentPort!.on('message', (msg: { id: number; batch: LineBatch; keepRaw: boolean; useNative?: boolean }) => {
  const summaries = summarizeBatch(msg.batch, msg.keepRaw, msg.useNative ?? true);
  // Runs of one batch share their hash arrays: hand those over instead of copying them.
  const transfer = new Set<ArrayBuffer>();
  for (const s of summaries) if (s.t === 'run') transfer.add(s.hashes.buffer as ArrayBuffer).add(s.leaves.buffer as ArrayBuffer);
  parentPort!.postMessage({ id: msg.id, summaries }, [...transfer]);
});
