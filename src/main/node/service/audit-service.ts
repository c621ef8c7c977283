/**
 * The services behind every door (Electron IPC, the browser test shell):
 * AuditApi minus the file dialog. Ingest runs in a worker thread per job,
 * posting progress; cancelling terminates the worker and removes the half
 * built case. Review-desk reads go through the case-reader worker
 * (CaseQueries there); notes and reports use a handle on this thread.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createWorkerClient, WorkerStoppedError, type WorkerClient } from '../read/worker-client';
import type { AuditApi, CaseRef, EntryProofExport, JobProgress, OpenExportRequest } from '../../../shared/api/audit-api';
import { caseFile, exportCopyFile, partialCaseFile, partialOwnerFile, readInterruptedIngests, sweepPartialCases, type IngestRequest } from '../ingest/ingest-case';
import type { IngestProgressEvent, IngestWorkerMethods } from '../ingest/ingest-worker';
import { openReadable, openWritable, type WritableDB } from '../store/case-store';
import { readCaseMeta, type CaseMeta } from '../store/case-meta';
import { CaseStoreReader } from '../store/case-store-reader';
import { ExportCopy } from '../store/export-copy';
import { CaseQueries } from './case-queries';
import { CaseReader, type ReadMethod } from './case-reader';
import { describeError } from '../errors/describe-error';
import { checkRegularFile, refuseOutputsOverInputs, writeOutputFile } from '../read/files';
import { proofCommand } from '../../../shared/verify/entry-proof';
import { CaseNotes } from '../notes/case-notes';
import { exportCaseReport } from '../report/case-report';
import type { HtmlToPdf } from '../report/pdf';
import { SentenceError } from '../errors/errors';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { WhatIfView } from '../../../shared/replay/views';

export type AuditService = Omit<AuditApi, 'pickFile' | 'getDeskInfo'> & { close(): Promise<void> };

export interface AuditServiceOptions {
  casesDir: string;
  /** Injected where the worker is bundled (Electron); defaults to the TypeScript worker under plain Node. */
  ingestWorkerUrl?: URL | string;
  summarizeWorkerUrl?: string;
  /** Hash workers per ingest. */
  workers?: number;
  /** The case-reader worker, injected where it is bundled (Electron). */
  readerWorkerUrl?: URL | string;
  /** The clock for note times (tests inject one). */
  now?: () => string;
  /** HTML → PDF for exportReport: Electron's printToPDF in the app, Chromium under Node. */
  htmlToPdf?: HtmlToPdf;
}

const DEFAULT_INGEST_WORKER = new URL('../ingest/ingest-worker.mjs', import.meta.url);

/** A case open on this thread: one writable handle (notes), its reads for reports and re-examination. */
interface OpenCase {
  db: WritableDB;
  queries: CaseQueries;
}

interface Job {
  worker: WorkerClient<IngestWorkerMethods>;
  caseId: string;
  settled: boolean;
  /** A what-if makes no case: cancelling it has no partial case to remove. */
  task?: 'what-if';
}

/** Finished what-if results kept for getWhatIfResult, newest last. */
const KEPT_WHAT_IFS = 8;

