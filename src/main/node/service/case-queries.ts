/**
 * Read-side queries of one case store for the review desk: summary, event
 * pages with filters, findings, replay results, timeline buckets and the
 * proof behind an event. Big reads page from SQLite; nothing loads every row.
 */
import type { CaseSummary, EventPage, EventProof, EventQuery, EventRow, TimelineData, TimelineQuery } from '../../../shared/api/audit-api';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { Finding } from '../../../shared/verify/findings';
import { canonicalizeWithout } from '../../../shared/json/canonical';
import { fromHex, toHex } from '../../../shared/hex';
import { leafHash, MerkleLevels, inclusionProofFrom, verifyInclusion } from '../../../shared/verify/merkle';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { CaseStoreReader, StoredEventHead } from '../store/case-store-reader';
import type { CaseMeta } from '../store/case-meta';
import { nodeSha256, nodeSha256Hex } from '../read/hashes';
import { conductNotRun } from '../../../shared/replay/conduct';
import { stretchOf } from '../../../shared/verify/answers';
import { MAX_LIMIT } from '../../../shared/api/validate';


export class CaseQueries {
  private meta: CaseMeta;
  private merkle: MerkleLevels | null = null;

  constructor(
    readonly caseId: string,
    readonly store: CaseStoreReader,
  ) {
    this.meta = store.meta();
  }

  refreshMeta(): void {
    this.meta = this.store.meta();
  }

  summary(): CaseSummary {
    const m = this.meta;
    const checkpoints = this.store.checkpoints().map((c) => ({ line: c.line, seqHi: c.seqHi, treeSize: c.treeSize, keyId: c.keyId, final: c.final, ts: c.ts, status: c.status }));
    const details = m.details;
    return {
      caseId: this.caseId,
      exportName: m.exportName,
      exportPath: m.exportPath,
      exportSha256: m.exportSha256,
      exportBytes: m.exportBytes,
      format: m.format,
      formatReason: m.formatReason,
      verdict: m.verdict,
      verdictReason: m.verdictReason,
      integrity: m.integrity ?? { status: 'unknown', unproven: [], sentence: 'This case was made by an older version: open the export again for the record answer.' },
      signer: m.signer ?? { status: 'none', key_id: null, public_key: null, unvouched: [], sentence: 'This case was made by an older version: open the export again for the signer answer.', advice: null },
      conduct: m.conduct ?? conductNotRun('This case was made by an older version: open the export again for the conduct answer.'),
      events: m.events,
      agents: m.agents,
      firstTs: m.firstTs,
      lastTs: m.lastTs,
      firstSeq: (details.first_seq as number | null) ?? null,
      lastSeq: (details.last_seq as number | null) ?? null,
      headHash: m.headHash,
      checkpoints,
      keys: [...new Set(checkpoints.map((c) => c.keyId))].sort(),
      anchoredEvents: Number(details.anchored_events ?? 0),
      findingCounts: this.store.findingCounts(),
      firstFailure: m.firstFailure,
      trustPath: m.trustPath,
      policiesPath: m.policiesPath,
      replay: m.replay,
      replayError: m.replayError,
      replayReportSha256: m.replayReportSha256,
      unauthenticatedFields: m.unauthenticatedFields,
      notesFrom: m.notesFrom,
    };
  }

  events(query: EventQuery): EventPage {
    const limit = Math.min(Math.max(0, query.limit), MAX_LIMIT);
    const offset = Math.max(0, query.offset);
    const { total, rows } = this.store.eventPage(query, limit, offset);
    const kinds = rows.length ? this.store.findingKindsBetween(rows[0].index, rows[rows.length - 1].index) : new Map<number, string[]>();
    return { total, offset, rows: rows.map((r) => toRow(r, kinds.get(r.index) ?? [])) };
  }

  findings(): Finding[] {
    return this.store.findings();
  }

  divergences(): DivergenceView[] {
    return this.store.divergences();
  }

  sequenceFindings(): SequenceFindingView[] {
    return this.store.sequenceFindings();
  }

