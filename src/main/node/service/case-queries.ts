/**
 * Read-side queries of one case store for the review desk: summary, event
 * pages with filters, findings, replay results, timeline buckets and the
 * proof behind an event. Big reads page from SQLite; nothing loads every row.
 */
import type { CaseSummary, EventPage, EventProof, EventQuery, EventRow, RequestStage, RequestStep, RequestStory, SearchKey, SearchResult, TimelineData, TimelineQuery } from '../../../shared/api/audit-api';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { Finding, FindingKind, Severity, Verdict } from '../../../shared/verify/findings';
import { canonicalizeWithout } from '../../../shared/json/canonical';
import { fromHex, toHex } from '../../../shared/hex';
import { leafHash, MerkleLevels, inclusionProofFrom, verifyInclusion } from '../../../shared/verify/merkle';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import { readMeta, type Db } from '../store/case-store';
import { MARKER_SQL, type TimelineBase } from '../store/timeline-index';
import { nodeSha256, nodeSha256Hex } from '../read/hashes';
import { conductNotRun } from '../../../shared/replay/conduct';
import { stretchOf } from '../../../shared/verify/answers';
import { MAX_LIMIT } from '../../../shared/api/validate';


export class CaseQueries {
  private meta: Record<string, unknown>;
  private merkle: MerkleLevels | null = null;

  constructor(
    readonly caseId: string,
    readonly db: Db,
  ) {
    this.meta = readMeta(db);
  }

  refreshMeta(): void {
    this.meta = readMeta(this.db);
  }

  summary(): CaseSummary {
    const m = this.meta;
    const counts: Record<string, number> = {};
    for (const row of this.db.prepare('SELECT kind, count(*) AS n FROM findings GROUP BY kind ORDER BY kind').all() as { kind: string; n: number }[]) counts[row.kind] = row.n;
    const checkpoints = (this.db.prepare('SELECT line, seq_hi, tree_size, key_id, final, ts, status FROM checkpoints ORDER BY line').all() as {
      line: number; seq_hi: number; tree_size: number; key_id: string; final: number; ts: string; status: string;
    }[]).map((c) => ({ line: c.line, seqHi: c.seq_hi, treeSize: c.tree_size, keyId: c.key_id, final: c.final === 1, ts: c.ts, status: c.status }));
    const details = (m.details ?? {}) as Record<string, unknown>;
    const replay = (m.replay ?? null) as CaseSummary['replay'];
    return {
      caseId: this.caseId,
      exportName: String(m.export_name ?? ''),
      exportPath: String(m.export_path ?? ''),
      exportSha256: String(m.export_sha256 ?? ''),
      exportBytes: Number(m.export_bytes ?? 0),
      format: String(m.format ?? ''),
      formatReason: String(m.format_reason ?? ''),
      verdict: m.verdict as Verdict,
      verdictReason: String(m.verdict_reason ?? ''),
      integrity: (m.integrity as CaseSummary['integrity'] | undefined) ?? { status: 'unknown', unproven: [], sentence: 'This case was made by an older version: open the export again for the record answer.' },
      signer: (m.signer as CaseSummary['signer'] | undefined) ?? { status: 'none', key_id: null, public_key: null, unvouched: [], sentence: 'This case was made by an older version: open the export again for the signer answer.', advice: null },
      conduct: (m.conduct as CaseSummary['conduct'] | undefined) ?? conductNotRun('This case was made by an older version: open the export again for the conduct answer.'),
      events: Number(m.events ?? 0),
      agents: (m.agents as string[]) ?? [],
      actors: (m.actors as string[] | undefined) ?? (this.db.prepare('SELECT DISTINCT actor_id FROM events ORDER BY actor_id').pluck().all() as string[]),
      firstTs: (m.first_ts as string | null) ?? null,
      lastTs: (m.last_ts as string | null) ?? null,
      firstSeq: (details.first_seq as number | null) ?? null,
      lastSeq: (details.last_seq as number | null) ?? null,
      headHash: (m.head_hash as string | null) ?? null,
      checkpoints,
      keys: [...new Set(checkpoints.map((c) => c.keyId))].sort(),
      anchoredEvents: Number(details.anchored_events ?? 0),
      findingCounts: counts,
      firstFailure: (m.first_failure as Finding | null) ?? null,
      trustPath: (m.trust_path as string | null) ?? null,
      policiesPath: (m.policies_path as string | null) ?? null,
      replay,
      replayError: (m.replay_error as string | null) ?? null,
      replayReportSha256: (m.replay_report_sha256 as string | null) ?? null,
      unauthenticatedFields: (m.unauthenticated_fields as string[]) ?? [],
      notesFrom: (m.notes_from as CaseSummary['notesFrom']) ?? null,
    };
  }

