/**
 * Ingest: verify an export and store what was read in a new case. The case
 * is built in "<id>.partial.db" and renamed into place only when complete,
 * so a failed, cancelled or killed ingest leaves no half case behind (a
 * leftover .partial.db whose writer process is gone is removed the next time
 * the cases folder is opened; "<id>.partial.pid" names the writer).
 */
import { conductNotRun, conductOf } from '../../../shared/replay/conduct';
import type { ConductAnswer, Stretch } from '../../../shared/verify/answers';
import { appendFile, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openWritable } from '../store/case-store';
import { CaseStoreWriter } from '../store/case-store-writer';
import { copyExport, ExportCopyWriter, type LineStarts } from '../store/export-copy';
import { fileIsGzip, lineBatches } from '../read/line-batches';
import { inFileOrder, inlineRunner, nativeWorkerCount, workerRunner, type BatchRunner } from '../read/worker-pool';
import { DEFAULT_SUMMARIZE_WORKER, runBatchTask } from '../formats/batch-task';
import type { IndexedEvent } from '../formats/index-batch';
import { SentenceError } from '../errors/errors';
import { verifyFile, type VerifyFileResult } from '../verify/verify-file';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import { divergenceViews, replayCounts, sequenceFindingViews, type ReplayCounts } from '../../../shared/replay/views';
import { policyTextLookup, replayExport } from '../replay/replay-service';
import { describeError } from '../errors/describe-error';
import { carryNotes } from '../notes/case-notes';

export interface IngestRequest {
  caseId: string;
  casesDir: string;
  exportPath: string;
  trustPath?: string | null;
  policiesPath?: string | null;
  hmacKeyPath?: string | null;
  format?: string | null;
  /** A case of the same export whose reviewer notes this one carries on (a re-examination with other inputs). */
  notesFrom?: string | null;
  workers?: number;
  summarizeWorkerUrl?: string;
}

/** The phases of an ingest, in order: the verdict is known when verifying ends; the case is complete after the last. */
export type IngestPhase = 'verifying' | 'indexing' | 'replaying';

export interface IngestProgress {
  phase: IngestPhase;
  /** Of the export while verifying; of the case's copy while indexing. */
  bytesDone: number;
  events: number;
  /** From the end of verification on: the answer, before the case is browsable. */
  verdict?: { verdict: VerifyFileResult['verdict']; reason: string };
}

export function caseFile(casesDir: string, caseId: string): string {
  return path.join(casesDir, `${caseId}.db`);
}

/** The case's verbatim copy of its export (decompressed when the export is gzip), read by byte offset. */
export function exportCopyFile(casesDir: string, caseId: string): string {
  return path.join(casesDir, `${caseId}.export`);
}

function partialExportCopyFile(casesDir: string, caseId: string): string {
  return path.join(casesDir, `${caseId}.partial.export`);
}

export function partialCaseFile(casesDir: string, caseId: string): string {
  return path.join(casesDir, `${caseId}.partial.db`);
}

