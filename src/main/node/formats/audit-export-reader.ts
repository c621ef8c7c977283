/**
 * The native format, audit-export/1: streamed in batches, hashes recomputed
 * in parallel workers, then links, sequence, checkpoints and signatures
 * checked in file order by the shared ChainVerifier.
 */
import { createHash } from 'node:crypto';
import { ChainVerifier, type ChainResult, type ContinuesFrom } from '../../../shared/verify/chain-verifier';
import type { LineSummary } from '../../../shared/export/parse-line';
import type { CaseEvent, FormatVerification } from '../../../shared/formats/case-model';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import { LexObject } from '../../../shared/json/lexeme-json';
import { describeEvent } from '../../../shared/export/describe-event';
import type { FormatReader, VerifyFileOptions } from './reader';
import { lineBatches, type LineBatch } from '../read/line-batches';
import { defaultWorkerCount, inFileOrder, inlineRunner, nativeWorkerCount, workerRunner, type BatchRunner } from '../read/worker-pool';
import { DEFAULT_SUMMARIZE_WORKER, runBatchTask } from './batch-task';
import type { BatchItem } from './summarize-batch';
import { nativeScan } from './native-scan';
import { nodeSha256 } from '../read/hashes';
import { nodeVerifyEd25519 } from './node-ed25519';

export interface AuditExportVerifyOptions extends VerifyFileOptions {
  continues?: ContinuesFrom;
  /** Summaries of every line, in order (ingest keeps checkpoints and the header). */
  onLine?: (summary: LineSummary) => void;
  workerUrl?: URL | string;
  /** Called with the verifier before finish, so callers can read leaf hashes. */
  onVerifier?: (verifier: ChainVerifier) => void;
  /** Every batch of whole lines (decompressed), in file order, before its lines are verified: ingest writes the case's export copy from them. */
  onBatch?: (batch: LineBatch) => void;
  /** Use the native fast path when it is built (default); false for JavaScript only (the reference). */
  native?: boolean;
}

export interface AuditExportResult {
  chain: ChainResult;
  verification: FormatVerification;
  /** SHA-256 and size of the file as stored (compressed bytes for .gz): the evidence of what was examined. */
  file: { sha256: string; bytes: number };
}

export async function verifyAuditExport(options: AuditExportVerifyOptions): Promise<AuditExportResult> {
  const useNative = options.native ?? true;
  const merkleAppend = useNative ? nativeScan()?.merkleAppend : undefined;
  const verifier = new ChainVerifier({ sha256: nodeSha256, verifySignature: nodeVerifyEd25519, trust: options.trust, continues: options.continues, merkleAppend });
  const keepRaw = Boolean(options.onEvent || options.onLine);
  const workers = options.workers ?? (merkleAppend && !keepRaw ? nativeWorkerCount() : defaultWorkerCount());
  const task = { kind: 'summarize', keepRaw, useNative } as const;
  const runner: BatchRunner<BatchItem> =
    workers > 0 ? workerRunner<BatchItem>(workers, task, options.workerUrl ?? DEFAULT_SUMMARIZE_WORKER) : inlineRunner((batch) => runBatchTask(task, batch) as BatchItem[]);
  let index = 0;
  let bytes = 0;
  const fileHash = createHash('sha256');

  const consume = (summaries: BatchItem[]): void => {
    for (const s of summaries) {
      if (s.t === 'run') {
        // Only without onEvent/onLine (no raw lines kept): the native scan made it.
        verifier.addRun(s);
        index += s.count;
        continue;
      }
      if (s.t === 'event' && options.onEvent) {
        options.onEvent(toCaseEvent(s, index));
      }
      if (s.t === 'event') index++;
      options.onLine?.(s);
      verifier.add(s);
    }
    options.onProgress?.(bytes, index);
  };

  try {
    const batches = lineBatches(options.path, {
      batchBytes: 4 << 20,
      signal: options.signal,
      onRawChunk: (chunk) => {
        bytes += chunk.length;
        fileHash.update(chunk);
      },
    });
    const onBatch = options.onBatch;
    const ordered = inFileOrder(onBatch ? tapped(batches, onBatch) : batches, runner, Math.max(2, workers * 2));
    let next = await ordered.next();
    for (; !next.done; next = await ordered.next()) consume(next.value);
    const end = next.value;
    options.onVerifier?.(verifier);
    const chain = verifier.finish({ lastLineTerminated: end.lastLineTerminated, lines: end.lines });
    return { chain, verification: toVerification(chain, 'the first line is an audit-export/1 header'), file: { sha256: fileHash.digest('hex'), bytes } };
  } finally {
    await runner.close();
  }
}