  events(query: EventQuery): EventPage {
    const limit = Math.min(Math.max(0, query.limit), MAX_LIMIT);
    const offset = Math.max(0, query.offset);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (query.agent) {
      // The agent acting, or the agent the event is about (policy-engine records decisions about it; a person approves its requests).
      if (query.agentRole === 'actor') add('e.actor_id = ?', query.agent);
      else if (query.agentRole === 'subject') add('e.subject_id = ?', query.agent);
      else add('(e.actor_id = ? OR e.subject_id = ?)', query.agent, query.agent);
    }
    if (query.kind) add('e.kind = ?', query.kind);
    if (query.outcome) add('e.outcome = ?', query.outcome);
    if (query.diverged) add("e.replay_status = 'diverged'");
    if (query.finding === '*') add('EXISTS (SELECT 1 FROM findings f WHERE f.event_idx = e.idx)');
    else if (query.finding) add('EXISTS (SELECT 1 FROM findings f WHERE f.event_idx = e.idx AND f.kind = ?)', query.finding);
    if (query.fromTs) add('e.ts_ms >= ?', Date.parse(query.fromTs));
    if (query.toTs) add('e.ts_ms <= ?', Date.parse(query.toTs));
    if (typeof query.seqFrom === 'number') add('e.seq >= ?', query.seqFrom);
    if (typeof query.seqTo === 'number') add('e.seq <= ?', query.seqTo);
    if (query.text) {
      const like = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add("(e.summary LIKE ? ESCAPE '\\' OR e.raw LIKE ? ESCAPE '\\')", like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = where.length
      ? (this.db.prepare(`SELECT count(*) FROM events e ${clause}`).pluck().get(...params) as number)
      : (this.db.prepare('SELECT count(*) FROM events').pluck().get() as number);
    // Unfiltered pages seek by primary key, so deep offsets stay fast on a million rows.
    const rows = (where.length
      ? this.db.prepare(`SELECT e.* FROM events e ${clause} ORDER BY e.idx LIMIT ? OFFSET ?`).all(...params, limit, offset)
      : this.db.prepare('SELECT e.* FROM events e WHERE e.idx >= ? ORDER BY e.idx LIMIT ?').all(offset, limit)) as EventDbRow[];
    const kinds = this.findingKindsFor(rows.map((r) => r.idx));
    return { total, offset, rows: rows.map((r) => toRow(r, kinds.get(r.idx) ?? [])) };
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
      const hex = term.toLowerCase();
      const exact = hex.length === 64;
      const test = exact ? '= ?' : "LIKE ? ESCAPE '\\'";
      const value = exact ? hex : `${hex}%`;
      const rows = this.db
        .prepare(
          `SELECT idx, CASE WHEN recorded_hash ${test} THEN 'event hash' WHEN computed_hash ${test} THEN 'recomputed hash' ELSE 'previous hash' END AS by
           FROM events WHERE recorded_hash ${test} OR computed_hash ${test} OR prev_hash ${test} ORDER BY idx LIMIT ?`,
        )
        .all(value, value, value, value, value, limit) as { idx: number; by: SearchKey }[];
      found.push(...rows);
    }
    if (term) {
      for (const [column, by] of [['request_id', 'request id'], ['decision_id', 'decision id']] as const) {
        for (const idx of this.db.prepare(`SELECT idx FROM events WHERE ${column} = ? ORDER BY idx LIMIT ?`).pluck().all(term, limit) as number[]) found.push({ by, idx });
      }
    }
    found.sort((a, b) => a.idx - b.idx);
    const kept = found.slice(0, MAX_SEARCH_MATCHES);
    const rows = this.rowsAt(kept.map((f) => f.idx));
    return { term, matches: kept.map((f) => ({ by: f.by, row: rows.get(f.idx)! })), truncated: found.length > MAX_SEARCH_MATCHES };
  }

  /** Every event carrying the request id of the event at `index`, in file order, with what each step says. */
  requestStory(index: number): RequestStory | null {
    const requestId = this.db.prepare('SELECT request_id FROM events WHERE idx = ?').pluck().get(index) as string | null | undefined;
    if (requestId === undefined) throw new RangeError(`There is no event at position ${index} in this case.`);
    if (requestId === null) return null;
    const all = this.db.prepare('SELECT * FROM events WHERE request_id = ? ORDER BY idx LIMIT ?').all(requestId, MAX_STORY_STEPS + 1) as EventDbRow[];
    const events = all.slice(0, MAX_STORY_STEPS);
    const kinds = this.findingKindsFor(events.map((e) => e.idx));
    const conduct = new Map<number, RequestStep['conduct']>();
    const hasSeverity = (this.db.prepare("SELECT count(*) FROM pragma_table_info('sequence_findings') WHERE name = 'severity'").pluck().get() as number) > 0;
    const conductOf = this.db.prepare(`SELECT kind, message, ${hasSeverity ? 'severity' : "'violation' AS severity"} FROM sequence_findings WHERE event_idx = ? ORDER BY id`);
    for (const e of events) {
      const rows = conductOf.all(e.idx) as { kind: string; message: string; severity: string }[];
      if (rows.length) conduct.set(e.idx, rows.map((r) => ({ kind: r.kind, message: r.message, severity: r.severity === 'warning' ? 'warning' : 'violation' })));
    }
    const start = events.find((e) => e.ts_ms !== null)?.ts_ms ?? null;
    const steps: RequestStep[] = events.map((e) => ({
      row: toRow(e, kinds.get(e.idx) ?? []),
      stage: stageOf(e.kind),
      afterMs: start !== null && e.ts_ms !== null ? e.ts_ms - start : null,
      detail: stepDetail(e),
      conduct: conduct.get(e.idx) ?? [],
    }));
    const requester = events.find((e) => e.kind === 'action.requested')?.actor_id ?? null;
    return { requestId, requester, steps, ending: storyEnding(steps), truncated: all.length > MAX_STORY_STEPS };
  }

  private rowsAt(indexes: number[]): Map<number, EventRow> {
    const out = new Map<number, EventRow>();
    const unique = [...new Set(indexes)];
    if (!unique.length) return out;
    const kinds = this.findingKindsFor(unique);
    const get = this.db.prepare('SELECT * FROM events WHERE idx = ?');
    for (const idx of unique) {
      const r = get.get(idx) as EventDbRow;
      out.set(idx, toRow(r, kinds.get(idx) ?? []));
    }
    return out;
  }

  private findingKindsFor(indexes: number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    if (!indexes.length) return out;
    const lo = Math.min(...indexes);
    const hi = Math.max(...indexes);
    for (const r of this.db.prepare('SELECT event_idx, kind FROM findings WHERE event_idx BETWEEN ? AND ? ORDER BY id').all(lo, hi) as { event_idx: number; kind: string }[]) {
      const list = out.get(r.event_idx) ?? [];
      if (!list.includes(r.kind)) list.push(r.kind);
      out.set(r.event_idx, list);
    }
    return out;
  }

  findings(): Finding[] {
    return (this.db.prepare('SELECT kind, seq, line, message, severity FROM findings ORDER BY coalesce(line, 9007199254740991), id').all() as {
      kind: string; seq: number | null; line: number | null; message: string; severity: string;
    }[]).map((f) => ({ kind: f.kind as FindingKind, seq: f.seq, line: f.line, message: f.message, severity: f.severity as Severity }));
  }

  divergences(): DivergenceView[] {
    return (this.db.prepare('SELECT * FROM replay_results WHERE status <> \'match\' ORDER BY event_idx').all() as {
      event_idx: number; seq: number; decision_id: string; agent: string; status: string; reason: string; fields: string; policy_name: string; policy_version: string; determining: string;
    }[]).map((r) => ({
      seq: r.seq,
      index: r.event_idx,
      decisionId: r.decision_id,
      agent: r.agent,
      status: r.status as DivergenceView['status'],
      reason: r.reason,
      fields: JSON.parse(r.fields),
      policyName: r.policy_name,
      policyVersion: r.policy_version,
      determiningPolicies: JSON.parse(r.determining),
    }));
  }

  sequenceFindings(): SequenceFindingView[] {
    // A case written before store version 5 has no severity or related events: every finding was a violation naming none.
    const columns = new Set((this.db.prepare('SELECT name FROM pragma_table_info(\'sequence_findings\')').all() as { name: string }[]).map((c) => c.name));
    const extra = columns.has('related_seqs') ? ', severity, related_seqs' : ", 'violation' AS severity, '[]' AS related_seqs";
    const rows = this.db.prepare(`SELECT kind, seq, event_idx AS "index", message${extra} FROM sequence_findings ORDER BY event_idx, id`).all() as (Omit<SequenceFindingView, 'relatedSeqs' | 'severity'> & { severity: string; related_seqs: string })[];
    return rows.map(({ related_seqs, severity, ...r }) => ({ ...r, severity: severity === 'warning' ? 'warning' : 'violation', relatedSeqs: JSON.parse(related_seqs) as number[] }));
  }

  timeline(query: TimelineQuery): TimelineData {
    const buckets = Math.min(Math.max(1, Math.floor(query.buckets)), 2000);
    const span = this.db.prepare('SELECT min(ts_ms) AS lo, max(ts_ms) AS hi FROM events WHERE ts_ms IS NOT NULL').get() as { lo: number | null; hi: number | null };
    const agents = (this.meta.agents as string[]) ?? [];
    if (span.lo === null || span.hi === null) return { fromTs: null, toTs: null, agents, buckets: [], lanes: [], markers: [] };
    const from = query.fromTs ? Date.parse(query.fromTs) : span.lo;
    const to = query.toTs ? Date.parse(query.toTs) : span.hi;
    const width = Math.max(1, Math.ceil((to - from + 1) / buckets));
    const base = (this.meta.timeline_base as TimelineBase | null | undefined) ?? null;
    // Pre-counted cells when the view is coarser than a cell; otherwise group the events in range.
    const cells: { t: number; agent: string; kind: string; outcome: string | null; n: number }[] =
      base && width >= base.width
        ? (this.db
            .prepare('SELECT cell, actor_id AS agent, kind, outcome, n FROM timeline_cells WHERE cell BETWEEN ? AND ?')
            .all(Math.floor((from - base.lo) / base.width), Math.floor((to - base.lo) / base.width)) as { cell: number; agent: string; kind: string; outcome: string; n: number }[]
          ).map((c) => ({ t: base.lo + c.cell * base.width, agent: c.agent, kind: c.kind, outcome: c.outcome, n: c.n }))
        : (this.db
            .prepare(
              `SELECT CAST((ts_ms - ?) / ? AS INTEGER) AS b, actor_id AS agent, kind, outcome, count(*) AS n
               FROM events WHERE ts_ms BETWEEN ? AND ? GROUP BY b, actor_id, kind, outcome`,
            )
            .all(from, width, from, to) as { b: number; agent: string; kind: string; outcome: string | null; n: number }[]
          ).map((c) => ({ t: from + c.b * width, agent: c.agent, kind: c.kind, outcome: c.outcome, n: c.n }));
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
    const source = indexed
      ? 'timeline_markers m'
      : `(SELECT e.idx, e.ts_ms, ${MARKER_SQL} AS marker FROM events e WHERE e.ts_ms BETWEEN ${Number(from)} AND ${Number(to)}) m`;
    const picked = this.db
      .prepare(
        `SELECT min(m.idx) AS idx, m.marker FROM ${source}
         WHERE m.ts_ms BETWEEN ? AND ? AND m.marker IS NOT NULL AND m.marker NOT IN ('finding', 'divergence')
         GROUP BY CAST((m.ts_ms - ?) / ? AS INTEGER), m.marker
         UNION ALL
         SELECT * FROM (SELECT m.idx, m.marker FROM ${source} WHERE m.ts_ms BETWEEN ? AND ? AND m.marker IN ('finding', 'divergence') ORDER BY m.idx LIMIT 2000)
         ORDER BY idx`,
      )
      .all(from, to, from, width, from, to) as { idx: number; marker: TimelineData['markers'][number]['marker'] }[];
    const event = this.db.prepare('SELECT seq, ts, kind FROM events WHERE idx = ?');
    return picked.map((p) => {
      const e = event.get(p.idx) as { seq: number; ts: string; kind: string };
      return { index: p.idx, seq: e.seq, ts: e.ts, kind: e.kind, marker: p.marker };
    });
  }

  proof(index: number): EventProof {
    const row = this.db.prepare('SELECT * FROM events WHERE idx = ?').get(index) as EventDbRow | undefined;
    if (!row) throw new RangeError(`There is no event at position ${index} in this case.`);
    const native = this.meta.format === EXPORT_FORMAT;
    const findings = (this.db.prepare('SELECT kind, seq, line, message, severity FROM findings WHERE event_idx = ? ORDER BY id').all(index) as Finding[]);
    const unauthenticated = row.unauthenticated ? (JSON.parse(row.unauthenticated) as string[]) : [];
    const previous = index > 0 ? (this.db.prepare('SELECT recorded_hash FROM events WHERE idx = ?').pluck().get(index - 1) as string | null) : null;
    const genesis = ((this.meta.details as Record<string, unknown> | undefined)?.genesis as string | undefined) ?? null;
    const expectedPrev = index > 0 ? previous : native ? genesis : null;
    let canonical = row.canonical ?? '';
    let recomputed = row.computed_hash ?? '';
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
      recordedHash: row.recorded_hash ?? '',
      recomputedHash: recomputed,
      hashMatches: row.recorded_hash ? row.recorded_hash === recomputed : null,
      prevHash: row.prev_hash ?? '',
      expectedPrevHash: expectedPrev,
      linkMatches: expectedPrev === null || row.prev_hash === null ? null : expectedPrev === row.prev_hash,
      checkpoint: null,
      leafHash: null,
      inclusion: [],
      inclusionOk: null,
      findings,
      unauthenticatedFields: unauthenticated,
      unproven: stretchOf(((this.meta.integrity as CaseSummary['integrity'] | undefined)?.unproven ?? []), row.seq),
    };
    if (!native || !row.recorded_hash) return proof;
    const cp = this.db
      .prepare("SELECT * FROM checkpoints WHERE tree_size > ? ORDER BY (status IN ('valid', 'self-signed')) DESC, tree_size LIMIT 1")
      .get(index) as { line: number; seq_hi: number; tree_size: number; key_id: string; final: number; ts: string; status: string; merkle_root: string } | undefined;
    const leaf = leafHash(nodeSha256, fromHex(row.recorded_hash));
    proof.leafHash = toHex(leaf);
    if (!cp) return proof;
    proof.checkpoint = { line: cp.line, seqHi: cp.seq_hi, treeSize: cp.tree_size, keyId: cp.key_id, final: cp.final === 1, ts: cp.ts, status: cp.status, merkleRoot: cp.merkle_root };
    const tree = this.merkleTree();
    if (cp.tree_size > tree.size) return proof;
    const path = inclusionProofFrom(tree, index, cp.tree_size);
    const verified = verifyInclusion(nodeSha256, leaf, index, cp.tree_size, path, fromHex(cp.merkle_root));
    proof.inclusion = verified.steps.map((s) => ({ side: s.side, sibling: toHex(s.sibling), result: toHex(s.result) }));
    proof.inclusionOk = verified.ok;
    return proof;
  }

