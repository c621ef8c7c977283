/** The ingest worker: one ingest (or one what-if, or one compare) per worker, progress posted as events, killed to cancel. */
import { SentenceError } from '../errors/errors';
import { describeError } from '../errors/describe-error';
import { postWorkerEvent, serveWorker } from '../read/worker-client';
import { ingestCase, type IngestProgress, type IngestRequest } from './ingest-case';
import { compareCase, whatIfCase, type CompareRequest, type WhatIfRequest } from './case-checks';
import type { WhatIfView } from '../../../shared/replay/views';
import type { ExportComparison } from '../../../shared/verify/comparison';

export interface IngestProgressEvent extends IngestProgress {
  type: 'progress';
}

const methods = {
  async ingest(request: IngestRequest): Promise<{ caseId: string; events: number; bytes: number }> {
    let last = 0;
    let lastPhase = '';
    try {
      const { caseId, result } = await ingestCase(request, (p) => {
        const now = performance.now();
        // A new phase (the verdict comes with the first after verifying) is said at once; progress within one ten times a second.
        if (now - last < 100 && p.phase === lastPhase) return;
        lastPhase = p.phase;
        last = now;
        postWorkerEvent({ type: 'progress', ...p });
      });
      return { caseId, events: result.events, bytes: result.file.bytes };
    } catch (err) {
      // Worded here, where the export's name is known; the sentence crosses unchanged.
      throw new SentenceError(describeError(err, request.exportPath));
    }
  },

  async whatIf(request: WhatIfRequest): Promise<WhatIfView> {
    let last = 0;
    try {
      return await whatIfCase(request, (events) => {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        postWorkerEvent({ type: 'progress', bytesDone: 0, events });
      });
    } catch (err) {
      throw new SentenceError(describeError(err, request.policiesPath));
    }
  },

  async compare(request: CompareRequest): Promise<ExportComparison> {
    try {
      return await compareCase(request);
    } catch (err) {
      throw new SentenceError(describeError(err, request.earlierPath));
    }
  },
};

export type IngestWorkerMethods = typeof methods;

serveWorker(methods);