/** The batches as they come, each shown to `see` first; the stream's result passed on. */
async function* tapped<R>(batches: AsyncGenerator<LineBatch, R>, see: (batch: LineBatch) => void): AsyncGenerator<LineBatch, R> {
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) return next.value;
      see(next.value);
      yield next.value;
    }
  } finally {
    // Stopped early: close the file.
    await batches.return(undefined as never);
  }
}

export function toCaseEvent(s: Extract<LineSummary, { t: 'event' }>, index: number): CaseEvent {
  const parsed = JSON.parse(s.raw ?? '{}') as { data?: Record<string, unknown> };
  const described = describeEvent(s.kind, parsed.data ?? {});
  return {
    index,
    seq: s.seq,
    line: s.line,
    ts: s.ts,
    kind: s.kind,
    actorType: (['agent', 'human', 'system'].includes(s.actorType) ? s.actorType : 'unknown') as CaseEvent['actorType'],
    actorId: s.actorId,
    outcome: described.outcome,
    summary: described.summary,
    raw: s.raw ?? '',
    canonical: null,
    recordedHash: s.hash,
    computedHash: s.computed,
    prevHash: s.prevHash,
    unauthenticated: [],
    ...eventKeys(parsed.data ?? {}),
  };
}

const idText = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : null);

/** The request, decision and subject an audit-export/1 event names (spec "Event kinds with meaning"). */
export function eventKeys(data: Record<string, unknown>): Pick<CaseEvent, 'requestId' | 'decisionId' | 'subjectId'> {
  const request = data.request as { principal?: { id?: unknown } } | undefined;
  return {
    requestId: idText(data.request_id),
    decisionId: idText(data.decision_id),
    subjectId: idText(request?.principal?.id) ?? idText(data.agent_id),
  };
}

export function verdictReason(chain: ChainResult): string {
  switch (chain.verdict) {
    case 'malformed':
      return chain.findings[0]?.message ?? 'The file cannot be read as an audit export.';
    case 'tampered':
      return chain.integrity.sentence;
    case 'unanchored': {
      // Consistent but not proven: say who signed, never that content changed.
      const consistent = chain.integrity.status === 'intact' ? 'The record is consistent (every hash, link and Merkle root holds), but it is not proven: ' : 'It is not proven: ';
      const unvouched = chain.signer.unvouched[0];
      const which = unvouched && unvouched.from_seq !== (chain.firstSeq ?? unvouched.from_seq) ? ` Events from seq ${unvouched.from_seq} on are not covered by a trusted signature.` : '';
      const other = chain.findings.find((f) => f.severity === 'anchor' && (f.kind === 'unanchored' || f.kind === 'checkpoint-predates-events'));
      return `${consistent}${chain.signer.sentence}${which}${other && chain.signer.status === 'trusted' ? ` ${other.message}` : ''}`;
    }
    case 'intact':
      return `All ${chain.events} events are hashed, linked and covered by valid checkpoints signed by trusted keys, and the export ends with a final checkpoint.`;
  }
}

export function toVerification(chain: ChainResult, formatReason: string): FormatVerification {
  return {
    format: EXPORT_FORMAT,
    formatReason,
    verdict: chain.verdict,
    verdictReason: verdictReason(chain),
    integrity: chain.integrity,
    signer: chain.signer,
    events: chain.events,
    findings: chain.findings,
    folded: chain.folded,
    firstFailure: chain.firstFailure,
    headHash: chain.headHash,
    chainStart: chain.header && chain.header.genesis !== '0'.repeat(64) ? 'anchored-head' : 'genesis',
    unauthenticatedFields: [],
    details: {
      export_id: chain.header?.export_id ?? null,
      chain_id: chain.header?.chain_id ?? null,
      genesis: chain.header?.genesis ?? null,
      first_seq: chain.firstSeq,
      last_seq: chain.lastSeq,
      lines: chain.lines,
      complete: chain.complete,
      anchored_events: chain.anchoredEvents,
      checkpoints: chain.checkpoints.map((c) => ({
        line: c.line,
        seq_hi: c.seqHi,
        tree_size: c.treeSize,
        key_id: c.keyId,
        final: c.final,
        ts: c.ts,
        merkle_root: c.merkleRoot,
        head_hash: c.headHash,
        status: c.status,
      })),
    },
  };
}

export const auditExportReader: FormatReader = {
  id: EXPORT_FORMAT,
  describe: 'Audit Replay native export: JSON Lines with a header, hash-chained events and signed Merkle checkpoints',
  detect(head) {
    // Decided on line 1's parsed members, so any spelling of the same JSON string ("audit-export\/1") is the same name.
    const line1 = head.line1;
    if (line1 instanceof LexObject && line1.get('type') === 'header' && line1.get('format') === EXPORT_FORMAT) {
      return { score: 100, reason: 'line 1 is a header naming the format audit-export/1' };
    }
    return null;
  },
  async verify(options) {
    return (await verifyAuditExport(options)).verification;
  },
};