  /** Built on first use and kept: later proofs cost O(log² n). */
  private merkleTree(): MerkleLevels {
    if (!this.merkle) {
      const leaves: Uint8Array[] = [];
      for (const hash of this.db.prepare('SELECT recorded_hash FROM events ORDER BY idx').pluck().iterate() as Iterable<string>) {
        leaves.push(leafHash(nodeSha256, fromHex(hash)));
      }
      this.merkle = new MerkleLevels(nodeSha256, leaves);
    }
    return this.merkle;
  }
}

export const MAX_SEARCH_MATCHES = 200;
export const MAX_STORY_STEPS = 500;

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
function stepDetail(e: EventDbRow): string {
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
      return `${e.actor_id} asks to ${word(data.tool) ?? 'act'}${args.length ? ` (${args.join(', ')})` : ''}`;
    }
    case 'policy.decision': {
      const outcome = data.outcome as { effect?: unknown; determining?: unknown } | undefined;
      const policy = data.policy as { name?: unknown; version?: unknown } | undefined;
      const determining = Array.isArray(outcome?.determining) ? outcome.determining.map((p) => word(p)).filter(Boolean) : [];
      const effect = { allow: 'allowed', deny: 'denied', require_approval: 'needs approval' }[word(outcome?.effect) ?? ''] ?? (word(outcome?.effect) ?? 'no effect recorded');
      const replay = e.replay_status === 'diverged' ? '; replay DIVERGES' : e.replay_status === 'match' ? '; replay matches' : '';
      return `${effect} by ${word(policy?.name) ?? '?'}@${word(policy?.version) ?? '?'}${determining.length ? `, policies ${determining.join(', ')}` : ''}${word(data.decision_id) ? ` (${word(data.decision_id)})` : ''}${replay}`;
    }
    case 'approval.requested':
      return `approval asked${word(data.reason) ? `: ${word(data.reason)}` : ''}`;
    case 'approval.granted':
    case 'approval.denied':
      return `${e.kind === 'approval.granted' ? 'approved' : 'refused'} by ${word(data.approver) ?? e.actor_id}${word(data.expires_at) ? `, valid until ${word(data.expires_at)}` : ''}`;
    case 'action.executed': {
      const result = data.result as { status?: unknown } | undefined;
      return `executed by ${e.actor_id}${word(result?.status) ? ` (${word(result?.status)})` : ''}`;
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

interface EventDbRow {
  idx: number;
  seq: number;
  line: number;
  ts: string;
  ts_ms: number | null;
  kind: string;
  actor_type: string;
  actor_id: string;
  outcome: string | null;
  summary: string;
  raw: string;
  canonical: string | null;
  recorded_hash: string | null;
  computed_hash: string | null;
  prev_hash: string | null;
  unauthenticated: string | null;
  replay_status: string | null;
}

function toRow(r: EventDbRow, findingKinds: string[]): EventRow {
  return {
    index: r.idx,
    seq: r.seq,
    line: r.line,
    ts: r.ts,
    kind: r.kind,
    actorType: r.actor_type,
    actorId: r.actor_id,
    outcome: r.outcome,
    findingKinds,
    replayStatus: r.replay_status as EventRow['replayStatus'],
    summary: r.summary,
  };
}
