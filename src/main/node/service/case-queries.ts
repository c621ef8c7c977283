/**
 * Read-side queries of one case store for the review desk: summary, event
 * pages with filters, findings, replay results, timeline buckets and the
 * proof behind an event. Big reads page from SQLite; nothing loads every row.
 */
import type {
  CaseSummary,
  EntryProofExport,
  EventPage,
  EventProof,
  EventQuery,
  EventRow,
  RequestStage,
  RequestStep,
  RequestStory,
  SearchKey,
  SearchResult,
  TimelineData,
  TimelineQuery,
} from '../../../shared/api/audit-api';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { Finding } from '../../../shared/verify/findings';
import { canonicalizeWithout } from '../../../shared/json/canonical';
import { fromHex, toHex } from '../../../shared/hex';
import { leafHash, MerkleLevels, inclusionProofFrom, verifyInclusion } from '../../../shared/verify/merkle';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { CaseStoreReader, HashColumn, StoredEvent, StoredEventHead } from '../store/case-store-reader';
import type { CaseMeta } from '../store/case-meta';
import { nodeSha256, nodeSha256Hex } from '../read/hashes';
import { conductNotRun } from '../../../shared/replay/conduct';
import { stretchOf } from '../../../shared/verify/answers';
import { MAX_LIMIT } from '../../../shared/api/validate';
import { buildEntryProof, entryProofText, proofCommand, proofFileName, provableUnder } from '../../../shared/verify/entry-proof';
import { summarizeLine } from '../../../shared/export/parse-line';
import { SentenceError } from '../errors/errors';

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
      signer: m.signer ?? {
        status: 'none',
        key_id: null,
        public_key: null,
        unvouched: [],
        sentence: 'This case was made by an older version: open the export again for the signer answer.',
        advice: null,
      },
      conduct: m.conduct ?? conductNotRun('This case was made by an older version: open the export again for the conduct answer.'),
      events: m.events,
      agents: m.agents,
      // Cases made before the meta kept every actor name them from the events.
      actors: m.actors.length ? m.actors : this.store.actors(),
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

  /**
   * An event hash (whole, or a prefix of at least 8 hex digits), a request id
   * or a decision id. Ids are looked up exactly on their indexes; a hash
   * prefix scans the hash columns.
   */
  search(rawTerm: string): SearchResult {
    const term = rawTerm.trim();
    const found: { by: SearchKey; idx: number }[] = [];
    const limit = MAX_SEARCH_MATCHES + 1;
    if (/^[0-9a-fA-F]{8,64}$/.test(term)) {
      for (const hit of this.store.eventsWithHash(term, limit)) found.push({ by: HASH_KEYS[hit.by], idx: hit.index });
    }
    if (term) {
      for (const [key, by] of [
        ['request', 'request id'],
        ['decision', 'decision id'],
      ] as const) {
        for (const idx of this.store.eventsWithId(key, term, limit)) found.push({ by, idx });
      }
    }
    found.sort((a, b) => a.idx - b.idx);
    const kept = found.slice(0, MAX_SEARCH_MATCHES);
    const rows = this.rowsAt(kept.map((f) => f.idx));
    return { term, matches: kept.map((f) => ({ by: f.by, row: rows.get(f.idx)! })), truncated: found.length > MAX_SEARCH_MATCHES };
  }

  /** Every event carrying the request id of the event at `index`, in file order, with what each step says. */
  requestStory(index: number): RequestStory | null {
    const requestId = this.store.requestIdOf(index);
    if (requestId === undefined) throw new RangeError(`There is no event at position ${index} in this case.`);
    if (requestId === null) return null;
    const all = this.store.requestEvents(requestId, MAX_STORY_STEPS + 1);
    const events = all.slice(0, MAX_STORY_STEPS);
    const kinds = this.findingKindsFor(events.map((e) => e.index));
    const conduct = this.store.sequenceFindingsOfEvents(events.map((e) => e.index));
    const msOf = (e: StoredEvent) => {
      const ms = Date.parse(e.ts);
      return Number.isNaN(ms) ? null : ms;
    };
    const start = events.map(msOf).find((ms) => ms !== null) ?? null;
    const steps: RequestStep[] = events.map((e) => {
      const ms = msOf(e);
      return {
        row: toRow(e, kinds.get(e.index) ?? []),
        stage: stageOf(e.kind),
        afterMs: start !== null && ms !== null ? ms - start : null,
        detail: stepDetail(e),
        conduct: conduct.get(e.index) ?? [],
      };
    });
    const requester = events.find((e) => e.kind === 'action.requested')?.actorId ?? null;
    return { requestId, requester, steps, ending: storyEnding(steps), truncated: all.length > MAX_STORY_STEPS };
  }

  private rowsAt(indexes: number[]): Map<number, EventRow> {
    const out = new Map<number, EventRow>();
    const heads = this.store.eventHeads(indexes);
    const kinds = this.findingKindsFor([...heads.keys()]);
    for (const [idx, head] of heads) out.set(idx, toRow(head, kinds.get(idx) ?? []));
    return out;
  }

  private findingKindsFor(indexes: number[]): Map<number, string[]> {
    if (!indexes.length) return new Map();
    return this.store.findingKindsBetween(Math.min(...indexes), Math.max(...indexes));
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

  /**
   * The proof file of the event at this position (audit-replay-proof/1):
   * its line, the audit path to the covering checkpoint's root, that
   * checkpoint's line and the key the export names for it. Refused for an
   * event that no checkpoint with a holding signature covers.
   */
  entryProof(index: number): EntryProofExport {
    const row = this.store.event(index);
    if (!row) throw new RangeError(`There is no event at position ${index} in this case.`);
    if (this.meta.format !== EXPORT_FORMAT) throw new SentenceError(`Only ${EXPORT_FORMAT} entries have a proof that can be checked on its own; this case is ${this.meta.format}.`);
    const cp = this.store.checkpointCovering(index);
    if (!row.recordedHash || !cp || !provableUnder(cp.status)) {
      throw new SentenceError(`Event seq ${row.seq} is not covered by any checkpoint whose signature holds, so a proof of it would prove nothing.`);
    }
    const tree = this.merkleTree();
    const checkpointText = this.store.exportLine(cp.line);
    const header = this.store.exportLine(1);
    if (cp.treeSize > tree.size || checkpointText === null || header === null) {
      throw new SentenceError('This case keeps no copy of its export lines (it was made by an older version): open the export again to export a proof.');
    }
    const path = inclusionProofFrom(tree, index, cp.treeSize);
    if (!verifyInclusion(nodeSha256, leafHash(nodeSha256, fromHex(row.recordedHash)), index, cp.treeSize, path, fromHex(cp.merkleRoot)).ok) {
      throw new SentenceError(`The checkpoint on line ${cp.line} that covers event seq ${row.seq} does not match the events, so a proof of it would prove nothing.`);
    }
    const h = summarizeLine(header, 1, nodeSha256Hex);
    const key = h.t === 'header' ? (h.header.keys.find((k) => k.key_id === cp.keyId) ?? null) : null;
    const proof = buildEntryProof({
      exportName: this.meta.exportName,
      exportSha256: this.meta.exportSha256,
      exportId: (this.meta.details.export_id as string | null | undefined) ?? null,
      chainId: (this.meta.details.chain_id as string | null | undefined) ?? null,
      seq: row.seq,
      line: row.line,
      text: row.raw,
      recordedHash: row.recordedHash,
      prevHash: row.prevHash ?? '',
      leafIndex: index,
      treeSize: cp.treeSize,
      path,
      checkpointLine: cp.line,
      checkpointText,
      key: key && { key_id: key.key_id, alg: key.alg, public_key: key.public_key },
    });
    const text = entryProofText(proof);
    const fileName = proofFileName(this.meta.exportName, row.seq);
    const trust = this.meta.trustPath ? this.meta.trustPath.split(/[\\/]/).pop()! : null;
    return { fileName, text, sha256: nodeSha256Hex(text), bytes: Buffer.byteLength(text), path: null, command: proofCommand(fileName, trust) };
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

export const MAX_SEARCH_MATCHES = 200;
export const MAX_STORY_STEPS = 500;

const HASH_KEYS: Record<HashColumn, SearchKey> = { recorded: 'event hash', computed: 'recomputed hash', previous: 'previous hash' };

const STAGES: Record<string, RequestStage> = {
  'action.requested': 'requested',
  'policy.decision': 'decision',
  'approval.requested': 'approval asked',
  'approval.granted': 'approved',
  'approval.denied': 'refused',
  'action.projected': 'projected',
  'action.executed': 'executed',
  'action.failed': 'failed',
};

function stageOf(kind: string): RequestStage {
  return STAGES[kind] ?? 'other';
}

const word = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

/** What a step says, from its line (audit-export/1 members); the table's summary for anything else. */
function stepDetail(e: StoredEvent): string {
  let data: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(e.raw) as { data?: unknown };
    if (parsed && typeof parsed.data === 'object' && parsed.data !== null) data = parsed.data as Record<string, unknown>;
  } catch {
    return e.summary;
  }
  switch (e.kind) {
    case 'action.requested': {
      const args = data.args && typeof data.args === 'object' ? Object.entries(data.args as Record<string, unknown>).map(([k, v]) => `${k} ${word(v) ?? JSON.stringify(v)}`) : [];
      return `${e.actorId} asks to ${word(data.tool) ?? 'act'}${args.length ? ` (${args.join(', ')})` : ''}`;
    }
    case 'policy.decision': {
      const outcome = data.outcome as { effect?: unknown; determining?: unknown } | undefined;
      const policy = data.policy as { name?: unknown; version?: unknown } | undefined;
      const determining = Array.isArray(outcome?.determining) ? outcome.determining.map((p) => word(p)).filter(Boolean) : [];
      const effect = { allow: 'allowed', deny: 'denied', require_approval: 'needs approval' }[word(outcome?.effect) ?? ''] ?? word(outcome?.effect) ?? 'no effect recorded';
      const replay = e.replayStatus === 'diverged' ? '; replay DIVERGES' : e.replayStatus === 'match' ? '; replay matches' : '';
      return `${effect} by ${word(policy?.name) ?? '?'}@${word(policy?.version) ?? '?'}${determining.length ? `, policies ${determining.join(', ')}` : ''}${word(data.decision_id) ? ` (${word(data.decision_id)})` : ''}${replay}`;
    }
    case 'approval.requested':
      return `approval asked${word(data.reason) ? `: ${word(data.reason)}` : ''}`;
    case 'approval.granted':
    case 'approval.denied':
      return `${e.kind === 'approval.granted' ? 'approved' : 'refused'} by ${word(data.approver) ?? e.actorId}${word(data.expires_at) ? `, valid until ${word(data.expires_at)}` : ''}`;
    case 'action.executed': {
      const result = data.result as { status?: unknown } | undefined;
      return `executed by ${e.actorId}${word(result?.status) ? ` (${word(result?.status)})` : ''}`;
    }
    case 'action.failed':
      return `failed${word(data.error) ? `: ${word(data.error)}` : ''}`;
    default:
      return e.summary;
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

/** How the request ended, from its last decisive step. */
function storyEnding(steps: RequestStep[]): string {
  const last = <S extends RequestStage>(stage: S) => [...steps].reverse().find((s) => s.stage === stage);
  const executed = last('executed');
  const failed = last('failed');
  const after = (s: RequestStep) => (s.afterMs === null ? '' : ` ${seconds(s.afterMs)} after it was requested`);
  const decision = last('decision');
  if (executed) {
    const denied = decision?.row.outcome === 'deny';
    return `executed${after(executed)}${denied ? ', although the decision was deny' : ''}`;
  }
  if (failed) return `failed${after(failed)}`;
  const refused = last('refused');
  if (refused) return 'approval refused; not executed';
  if (decision?.row.outcome === 'deny') return 'denied; not executed';
  if (decision?.row.outcome === 'require_approval' && !last('approved')) return 'waiting for approval; no approval or execution recorded';
  return 'no execution recorded';
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
