/**
 * `verify --redis`: plan, enqueue, wait, reduce. Two map stages (count each
 * segment's events, so each knows the event index it starts at; then
 * verify each segment) and the ordered reduce here, while this process
 * hashes the whole file for the report's SHA-256. The result is the one
 * verifyFile gives for the same file, field for field; anything the
 * distributed path cannot answer alike (another format, gzip, --continues)
 * is verified here by verifyFile itself.
 */
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { TrustStore } from '../../../shared/export/types';
import { InputError } from '../errors/errors';
import { checkRegularFile } from '../read/files';
import { fileDigest } from '../read/file-digest';
import { detectFormat, UnknownFormatError } from '../formats/registry';
import { toVerification } from '../formats/audit-export-reader';
import { SegmentLeavesNeeded } from '../../../shared/verify/chain-verifier';
import { loadTrustStore } from '../verify/trust-store';
import { verifyFile, type VerifyFileResult } from '../verify/verify-file';
import { createSubmitter, runId, type JobSpec, type Submitter } from './queue';
import { planSegments, type Plan, type SegmentRef, type SegmentSummary } from './segments';
import { reduceSegments, type ReduceStats } from './reduce';
import type { JobData } from './worker';

export const DEFAULT_SEGMENT_BYTES = 16 << 20;

export interface DistributedVerifyRequest {
  path: string;
  trustPath?: string | null;
  redis: string;
  segmentBytes?: number;
  /** See SubmitterOptions. */
  waitTimeoutMs?: number;
}

export interface DistributedVerifyResult {
  result: VerifyFileResult;
  /** How the answer was reached: segments planned, merged from summaries, read here; or why it was verified here. */
  how: { segments: number; stats: ReduceStats | null; local: string | null };
}

const where = (plan: Plan, k: number) => `Segment ${k + 1} of ${plan.segments.length} (bytes ${plan.segments[k].start}–${plan.segments[k].end})`;

export function segmentJobs(plan: Plan, id: string, kind: 'count' | 'segment', startIndexes: readonly number[] = []): JobSpec<JobData>[] {
  return plan.segments.map((s, k) => {
    const ref: SegmentRef = { path: plan.path, size: plan.size, mtimeMs: plan.mtimeMs, start: s.start, end: s.end };
    return kind === 'count'
      ? { name: 'count', id: `${id}-count-${k}`, data: { kind: 'count', ref }, what: where(plan, k) }
      : { name: 'verify-segment', id: `${id}-segment-${k}-${startIndexes[k]}`, data: { kind: 'segment', ref, startIndex: startIndexes[k] }, what: where(plan, k) };
  });
}

export async function verifyDistributed(request: DistributedVerifyRequest): Promise<DistributedVerifyResult> {
  await checkRegularFile(request.path, 'export');
  const trust: TrustStore | null = request.trustPath ? await loadTrustStore(request.trustPath) : null;
  const local = async (why: string): Promise<DistributedVerifyResult> => ({
    result: await verifyFile({ path: request.path, trustPath: request.trustPath ?? null }),
    how: { segments: 0, stats: null, local: why },
  });
  let chosen: { reason: string; reader: { id: string } };
  try {
    chosen = await detectFormat(request.path);
  } catch (err) {
    if (err instanceof UnknownFormatError) throw new InputError(err.message, request.path);
    throw err;
  }
  // Redis must be there even when the answer is computed here: the command was asked to use it.
  const submitter: Submitter = await createSubmitter(request.redis, { waitTimeoutMs: request.waitTimeoutMs });
  try {
    if (chosen.reader.id !== EXPORT_FORMAT) return await local(`${chosen.reader.id} is verified in one process`);
    const plan = await planSegments(request.path, request.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    if (!plan) return await local('a gzip export cannot be cut into byte ranges');
    const digest = fileDigest(request.path);
    digest.catch(() => {});
    const id = runId(['verify', plan.path, plan.size, plan.mtimeMs, request.segmentBytes ?? DEFAULT_SEGMENT_BYTES]);
    const counts = await submitter.run<JobData, { events: number }>(segmentJobs(plan, id, 'count'));
    const startIndexes: number[] = [];
    let index = 0;
    for (const c of counts) {
      startIndexes.push(index);
      index += c.events;
    }
    const summaries = await submitter.run<JobData, SegmentSummary>(segmentJobs(plan, id, 'segment', startIndexes));
    let reduced: Awaited<ReturnType<typeof reduceSegments>>;
    try {
      reduced = await reduceSegments(plan, trust, summaries);
    } catch (err) {
      if (err instanceof SegmentLeavesNeeded) return await local('a checkpoint needs leaves inside a segment (it lags behind its events)');
      throw err;
    }
    const file = await digest;
    if (file.bytes !== plan.size) throw new InputError(`the export changed while it was verified (${plan.size} bytes planned, ${file.bytes} read)`, request.path);
    const trustInfo = trust && request.trustPath ? { path: request.trustPath, keys: trust.keys.map((k) => k.key_id) } : null;
    const verification = toVerification(reduced.chain, 'the first line is an audit-export/1 header');
    return {
      result: { ...verification, formatReason: chosen.reason, file: { path: request.path, ...file }, trust: trustInfo, traceRecord: null },
      how: { segments: plan.segments.length, stats: reduced.stats, local: null },
    };
  } finally {
    await submitter.close();
  }
}
