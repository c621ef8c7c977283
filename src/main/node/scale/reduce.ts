/**
 * The ordered reduce of distributed verification: one ChainVerifier (the
 * one `verify` uses, with the same trust logic and signature check) fed the
 * segments in file order. A clean segment whose compact ranges were
 * computed at the right event index goes in as SegmentRuns (links and
 * sequence across its edge are checked as for any event; its ranges merge
 * into the tree, so each checkpoint is checked against the root of all
 * events before it). A dirty segment, or one whose index guess was wrong,
 * is read here with the ordinary summarizer. A checkpoint that needs a leaf
 * no segment brought (SegmentLeavesNeeded) sends the caller to the local
 * command instead.
 */
import { ChainVerifier, type ChainResult } from '../../../shared/verify/chain-verifier';
import type { TrustStore } from '../../../shared/export/types';
import { fromHex } from '../../../shared/hex';
import { lineBatches, type ByteRange } from '../read/line-batches';
import { nodeSha256 } from '../read/hashes';
import { runBatchTask } from '../formats/batch-task';
import type { BatchItem } from '../formats/summarize-batch';
import { nativeScan } from '../formats/native-scan';
import { nodeVerifyEd25519 } from '../formats/node-ed25519';
import type { Plan, SegmentSummary } from './segments';

const task = { kind: 'summarize', keepRaw: false, useNative: true } as const;

/** Reads bytes of the export here, feeding the verifier as `verify` does; returns the range's line count and end. */
async function feedLocal(verifier: ChainVerifier, path: string, range: ByteRange): Promise<{ lines: number; lastLineTerminated: boolean }> {
  const batches = lineBatches(path, { range, batchBytes: 4 << 20 });
  let next = await batches.next();
  for (; !next.done; next = await batches.next()) {
    for (const s of runBatchTask(task, next.value) as BatchItem[]) {
      if (s.t === 'run') verifier.addRun(s);
      else verifier.add(s);
    }
  }
  return { lines: next.value.lines, lastLineTerminated: next.value.lastLineTerminated };
}

export interface ReduceStats {
  /** Segments taken from their summaries, and segments read here. */
  merged: number;
  readHere: number;
}

/**
 * The chain result for the planned file, from the summaries in segment
 * order. `summaries[k]` null means segment k was not verified elsewhere and
 * is read here.
 */
export async function reduceSegments(plan: Plan, trust: TrustStore | null, summaries: readonly (SegmentSummary | null)[]): Promise<{ chain: ChainResult; stats: ReduceStats }> {
  const verifier = new ChainVerifier({ sha256: nodeSha256, verifySignature: nodeVerifyEd25519, trust, merkleAppend: nativeScan()?.merkleAppend });
  const stats: ReduceStats = { merged: 0, readHere: 0 };
  let end = await feedLocal(verifier, plan.path, { start: 0, end: plan.headerEnd, firstLine: 1 });
  let lines = end.lines;
  for (let k = 0; k < plan.segments.length; k++) {
    const seg = plan.segments[k];
    const summary = summaries[k];
    const firstLine = lines + 1;
    if (!summary || summary.dirty || summary.startIndex !== verifier.eventCount) {
      end = await feedLocal(verifier, plan.path, { start: seg.start, end: seg.end, firstLine });
      stats.readHere++;
    } else {
      for (const p of summary.pieces) {
        const line = firstLine + p.lineOffset;
        if (p.t === 'run') {
          verifier.addSegment({ line, count: p.count, first: p.first, last: p.last, range: p.range.map((n) => ({ size: n.size, hash: fromHex(n.hash) })) });
        } else {
          verifier.add({ ...p.summary, line });
        }
      }
      end = { lines: summary.lines, lastLineTerminated: summary.lastLineTerminated };
      stats.merged++;
    }
    lines += end.lines;
  }
  return { chain: verifier.finish({ lastLineTerminated: end.lastLineTerminated, lines }), stats };
}
