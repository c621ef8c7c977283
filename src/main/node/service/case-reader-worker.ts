/**
 * Case reads off the caller's thread. In the desktop app the service lives in
 * Electron's main process, which also carries every IPC call and window
 * event; a filtered count or a proof over a million rows must not freeze it.
 * One worker serves every open case; requests are answered in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { caseFile } from '../ingest/ingest-case';
import { openCaseDb } from '../store/case-store';
import { CaseQueries } from './case-queries';
import { describeError } from '../errors/describe-error';
import type { ReadMethod, ReadRequest } from './case-reader';

const { casesDir } = workerData as { casesDir: string };
const open = new Map<string, CaseQueries>();

function queries(caseId: string): CaseQueries {
  let q = open.get(caseId);
  if (!q) {
    q = new CaseQueries(caseId, openCaseDb(caseFile(casesDir, caseId)));
    open.set(caseId, q);
  }
  return q;
}

const METHODS: Record<ReadMethod, (q: CaseQueries, args: unknown[]) => unknown> = {
  summary: (q) => q.summary(),
  events: (q, [query]) => q.events(query as Parameters<CaseQueries['events']>[0]),
  proof: (q, [index]) => q.proof(index as number),
  findings: (q) => q.findings(),
  divergences: (q) => q.divergences(),
  sequenceFindings: (q) => q.sequenceFindings(),
  timeline: (q, [query]) => q.timeline(query as Parameters<CaseQueries['timeline']>[0]),
  refresh: (q) => q.refreshMeta(),
};

parentPort!.on('message', (msg: ReadRequest | { close: true }) => {
  if ('close' in msg) {
    for (const q of open.values()) q.db.close();
    open.clear();
    parentPort!.postMessage({ closed: true });
    return;
  }
  try {
    parentPort!.postMessage({ id: msg.id, result: METHODS[msg.method](queries(msg.caseId), msg.args) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: describeError(err) });
  }
});