  timeline(query: TimelineQuery): TimelineData {
    const buckets = Math.min(Math.max(1, Math.floor(query.buckets)), 2000);
    const span = this.store.timeSpan();
    const agents = this.meta.agents;
    if (!span) return { fromTs: null, toTs: null, agents, buckets: [], lanes: [], markers: [] };
    const from = query.fromTs ? Date.parse(query.fromTs) : span.lo;
    const to = query.toTs ? Date.parse(query.toTs) : span.hi;
    const width = Math.max(1, Math.ceil((to - from + 1) / buckets));
    const base = this.meta.timelineBase;
    // Pre-counted cells when the view is coarser than a cell; otherwise group the events in range.
    const cells: { t: number; agent: string; kind: string; outcome: string | null; n: number }[] =
      base && width >= base.width
        ? this.store
            .timelineCells(Math.floor((from - base.lo) / base.width), Math.floor((to - base.lo) / base.width))
            .map((c) => ({ t: base.lo + c.slot * base.width, agent: c.agent, kind: c.kind, outcome: c.outcome, n: c.n }))
        : this.store.timelineCounts(from, to, width).map((c) => ({ t: from + c.slot * width, agent: c.agent, kind: c.kind, outcome: c.outcome, n: c.n }));
    const out: TimelineData['buckets'] = Array.from({ length: buckets }, (_, i) => ({ start: new Date(from + i * width).toISOString(), total: 0, allow: 0, deny: 0, requireApproval: 0, other: 0 }));
    const laneCounts = new Map<string, Map<string, number>>();
    for (const c of cells) {
      const i = Math.min(buckets - 1, Math.max(0, Math.floor((c.t - from) / width)));
      const b = out[i];
      b.total += c.n;
      if (c.outcome === 'allow') b.allow += c.n;
      else if (c.outcome === 'deny') b.deny += c.n;
      else if (c.outcome === 'require_approval') b.requireApproval += c.n;
      else b.other += c.n;
      const lane = laneCounts.get(c.agent) ?? new Map<string, number>();
      const key = `${i}\u0000${c.kind}`;
      lane.set(key, (lane.get(key) ?? 0) + c.n);
      laneCounts.set(c.agent, lane);
    }
    const lanes = [...laneCounts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([agent, counts]) => ({
        agent,
        counts: [...counts.entries()]
          .map(([key, count]) => {
            const [bucket, kind] = key.split('\u0000');
            return { kind, bucket: Number(bucket), count };
          })
          .sort((x, y) => x.bucket - y.bucket || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0)),
      }));
    const markers = this.markers(from, to, width, base !== null);
    return {
      fromTs: new Date(from).toISOString(),
      toTs: new Date(to).toISOString(),
      agents,
      buckets: out,
      lanes,
      markers,
    };
  }

  /**
   * Markers spread over the whole view: in each bucket, the first event of
   * each marker type, plus every finding and divergence (rare, and the point).
   */
  private markers(from: number, to: number, width: number, indexed: boolean): TimelineData['markers'] {
    return this.store.timelineMarkers(from, to, width, indexed).map((p) => {
      const e = this.store.eventHead(p.index)!;
      return { index: p.index, seq: e.seq, ts: e.ts, kind: e.kind, marker: p.marker };
    });
  }

  proof(index: number): EventProof {
    const row = this.store.event(index);
    if (!row) throw new RangeError(`There is no event at position ${index} in this case.`);
    const native = this.meta.format === EXPORT_FORMAT;
    const previous = index > 0 ? this.store.recordedHash(index - 1) : null;
    const genesis = (this.meta.details.genesis as string | undefined) ?? null;
    const expectedPrev = index > 0 ? previous : native ? genesis : null;
    let canonical = row.canonical ?? '';
    let recomputed = row.computedHash ?? '';
    if (native) {
      canonical = canonicalizeWithout(JSON.parse(row.raw), 'hash').without;
      recomputed = nodeSha256Hex(canonical);
    }
    const proof: EventProof = {
      index,
      seq: row.seq,
      line: row.line,
      raw: row.raw,
      canonical,
      recordedHash: row.recordedHash ?? '',
      recomputedHash: recomputed,
      hashMatches: row.recordedHash ? row.recordedHash === recomputed : null,
      prevHash: row.prevHash ?? '',
      expectedPrevHash: expectedPrev,
      linkMatches: expectedPrev === null || row.prevHash === null ? null : expectedPrev === row.prevHash,
      checkpoint: null,
      leafHash: null,
      inclusion: [],
      inclusionOk: null,
      findings: this.store.findingsOfEvent(index),
      unauthenticatedFields: row.unauthenticated,
      unproven: stretchOf(this.meta.integrity?.unproven ?? [], row.seq),
    };
    if (!native || !row.recordedHash) return proof;
    const cp = this.store.checkpointCovering(index);
    const leaf = leafHash(nodeSha256, fromHex(row.recordedHash));
    proof.leafHash = toHex(leaf);
    if (!cp) return proof;
    proof.checkpoint = { line: cp.line, seqHi: cp.seqHi, treeSize: cp.treeSize, keyId: cp.keyId, final: cp.final, ts: cp.ts, status: cp.status, merkleRoot: cp.merkleRoot };
    const tree = this.merkleTree();
    if (cp.treeSize > tree.size) return proof;
    const path = inclusionProofFrom(tree, index, cp.treeSize);
    const verified = verifyInclusion(nodeSha256, leaf, index, cp.treeSize, path, fromHex(cp.merkleRoot));
    proof.inclusion = verified.steps.map((s) => ({ side: s.side, sibling: toHex(s.sibling), result: toHex(s.result) }));
    proof.inclusionOk = verified.ok;
    return proof;
  }

  /** Built on first use and kept: later proofs cost O(log² n). */
  private merkleTree(): MerkleLevels {
    if (!this.merkle) {
      const leaves: Uint8Array[] = [];
      for (const hash of this.store.recordedHashes()) leaves.push(leafHash(nodeSha256, fromHex(hash)));
      this.merkle = new MerkleLevels(nodeSha256, leaves);
    }
    return this.merkle;
  }
}

function toRow(r: StoredEventHead, findingKinds: string[]): EventRow {
  return {
    index: r.index,
    seq: r.seq,
    line: r.line,
    ts: r.ts,
    kind: r.kind,
    actorType: r.actorType,
    actorId: r.actorId,
    outcome: r.outcome,
    findingKinds,
    replayStatus: r.replayStatus as EventRow['replayStatus'],
    summary: r.summary,
  };
}