export function createAuditService(options: AuditServiceOptions): AuditService {
  const listeners = new Set<(p: JobProgress) => void>();
  const jobs = new Map<string, Job>();
  const whatIfs = new Map<string, WhatIfView>();
  const open = new Map<string, OpenCase>();
  const ready = prepareCasesDir(options.casesDir);
  // Reads for the review desk run in a worker; notes and reports use the handle below.
  const reader = new CaseReader(options.casesDir, options.readerWorkerUrl);
  const read = async <T>(caseId: string, method: ReadMethod, ...args: unknown[]): Promise<T> => {
    await openCase(caseId); // validates the id and opens (and migrates) the store once
    return reader.read<T>(caseId, method, ...args);
  };

  const emit = (p: JobProgress) => {
    for (const l of listeners) l(p);
  };

  /** A job's end, said once: its last progress message, and its worker closed. */
  const settler = (jobId: string, job: Job) => (p: JobProgress) => {
    if (job.settled) return;
    job.settled = true;
    jobs.delete(jobId);
    emit(p);
    void job.worker.close();
  };

  const openCase = async (caseId: string): Promise<OpenCase> => {
    await ready;
    if (!/^[0-9a-f-]{36}$/.test(caseId)) throw new Error(`"${caseId}" is not a case id.`);
    let c = open.get(caseId);
    if (!c) {
      const db = openWritable(caseFile(options.casesDir, caseId), { exportCopy: exportCopyFile(options.casesDir, caseId) });
      c = { db, queries: new CaseQueries(caseId, new CaseStoreReader(db, new ExportCopy(exportCopyFile(options.casesDir, caseId)))) };
      open.set(caseId, c);
    }
    return c;
  };

  const startIngest = async (request: OpenExportRequest, notesFrom: string | null = null): Promise<{ jobId: string }> => {
    await ready;
    let size: number;
    try {
      // Every file named, before the worker starts: a FIFO would block its read for good, a folder fail with a bare EISDIR.
      size = (await checkRegularFile(request.exportPath, 'export')).size;
      if (request.trustPath) await checkRegularFile(request.trustPath, 'trust store');
      if (request.hmacKeyPath) await checkRegularFile(request.hmacKeyPath, 'HMAC key file');
    } catch (err) {
      throw new Error(describeError(err, request.exportPath));
    }
    const jobId = randomUUID();
    const caseId = randomUUID();
    const ingest: IngestRequest = {
      caseId,
      casesDir: options.casesDir,
      exportPath: request.exportPath,
      trustPath: request.trustPath ?? null,
      policiesPath: request.policiesPath ?? null,
      // Read by the ingest worker for this verification only; never written to the case store.
      hmacKeyPath: request.hmacKeyPath ?? null,
      format: request.format ?? null,
      notesFrom,
      workers: options.workers,
      summarizeWorkerUrl: options.summarizeWorkerUrl,
    };
    const worker = createWorkerClient<IngestWorkerMethods>(options.ingestWorkerUrl ?? DEFAULT_INGEST_WORKER, { name: 'ingest worker' });
    const job: Job = { worker, caseId, settled: false };
    jobs.set(jobId, job);
    const started = performance.now();
    const base = { jobId, bytesTotal: size };
    emit({ ...base, phase: 'verifying', bytesDone: 0, events: 0, secondsLeft: null });
    let verdict: JobProgress['verdict'];
    const settle = settler(jobId, job);
    worker.onEvent((event) => {
      const msg = event as IngestProgressEvent;
      if (msg.type !== 'progress') return;
      const elapsed = (performance.now() - started) / 1000;
      const done = msg.bytesDone ?? 0;
      const rate = done / Math.max(elapsed, 0.001);
      verdict = msg.verdict ?? verdict;
      // Time left is estimated for verifying, the phase that reads the export; the later phases give their own bytes.
      const secondsLeft = msg.phase === 'verifying' && done > 0 ? Math.max(0, (size - done) / rate) : null;
      emit({ ...base, phase: msg.phase, bytesDone: done, events: msg.events ?? 0, secondsLeft, ...(verdict ? { verdict } : {}) });
    });
    worker.call('ingest', [ingest]).then(
      (done) => settle({ ...base, phase: 'done', bytesDone: size, events: done.events, secondsLeft: 0, caseId: done.caseId, ...(verdict ? { verdict } : {}) }),
      (err: Error) => {
        // The worker itself died (not an ingest that failed and said why): nothing else removes its partial case.
        if (err instanceof WorkerStoppedError) {
          void rm(partialCaseFile(options.casesDir, caseId), { force: true });
          void rm(partialOwnerFile(options.casesDir, caseId), { force: true });
        }
        settle({ ...base, phase: 'failed', bytesDone: 0, events: 0, secondsLeft: null, error: err instanceof WorkerStoppedError ? describeError(err, request.exportPath) : err.message });
      },
    );
    return { jobId };
  };

  /** A case whose export is audit-export/1, for what-if and compare (the other formats record no Cedar request or Merkle leaves). */
  const auditExportCase = async (caseId: string, what: string) => {
    const summary = (await openCase(caseId)).queries.summary();
    if (summary.format !== EXPORT_FORMAT) throw new SentenceError(`${what} works on ${EXPORT_FORMAT} exports; this case is a ${summary.format} file.`);
    return summary;
  };

  const startWhatIf = async (caseId: string, policiesPath: string): Promise<{ jobId: string }> => {
    const summary = await auditExportCase(caseId, 'What-if');
    const jobId = randomUUID();
    const worker = createWorkerClient<IngestWorkerMethods>(options.ingestWorkerUrl ?? DEFAULT_INGEST_WORKER, { name: 'what-if worker' });
    const job: Job = { worker, caseId, settled: false, task: 'what-if' };
    jobs.set(jobId, job);
    const total = summary.events;
    const base = { jobId, bytesDone: 0, bytesTotal: 0, eventsTotal: total, task: 'what-if' as const };
    const started = performance.now();
    emit({ ...base, phase: 'replay', events: 0, secondsLeft: null });
    const settle = settler(jobId, job);
    worker.onEvent((event) => {
      const msg = event as IngestProgressEvent;
      if (msg.type !== 'progress' || job.settled) return;
      const rate = msg.events / Math.max((performance.now() - started) / 1000, 0.001);
      emit({ ...base, phase: 'replay', events: msg.events, secondsLeft: msg.events > 0 ? Math.max(0, (total - msg.events) / rate) : null });
    });
    worker.call('whatIf', [{ exportCopy: exportCopyFile(options.casesDir, caseId), casePoliciesPath: summary.policiesPath, policiesPath }]).then(
      (view) => {
        whatIfs.set(jobId, view);
        for (const old of [...whatIfs.keys()].slice(0, Math.max(0, whatIfs.size - KEPT_WHAT_IFS))) whatIfs.delete(old);
        settle({ ...base, phase: 'done', events: total, secondsLeft: 0 });
      },
      (err: Error) => settle({ ...base, phase: 'failed', events: 0, secondsLeft: null, error: err instanceof WorkerStoppedError ? describeError(err, policiesPath) : err.message }),
    );
    return { jobId };
  };

  return {
    openExport: (request) => startIngest(request),

    async cancelJob(jobId) {
      const job = jobs.get(jobId);
      if (!job) return;
      job.settled = true;
      jobs.delete(jobId);
      await job.worker.close();
      if (job.task !== 'what-if') {
        await rm(partialCaseFile(options.casesDir, job.caseId), { force: true });
        await rm(partialOwnerFile(options.casesDir, job.caseId), { force: true });
      }
      emit({ jobId, phase: 'cancelled', bytesDone: 0, bytesTotal: 0, events: 0, secondsLeft: null, ...(job.task ? { task: job.task } : {}) });
    },

    async whatIf(caseId, policiesPath) {
      if (!policiesPath) throw new SentenceError('Choose the policy bundle to compare with.');
      return startWhatIf(caseId, policiesPath);
    },

    async getWhatIfResult(jobId) {
      const view = whatIfs.get(jobId);
      if (!view) throw new SentenceError('That what-if is no longer kept (or has not finished); run it again.');
      return view;
    },

    async compareExport(caseId, earlierPath) {
      if (!earlierPath) throw new SentenceError('Choose the earlier export to compare with.');
      const summary = await auditExportCase(caseId, 'Comparing with an earlier export');
      try {
        await checkRegularFile(earlierPath, 'earlier export');
      } catch (err) {
        throw new SentenceError(describeError(err, earlierPath));
      }
      const worker = createWorkerClient<IngestWorkerMethods>(options.ingestWorkerUrl ?? DEFAULT_INGEST_WORKER, { name: 'compare worker' });
      try {
        return await worker.call('compare', [{ exportCopy: exportCopyFile(options.casesDir, caseId), earlierPath, trustPath: summary.trustPath }]);
      } finally {
        await worker.close();
      }
    },

    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async listRecentCases() {
      await ready;
      const out: (CaseRef & { mtime: number })[] = [];
      for (const name of await readdir(options.casesDir)) {
        const m = /^([0-9a-f-]{36})\.db$/.exec(name);
        if (!m) continue;
        const file = path.join(options.casesDir, name);
        try {
          const db = openReadable(file);
          const meta = readCaseMeta(db);
          db.close();
          out.push({
            caseId: m[1],
            exportName: meta.exportName,
            exportPath: meta.exportPath,
            verdict: meta.verdict,
            ...recentAnswers(meta),
            trustName: meta.trustPath !== null ? path.basename(meta.trustPath) : null,
            trustPath: meta.trustPath,
            policiesPath: meta.policiesPath,
            events: meta.events,
            openedAt: (await stat(file)).mtime.toISOString(),
            mtime: (await stat(file)).mtimeMs,
          });
        } catch {
          // An unreadable store is not listed; opening it directly gives the reason.
        }
      }
      // Ingests that were killed before they finished, unless the export has been opened since.
      for (const r of await readInterruptedIngests(options.casesDir)) {
        const found = Date.parse(r.foundAt);
        if (out.some((c) => c.exportPath === r.exportPath && c.mtime >= found)) continue;
        out.push({
          caseId: r.caseId,
          exportName: r.exportPath ? path.basename(r.exportPath) : 'an export whose name was not recorded',
          exportPath: r.exportPath,
          verdict: null,
          events: 0,
          openedAt: r.foundAt,
          interrupted: true,
          mtime: found,
        });
      }
      // One entry per export and inputs, the newest: opening the same export again with the same
      // trust store and policies makes a new case, and the older ones stay on disk but are not listed.
      const seen = new Set<string>();
      return out
        .sort((a, b) => b.mtime - a.mtime || a.caseId.localeCompare(b.caseId))
        .filter((c) => {
          const key = JSON.stringify(c.interrupted ? [c.caseId] : [c.exportPath, c.trustPath ?? null, c.policiesPath ?? null]);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        })
        .map(({ mtime: _m, ...ref }) => ref);
    },

    async getCaseSummary(caseId) {
      return read(caseId, 'summary');
    },

    async setCaseInputs(caseId, inputs) {
      const summary = (await openCase(caseId)).queries.summary();
      return startIngest(
        {
          exportPath: summary.exportPath,
          trustPath: inputs.trustPath === undefined ? summary.trustPath : inputs.trustPath,
          policiesPath: inputs.policiesPath === undefined ? summary.policiesPath : inputs.policiesPath,
          format: summary.format || null,
        },
        caseId,
      );
    },

    async queryEvents(caseId, query) {
      return read(caseId, 'events', query);
    },
    async getEventProof(caseId, index) {
      return read(caseId, 'proof', index);
    },
    async listFindings(caseId) {
      return read(caseId, 'findings');
    },
    async listDivergences(caseId) {
      return read(caseId, 'divergences');
    },
    async listSequenceFindings(caseId) {
      return read(caseId, 'sequenceFindings');
    },
    async getTimeline(caseId, query) {
      return read(caseId, 'timeline', query);
    },
    async searchEvents(caseId, term) {
      return read(caseId, 'search', term);
    },
    async getRequestStory(caseId, index) {
      return read(caseId, 'requestStory', index);
    },

    async addNote(caseId, note) {
      return new CaseNotes((await openCase(caseId)).db, options.now).add(note);
    },
    async editNote(caseId, noteId, edit) {
      return new CaseNotes((await openCase(caseId)).db, options.now).edit(noteId, edit);
    },
    async listNotes(caseId, target) {
      return new CaseNotes((await openCase(caseId)).db, options.now).list(target ?? null);
    },
    async exportReport(caseId, format, outPath) {
      const c = await openCase(caseId);
      const out = outPath ?? path.join(options.casesDir, 'reports', `${caseId}.${format}`);
      if (!outPath) await mkdir(path.dirname(out), { recursive: true });
      return exportCaseReport({
        summary: c.queries.summary(),
        notes: new CaseNotes(c.db).stored(),
        format,
        outPath: out,
        caseStore: caseFile(options.casesDir, caseId),
        htmlToPdf: options.htmlToPdf,
        summarizeWorkerUrl: options.summarizeWorkerUrl,
      });
    },

    async exportEntryProof(caseId, index, outPath) {
      const made = await read<EntryProofExport>(caseId, 'entryProof', index);
      if (!outPath) return made;
      const summary = (await openCase(caseId)).queries.summary();
      // A proof written over the export, the trust store or the case would destroy the evidence it speaks of.
      refuseOutputsOverInputs(
        [{ path: outPath, label: outPath }],
        [
          { path: summary.exportPath, role: 'export this case examines' },
          { path: summary.trustPath, role: 'trust store of this case' },
          { path: summary.policiesPath, role: 'policy folder of this case' },
          { path: caseFile(options.casesDir, caseId), role: 'case store itself' },
        ],
      );
      await writeOutputFile(outPath, made.text);
      return { ...made, path: outPath, command: proofCommand(path.basename(outPath), summary.trustPath ? path.basename(summary.trustPath) : null) };
    },

    async close() {
      await reader.close();
      for (const job of jobs.values()) await job.worker.close();
      jobs.clear();
      for (const c of open.values()) c.queries.store.close();
      open.clear();
      listeners.clear();
    },
  };
}

/** Create the folder and remove what a killed ingest left behind (never another process's ingest in progress). */
async function prepareCasesDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await sweepPartialCases(dir);
}

/** The three answers of a stored case in a word each, for the recent list (nothing for cases made before they existed). */
function recentAnswers(meta: CaseMeta): Pick<CaseRef, 'answers'> {
  const { integrity, signer, conduct } = meta;
  if (!integrity || !signer || !conduct) return {};
  return { answers: { integrity: integrity.status, signer: signer.status, signerKey: signer.key_id, conduct: conduct.status, diverged: conduct.diverged, violations: conduct.sequence_findings } };
}
