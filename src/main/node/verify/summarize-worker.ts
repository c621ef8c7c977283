import { parentPort } from 'node:worker_threads';
import { summarizeBatch } from './summarize-batch';
import type { LineBatch } from '../ingest/line-batches';

parentPort!.on('message', (msg: { id: number; batch: LineBatch; keepRaw: boolean }) => {
  parentPort!.postMessage({ id: msg.id, summaries: summarizeBatch(msg.batch, msg.keepRaw) });
});
