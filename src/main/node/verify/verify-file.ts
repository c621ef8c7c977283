/**
 * Verify any supported file: choose the reader (detected, or --format), run
 * it, and return one result shape for the CLI, the case store and reports.
 */
import type { FormatVerification } from '../../../shared/formats/case-model';
import type { TrustStore } from '../../../shared/export/types';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { CaseEvent } from '../../../shared/formats/case-model';
import type { LineSummary } from '../../../shared/export/parse-line';
import type { ChainVerifier, ContinuesFrom } from '../../../shared/verify/chain-verifier';
import { detectFormat, readerById, FORMAT_READERS, UnknownFormatError } from '../formats/registry';
import type { FormatReader } from '../formats/reader';
import { InputError, UsageError } from '../errors/errors';
import { checkRegularFile, readRegularFile } from '../read/files';
import type { LineBatch } from '../read/line-batches';
import { loadTrustStore } from './trust-store';
import { verifyAuditExport } from '../formats/audit-export-reader';
import { fileDigest } from '../read/file-digest';
import { agtMeshJsonlReader } from '../formats/agt-mesh-jsonl';
import { verifyAgainstTraceRecord, type TraceRecordSummary } from './trace-record-check';

export interface VerifyFileRequest {
  path: string;
  trustPath?: string | null;
  hmacKeyPath?: string | null;
  format?: string | null;
  /** An earlier export of the same chain that this one should continue. */
  continuesPath?: string | null;
  /** A TRACE Trust Record the (agent-mesh) log is checked against. */
  traceRecordPath?: string | null;
  workers?: number;
  onEvent?: (event: CaseEvent) => void;
  /**
   * audit-export/1 only: report no events while verifying (the native fast
   * path, as `verify` runs); the caller indexes them afterwards from the
   * batches it kept (ingest: from the case's export copy). onEvent then
   * serves the other formats alone.
   */
  eventsAfter?: boolean;
  onLine?: (summary: LineSummary) => void;
  onVerifier?: (verifier: ChainVerifier) => void;
  /** audit-export/1 only: every batch of whole (decompressed) lines in file order, before it is verified. */
  onBatch?: (batch: LineBatch) => void;
  onProgress?: (bytes: number, events: number) => void;
  signal?: AbortSignal;
  workerUrl?: URL | string;
}

export interface VerifyFileResult extends FormatVerification {
  file: { path: string; sha256: string; bytes: number };
  trust: { path: string; keys: string[] } | null;
  /** The Trust Record the log was checked against, when --trace-record was given. */
  traceRecord: TraceRecordSummary | null;
}

export async function verifyFile(request: VerifyFileRequest): Promise<VerifyFileResult> {
  // Every file named is checked before any is read at length: a FIFO or a folder is refused in a sentence, at once.
  await checkRegularFile(request.path, 'export');
  if (request.continuesPath) await checkRegularFile(request.continuesPath, 'earlier export this one continues');
  if (request.traceRecordPath) await checkRegularFile(request.traceRecordPath, 'Trust Record');
  const trust: TrustStore | null = request.trustPath ? await loadTrustStore(request.trustPath) : null;
  const hmacKey = request.hmacKeyPath ? new Uint8Array(await readRegularFile(request.hmacKeyPath, 'HMAC key file')) : null;
  const chosen = await chooseReader(request.path, request.format ?? null);
  if (request.traceRecordPath && chosen.reader.id !== agtMeshJsonlReader.id) {
    throw new InputError(`--trace-record checks an agent-mesh session log (${agtMeshJsonlReader.id}, as StdoutAuditSink writes it), but this file was read as ${chosen.reader.id}`, request.path);
  }
  const trustInfo = trust && request.trustPath ? { path: request.trustPath, keys: trust.keys.map((k) => k.key_id) } : null;

  if (chosen.reader.id === EXPORT_FORMAT) {
    let continues: ContinuesFrom | undefined;
    if (request.continuesPath) {
      const earlier = await verifyAuditExport({ path: request.continuesPath, trust, hmacKey: null, workers: request.workers, workerUrl: request.workerUrl });
      if (earlier.chain.headHash === null || earlier.chain.lastSeq === null) {
        throw new InputError('the earlier export holds no events to continue from', request.continuesPath);
      }
      continues = {
        headHash: earlier.chain.headHash,
        lastSeq: earlier.chain.lastSeq,
        earlier: { path: request.continuesPath, verdict: earlier.chain.verdict, reason: earlier.verification.verdictReason },
      };
    }
    const result = await verifyAuditExport({ ...request, onEvent: request.eventsAfter ? undefined : request.onEvent, trust, hmacKey, continues });
    return { ...result.verification, formatReason: chosen.reason, file: { path: request.path, ...result.file }, trust: trustInfo, traceRecord: null };
  }
  if (request.traceRecordPath) {
    const { verification, traceRecord } = await verifyAgainstTraceRecord({ ...request, trust, hmacKey, formatReason: chosen.reason }, request.traceRecordPath, trust);
    return { ...verification, formatReason: chosen.reason, file: { path: request.path, ...(await fileDigest(request.path)) }, trust: trustInfo, traceRecord };
  }
  const verification = await chosen.reader.verify({ ...request, trust, hmacKey });
  return { ...verification, formatReason: chosen.reason, file: { path: request.path, ...(await fileDigest(request.path)) }, trust: trustInfo, traceRecord: null };
}

async function chooseReader(file: string, format: string | null): Promise<{ reader: FormatReader; reason: string }> {
  if (format) {
    const reader = readerById(format);
    if (!reader) throw new UsageError(`unknown --format "${format}"; known formats: ${FORMAT_READERS.map((r) => r.id).join(', ')}`);
    return { reader, reason: `--format ${format} was given` };
  }
  try {
    return await detectFormat(file);
  } catch (err) {
    if (err instanceof UnknownFormatError) throw new InputError(err.message, file);
    throw err;
  }
}
