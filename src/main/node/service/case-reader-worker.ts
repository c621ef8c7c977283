/**
 * Case reads off the caller's thread. In the desktop app the service lives in
 * Electron's main process, which also carries every IPC call and window
 * event; a filtered count or a proof over a million rows must not freeze it.
 * One worker serves every open case; requests are answered in order.
 */
import { workerData } from 'node:worker_threads';
import { caseFile, exportCopyFile } from '../ingest/ingest-case';
import { openWritable } from '../store/case-store';
import { CaseStoreReader } from '../store/case-store-reader';
import { ExportCopy } from '../store/export-copy';
import { CaseQueries } from './case-queries';
import { serveWorker } from '../read/worker-client';

const { casesDir } = workerData as { casesDir: string };
const open = new Map<string, CaseQueries>();

function queries(caseId: string): CaseQueries {
  let q = open.get(caseId);
  if (!q) {
    q = new CaseQueries(caseId, new CaseStoreReader(openWritable(caseFile(casesDir, caseId), { exportCopy: exportCopyFile(casesDir, caseId) }), new ExportCopy(exportCopyFile(casesDir, caseId))));
    open.set(caseId, q);
  }
  return q;
}

type Query<K extends 'events' | 'timeline'> = Parameters<CaseQueries[K]>[0];

const methods = {
  summary: (caseId: string) => queries(caseId).summary(),
  events: (caseId: string, query: Query<'events'>) => queries(caseId).events(query),
  proof: (caseId: string, index: number) => queries(caseId).proof(index),
  entryProof: (caseId: string, index: number) => queries(caseId).entryProof(index),
  findings: (caseId: string) => queries(caseId).findings(),
  divergences: (caseId: string) => queries(caseId).divergences(),
  sequenceFindings: (caseId: string) => queries(caseId).sequenceFindings(),
  timeline: (caseId: string, query: Query<'timeline'>) => queries(caseId).timeline(query),
  search: (caseId: string, term: string) => queries(caseId).search(term),
  requestStory: (caseId: string, index: number) => queries(caseId).requestStory(index),
  refresh: (caseId: string) => queries(caseId).refreshMeta(),
  closeAll: () => {
    for (const q of open.values()) q.store.close();
    open.clear();
  },
};

export type CaseReaderMethods = typeof methods;

serveWorker(methods);