/** Beside a partial case: the process id of its writer, so another process's sweep leaves it alone while it lives. */
export function partialOwnerFile(casesDir: string, caseId: string): string {
  return path.join(casesDir, `${caseId}.partial.pid`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where interrupted ingests are recorded, one JSON object a line, so the reviewer is told. */
export function interruptedLogFile(casesDir: string): string {
  return path.join(casesDir, 'interrupted.jsonl');
}

export interface InterruptedIngest {
  caseId: string;
  exportPath: string;
  /** When the leftover was found and removed. */
  foundAt: string;
}

const PARTIAL = /^(.+)\.partial\.(db|db-journal|db-wal|db-shm|pid|pid-new|export)$/;
const PARTIAL_SUFFIXES = ['db', 'db-journal', 'db-wal', 'db-shm', 'pid', 'pid-new', 'export'];

/**
 * Remove what killed or crashed ingests left in a cases folder: every partial
 * case (with its journal files) whose writer process is gone or unknown, and
 * record each in interrupted.jsonl. A partial case whose writer is alive is
 * another window's ingest in progress and is kept.
 */
export async function sweepPartialCases(casesDir: string, now: () => string = () => new Date().toISOString()): Promise<InterruptedIngest[]> {
  const ids = new Set<string>();
  for (const name of await readdir(casesDir)) {
    const m = PARTIAL.exec(name);
    if (m) ids.add(m[1]);
  }
  const removed: InterruptedIngest[] = [];
  for (const id of [...ids].sort()) {
    const [pidText, exportPath = ''] = (await readFile(partialOwnerFile(casesDir, id), 'utf8').catch(() => '')).split('\n');
    const owner = Number(pidText.trim());
    if (Number.isInteger(owner) && owner > 0 && (owner === process.pid || alive(owner))) continue;
    const started = await stat(partialCaseFile(casesDir, id)).then(
      () => true,
      () => false,
    );
    for (const suffix of PARTIAL_SUFFIXES) await rm(path.join(casesDir, `${id}.partial.${suffix}`), { force: true });
    // Killed between the rename and removing the owner file: the case is complete, nothing was lost.
    const completed = await stat(caseFile(casesDir, id)).then(
      () => true,
      () => false,
    );
    // Killed between renaming the export copy and the store: the copy belongs to no case.
    if (!completed) await rm(exportCopyFile(casesDir, id), { force: true });
    // Killed before the owner file was in place: the ingest had not begun, there is nothing to report.
    if (!completed && (started || exportPath)) removed.push({ caseId: id, exportPath, foundAt: now() });
  }
  if (removed.length) await appendFile(interruptedLogFile(casesDir), removed.map((r) => JSON.stringify(r) + '\n').join(''));
  return removed;
}

export async function readInterruptedIngests(casesDir: string): Promise<InterruptedIngest[]> {
  const text = await readFile(interruptedLogFile(casesDir), 'utf8').catch(() => '');
  const out: InterruptedIngest[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as InterruptedIngest;
      if (typeof r.caseId === 'string' && typeof r.exportPath === 'string' && typeof r.foundAt === 'string') out.push(r);
    } catch {
      // a torn last line from a crash mid-append: nothing to show
    }
  }
  return out;
}

export async function ingestCase(
  request: IngestRequest,
  onProgress: (p: IngestProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<{ caseId: string; file: string; result: VerifyFileResult }> {
  const partial = partialCaseFile(request.casesDir, request.caseId);
  const final = caseFile(request.casesDir, request.caseId);
  await rm(partial, { force: true });
  // Written whole or not at all (a kill mid-write must not leave an owner file without the export's name).
  const owner = partialOwnerFile(request.casesDir, request.caseId);
  await writeFile(`${owner}-new`, `${process.pid}\n${path.resolve(request.exportPath)}\n`);
  await rename(`${owner}-new`, owner);
  const copyPartial = partialExportCopyFile(request.casesDir, request.caseId);
  const db = openWritable(partial, { bulk: true });
  let copy: ExportCopyWriter | null = null;
  try {
    // The case's own copy, written from the lines verification reads (one pass); events whose line is their entry are kept by offset in it.
    copy = new ExportCopyWriter(copyPartial);
    const writer = new CaseStoreWriter(db, { file: copyPartial, lines: copy.lines });
    let phase: IngestPhase = 'verifying';
    const result = await verifyFile({
      path: request.exportPath,
      trustPath: request.trustPath,
      hmacKeyPath: request.hmacKeyPath,
      format: request.format,
      workers: request.workers,
      workerUrl: request.summarizeWorkerUrl,
      signal,
      // audit-export/1 verifies on the fast path, as `verify` does, and is indexed from the copy after; other formats give their events as read.
      eventsAfter: true,
      onEvent: (e) => writer.addEvent(e),
      onBatch: (b) => copy!.add(b.bytes, b.offsets),
      onProgress: (bytesDone, events) => onProgress({ phase, bytesDone, events }),
    });
    writer.flush();
    const copiedSha = copy.finish();
    if (copy.used) {
      // A plain export's copy hashes as the export did; a gzip one is its decompressed lines, checked line by line as they were verified.
      if (!(await fileIsGzip(request.exportPath)) && copiedSha !== result.file.sha256) throw new SentenceError('The export changed on disk while it was being read; open it again.');
    }
    // The answer is known: said now, while the index and replay fill in behind.
    const verdict = { verdict: result.verdict, reason: result.verdictReason };
    if (copy.used && result.format === EXPORT_FORMAT) {
      phase = 'indexing';
      onProgress({ phase, bytesDone: 0, events: 0, verdict });
      await indexFromCopy(writer, copyPartial, copy.lines, request, signal, (bytesDone, events) => onProgress({ phase, bytesDone, events, verdict }));
    } else onProgress({ phase: 'indexing', bytesDone: result.file.bytes, events: result.events, verdict });
    writer.resolveSubjects();
    writer.closeCopy();
    if (!copy.used) {
      // Formats read otherwise keep their entries in the rows; the copy is made after, for the case to stand alone.
      const copied = await copyExport(request.exportPath, copyPartial, signal);
      if (copied.sha256 !== result.file.sha256) throw new SentenceError('The export changed on disk while it was being read; open it again.');
    }
    writer.addFindings(result.findings);
    const checkpoints =
      (result.details.checkpoints as
        { line: number; seq_hi: number; tree_size: number; key_id: string; final: boolean; ts?: string; merkle_root?: string; head_hash?: string; status: string }[] | undefined) ?? [];
    writer.addCheckpoints(
      checkpoints.map((c) => ({
        line: c.line,
        seqHi: c.seq_hi,
        treeSize: c.tree_size,
        keyId: c.key_id,
        final: c.final,
        ts: c.ts ?? '',
        merkleRoot: c.merkle_root ?? '',
        headHash: c.head_hash ?? '',
        status: c.status,
      })),
    );
    if (request.policiesPath && result.format === EXPORT_FORMAT) onProgress({ phase: 'replaying', bytesDone: 0, events: result.events, verdict });
    const replay = request.policiesPath && result.format === EXPORT_FORMAT ? await replayIntoCase(writer, request, result.file.sha256, result.integrity.unproven) : null;
    const timelineBase = writer.buildTimeline();
    const span = writer.reads.span();
    writer.meta({
      caseId: request.caseId,
      exportPath: path.resolve(request.exportPath),
      exportName: path.basename(request.exportPath),
      exportSha256: result.file.sha256,
      exportBytes: result.file.bytes,
      format: result.format,
      formatReason: result.formatReason,
      verdict: result.verdict,
      verdictReason: result.verdictReason,
      events: result.events,
      headHash: result.headHash,
      chainStart: result.chainStart,
      firstFailure: result.firstFailure,
      folded: result.folded ?? {},
      unauthenticatedFields: result.unauthenticatedFields,
      details: result.details,
      trustPath: request.trustPath ? path.resolve(request.trustPath) : null,
      trustKeys: result.trust?.keys ?? [],
      policiesPath: request.policiesPath ? path.resolve(request.policiesPath) : null,
      replay: replay?.counts ?? null,
      replayReportSha256: replay?.sha256 ?? null,
      replayError: replay?.error ?? (request.policiesPath && result.format !== EXPORT_FORMAT ? `${result.format} logs carry no replayable policy inputs` : null),
      integrity: result.integrity,
      signer: result.signer,
      conduct: replay?.conduct ?? conductNotRun(replay?.error ?? notReplayedReason(result.format, request.policiesPath ?? null)),
      timelineBase,
      firstTs: span.firstTs,
      lastTs: span.lastTs,
      agents: span.agents,
      // Everyone the timeline draws a lane for (agents, people, systems), so counts agree.
      actors: span.actors,
      notesFrom: request.notesFrom ? carryNotes(db, caseFile(request.casesDir, request.notesFrom), request.notesFrom, result.file.sha256) : null,
    });
    db.close();
    // Built without a journal for speed; make it durable before it becomes the case.
    const fh = await open(partial, 'r+');
    await fh.sync();
    await fh.close();
    await rename(copyPartial, exportCopyFile(request.casesDir, request.caseId));
    await rename(partial, final);
    await rm(partialOwnerFile(request.casesDir, request.caseId), { force: true });
    return { caseId: request.caseId, file: final, result };
  } catch (err) {
    if (db.open) db.close();
    copy?.abort();
    await rm(partial, { force: true });
    await rm(copyPartial, { force: true });
    await rm(partialOwnerFile(request.casesDir, request.caseId), { force: true });
    throw err;
  }
}

/**
 * The index of an audit-export/1 case, from its export copy (hot in the
 * page cache: verification has just written it): the hash workers make the
 * rows of each batch (formats/index-batch), this thread writes them in one
 * transaction a batch, into a table whose indexes are built once at the end.
 */
async function indexFromCopy(
  writer: CaseStoreWriter,
  copyFile: string,
  lines: LineStarts,
  request: IngestRequest,
  signal: AbortSignal | undefined,
  onProgress: (bytesDone: number, events: number) => void,
): Promise<void> {
  const task = { kind: 'index' } as const;
  const workers = request.workers ?? nativeWorkerCount();
  const runner: BatchRunner<IndexedEvent> =
    workers > 0 ? workerRunner<IndexedEvent>(workers, task, request.summarizeWorkerUrl ?? DEFAULT_SUMMARIZE_WORKER) : inlineRunner((batch) => runBatchTask(task, batch) as IndexedEvent[]);
  const rebuild = writer.dropEventIndexes();
  let bytes = 0;
  let events = 0;
  try {
    const batches = lineBatches(copyFile, { batchBytes: 4 << 20, signal, onRawChunk: (chunk) => (bytes += chunk.length) });
    for await (const rows of inFileOrder(batches, runner, Math.max(2, workers * 2))) {
      writer.addIndexed(rows, lines);
      events += rows.length;
      onProgress(bytes, events);
    }
  } finally {
    await runner.close();
  }
  rebuild();
}

/**
 * Replay the recorded decisions against the case's policy folder and store
 * the outcome beside the evidence. A policy folder that cannot be used is a
 * reason shown with the case, not a failed ingest: verification stands alone.
 */
/** Why conduct was not checked, in the reviewer's words, true for the format at hand. */
export function notReplayedReason(format: string, policiesPath: string | null): string {
  if (format !== EXPORT_FORMAT) return `Replay is not available for ${format} files: they record decisions without the Cedar request and pinned policy version that replay needs.`;
  if (!policiesPath) return 'Not checked: no policy folder was chosen, so the recorded decisions were not replayed. Open the case again with the folder of policy bundles to check conduct.';
  return 'Replay did not run.';
}

async function replayIntoCase(
  writer: CaseStoreWriter,
  request: IngestRequest,
  exportSha256: string,
  unproven: readonly Stretch[],
): Promise<{ counts: ReplayCounts; sha256: string; error: null; conduct: ConductAnswer } | { counts: null; sha256: null; error: string; conduct: null }> {
  let run: Awaited<ReturnType<typeof replayExport>>;
  try {
    run = await replayExport({ exportPath: request.exportPath, policies: request.policiesPath!, workers: 0 });
  } catch (err) {
    return { counts: null, sha256: null, error: describeError(err, request.policiesPath ?? undefined), conduct: null };
  }
  if (run.report.export_sha256 && run.report.export_sha256 !== exportSha256) {
    return { counts: null, sha256: null, error: 'The export changed on disk between verification and replay; open it again.', conduct: null };
  }
  const views = divergenceViews(run.report, policyTextLookup(run.bundles));
  writer.addReplay(views, sequenceFindingViews(run.report));
  return { counts: replayCounts(run.report), sha256: run.sha256, error: null, conduct: conductOf(run.report, unproven) };
}
