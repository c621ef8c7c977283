/** The ingest worker: one ingest per worker, progress posted, killed to cancel. */
import { parentPort, workerData } from 'node:worker_threads';
import { ingestCase, type IngestRequest } from './ingest-case';
import { describeError } from '../errors/describe-error';

const request = workerData as IngestRequest;
let last = 0;
ingestCase(request, (p) => {
  const now = performance.now();
  if (now - last < 100) return;
  last = now;
  parentPort!.postMessage({ type: 'progress', ...p });
})
  .then(({ caseId, result }) => parentPort!.postMessage({ type: 'done', caseId, events: result.events, bytes: result.file.bytes }))
  .catch((err) => parentPort!.postMessage({ type: 'failed', error: describeError(err, request.exportPath) }));
