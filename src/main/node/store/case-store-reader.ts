/**
 * Every read of a case store, as typed methods over a `ReadableDB`: the
 * review desk's queries (service/case-queries.ts assembles them into the
 * API's answers), the notes' target checks, and what ingest reads back.
 */
import type { EventQuery } from '../../../shared/api/audit-api';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { Finding, FindingKind, Severity } from '../../../shared/verify/findings';
import { hasTable, type ReadableDB } from './case-store';
import { readCaseMeta, type CaseMeta } from './case-meta';
import { MARKER_SQL } from './timeline-index';
import { decodeHash, type HashCell } from './hash-column';
import type { ExportCopy } from './export-copy';
import { describeEvent } from '../../../shared/export/describe-event';

/** Which events a page holds (EventQuery without the paging). */
export type EventFilter = Omit<EventQuery, 'offset' | 'limit'>;

/** What a row of the event table shows (EventRow's fields). */
export interface StoredEventHead {
  index: number;
  seq: number;
  line: number;
  ts: string;
  kind: string;
  actorType: string;
  actorId: string;
  outcome: string | null;
  summary: string;
  replayStatus: string | null;
}

/** A whole event row: its head and what the inspector shows. */
export interface StoredEvent extends StoredEventHead {
  raw: string;
  canonical: string | null;
  recordedHash: string | null;
  computedHash: string | null;
  prevHash: string | null;
  /** Member names no hash covers in this event. */
  unauthenticated: string[];
}

export interface StoredCheckpoint {
  line: number;
  seqHi: number;
  treeSize: number;
  keyId: string;
  final: boolean;
  ts: string;
  status: string;
  merkleRoot: string;
  headHash: string;
}

/** Which hash of an event a search matched. */
export type HashColumn = 'recorded' | 'computed' | 'previous';

export type MarkerKind = 'finding' | 'divergence' | 'deny' | 'approval' | 'killswitch';

/** Event counts of one time slot, agent, kind and outcome. */
export interface TimeCount {
  /** The slot: a cell of the index, or a bucket of the view when counted directly. */
  slot: number;
  agent: string;
  kind: string;
  outcome: string | null;
  n: number;
}

interface EventDbRow {
  idx: number;
  seq: number;
  line: number;
  ts: string;
  kind: string;
  actor_type: string;
  actor_id: string;
  outcome: string | null;
  /** NULL from store version 8 on where it is computed from the entry (audit-export/1). */
  summary: string | null;
  byte_offset: number | null;
  byte_length: number | null;
  raw: string | null;
  canonical: string | null;
  recorded_hash: HashCell;
  computed_hash: HashCell;
  /** Resolved in the query: the previous event's recorded hash where the row says "the same". */
  prev_hash: HashCell;
  unauthenticated: string | null;
  replay_status: string | null;
}

type EventHeadDbRow = Pick<EventDbRow, 'idx' | 'seq' | 'line' | 'ts' | 'kind' | 'actor_type' | 'actor_id' | 'outcome' | 'summary' | 'replay_status' | 'raw' | 'byte_offset' | 'byte_length'>;

// The entry's place comes along: a row without a summary has it computed from its entry.
const HEAD_COLUMNS = 'e.idx, e.seq, e.line, e.ts, e.kind, e.actor_type, e.actor_id, e.outcome, e.summary, e.replay_status, e.raw, e.byte_offset, e.byte_length';

/** An audit-export/1 event's table line, from its entry as written (describeEvent, as ingest had it). */
export function summaryOfEntry(kind: string, entry: string): string {
  let data: unknown;
  try {
    data = (JSON.parse(entry) as { data?: unknown }).data;
  } catch {
    data = undefined;
  }
  return describeEvent(kind, data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {}).summary;
}

interface CheckpointDbRow {
  line: number;
  seq_hi: number;
  tree_size: number;
  key_id: string;
  final: number;
  ts: string;
  status: string;
  merkle_root: string;
  head_hash: string;
}

const toCheckpoint = (c: CheckpointDbRow): StoredCheckpoint => ({
  line: c.line,
  seqHi: c.seq_hi,
  treeSize: c.tree_size,
  keyId: c.key_id,
  final: c.final === 1,
  ts: c.ts,
  status: c.status,
  merkleRoot: c.merkle_root,
  headHash: c.head_hash,
});

/** Handles that have the entry_text function. */
const withEntryText = new WeakSet<ReadableDB>();

export class CaseStoreReader {
  /**
   * `copy`: the case's export copy, where events stored by offset have
   * their lines (null where there is none: the rows then all hold theirs).
   */
  constructor(
    readonly db: ReadableDB,
    private readonly copy: ExportCopy | null = null,
  ) {
    // The entry of a row, from the row or from the copy: for text search in SQL. A reader without the copy leaves one with it in place.
    const register = copy || !withEntryText.has(db);
    if (register)
      db.function('entry_text', { deterministic: true }, (raw: unknown, offset: unknown, length: unknown) =>
        typeof raw === 'string' ? raw : typeof offset === 'number' && typeof length === 'number' && this.copy ? this.copy.read(offset, length) : '',
      );
    withEntryText.add(db);
    // The table line of a row, stored or computed from its entry: for text search in SQL.
    if (register)
      db.function('summary_text', { deterministic: true }, (summary: unknown, kind: unknown, raw: unknown, offset: unknown, length: unknown) =>
        typeof summary === 'string'
          ? summary
          : summaryOfEntry(String(kind), typeof raw === 'string' ? raw : typeof offset === 'number' && typeof length === 'number' && this.copy ? this.copy.read(offset, length) : ''),
      );
  }

  /** `raw`: the entry's line when the caller has it already (else it is read from the copy only if the summary needs it). */
  private head(r: EventHeadDbRow, raw?: string): StoredEventHead {
    return {
      index: r.idx,
      seq: r.seq,
      line: r.line,
      ts: r.ts,
      kind: r.kind,
      actorType: r.actor_type,
      actorId: r.actor_id,
      outcome: r.outcome,
      summary: r.summary ?? summaryOfEntry(r.kind, raw ?? r.raw ?? this.entry(r.byte_offset, r.byte_length)),
      replayStatus: r.replay_status,
    };
  }

  private toEvent(r: EventDbRow): StoredEvent {
    const recorded = decodeHash(r.recorded_hash);
    const raw = r.raw ?? this.entry(r.byte_offset, r.byte_length);
    return {
      ...this.head(r, raw),
      raw,
      canonical: r.canonical,
      recordedHash: recorded,
      computedHash: r.computed_hash === null ? recorded : decodeHash(r.computed_hash),
      prevHash: decodeHash(r.prev_hash),
      unauthenticated: r.unauthenticated ? (JSON.parse(r.unauthenticated) as string[]) : [],
    };
  }

  private entry(offset: number | null, length: number | null): string {
    if (offset === null || length === null) return '';
    if (!this.copy) throw new RangeError('This case keeps its events in its copy of the export, and the copy was not given.');
    return this.copy.read(offset, length);
  }

  meta(): CaseMeta {
    return readCaseMeta(this.db);
  }

  close(): void {
    this.db.close();
    this.copy?.close();
  }

  // --- events

  eventCount(): number {
    return this.db
      .prepare(`SELECT count(*) FROM ${this.slimRows() ? 'event_rows' : 'events'}`)
      .pluck()
      .get() as number;
  }

  private slim: boolean | null = null;
  /** Store version 8 on: rows in event_rows, kinds and actors by id. */
  private slimRows(): boolean {
    this.slim ??= hasTable(this.db, 'event_rows');
    return this.slim;
  }

  event(index: number): StoredEvent | undefined {
    const row = this.db.prepare('SELECT e.*, coalesce(e.prev_hash, (SELECT p.recorded_hash FROM events p WHERE p.idx = e.idx - 1)) AS prev_hash FROM events e WHERE e.idx = ?').get(index) as
      EventDbRow | undefined;
    return row && this.toEvent(row);
  }

  hasEvent(index: number): boolean {
    return this.db.prepare('SELECT 1 FROM events WHERE idx = ?').get(index) !== undefined;
  }

  /** seq and line of the event at a position (notes name events by position). */
  eventPosition(index: number): { seq: number; line: number } | undefined {
    return this.db.prepare('SELECT seq, line FROM events WHERE idx = ?').get(index) as { seq: number; line: number } | undefined;
  }

  recordedHash(index: number): string | null {
    return decodeHash((this.db.prepare('SELECT recorded_hash FROM events WHERE idx = ?').pluck().get(index) as HashCell | undefined) ?? null);
  }

  /** Every event's recorded hash in file order (the Merkle leaves). */
  *recordedHashes(): Iterable<string> {
    for (const cell of this.db.prepare('SELECT recorded_hash FROM events ORDER BY idx').pluck().iterate() as Iterable<HashCell>) yield decodeHash(cell) ?? '';
  }

  /** A page of events matching the filter, in file order, and how many match in all. */
  eventPage(filter: EventFilter, limit: number, offset: number): { total: number; rows: StoredEventHead[] } {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    // Store version 8: filters and counts run on event_rows by id (the events view joins every row to its kind and actor).
    const slim = !filter.text && this.slimRows();
    const actorIs = slim ? 'e.actor_ref IN (SELECT id FROM actors WHERE name = ?)' : 'e.actor_id = ?';
    if (filter.agent) {
      // The agent acting, or the agent the event is about (policy-engine records decisions about it; a person approves its requests).
      if (filter.agentRole === 'actor') add(actorIs, filter.agent);
      else if (filter.agentRole === 'subject') add('e.subject_id = ?', filter.agent);
      else add(`(${actorIs} OR e.subject_id = ?)`, filter.agent, filter.agent);
    }
    if (filter.kind) add(slim ? 'e.kind_id = (SELECT id FROM kinds WHERE name = ?)' : 'e.kind = ?', filter.kind);
    if (filter.outcome) add('e.outcome = ?', filter.outcome);
    if (filter.diverged) add("e.replay_status = 'diverged'");
    if (filter.finding === '*') add('EXISTS (SELECT 1 FROM findings f WHERE f.event_idx = e.idx)');
    else if (filter.finding) add('EXISTS (SELECT 1 FROM findings f WHERE f.event_idx = e.idx AND f.kind = ?)', filter.finding);
    if (filter.fromTs) add('e.ts_ms >= ?', Date.parse(filter.fromTs));
    if (filter.toTs) add('e.ts_ms <= ?', Date.parse(filter.toTs));
    if (typeof filter.seqFrom === 'number') add('e.seq >= ?', filter.seqFrom);
    if (typeof filter.seqTo === 'number') add('e.seq <= ?', filter.seqTo);
    if (filter.text) {
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add("(summary_text(e.summary, e.kind, e.raw, e.byte_offset, e.byte_length) LIKE ? ESCAPE '\\' OR entry_text(e.raw, e.byte_offset, e.byte_length) LIKE ? ESCAPE '\\')", like, like);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const table = slim ? 'event_rows' : 'events';
    const total = where.length
      ? (this.db
          .prepare(`SELECT count(*) FROM ${table} e ${clause}`)
          .pluck()
          .get(...params) as number)
      : this.eventCount();
    // Unfiltered pages seek by primary key, so deep offsets stay fast on a million rows.
    const rows = (
      where.length
        ? this.db.prepare(`SELECT ${HEAD_COLUMNS} FROM events e WHERE e.idx IN (SELECT e.idx FROM ${table} e ${clause} ORDER BY e.idx LIMIT ? OFFSET ?) ORDER BY e.idx`).all(...params, limit, offset)
        : this.db.prepare(`SELECT ${HEAD_COLUMNS} FROM events e WHERE e.idx >= ? ORDER BY e.idx LIMIT ?`).all(offset, limit)
    ) as EventHeadDbRow[];
    return { total, rows: rows.map((r) => this.head(r)) };
  }

  /** The table rows of events at these positions (each once; a position with no event is left out). */
  eventHeads(indexes: readonly number[]): Map<number, StoredEventHead> {
    const out = new Map<number, StoredEventHead>();
    const get = this.db.prepare(`SELECT ${HEAD_COLUMNS} FROM events e WHERE e.idx = ?`);
    for (const idx of new Set(indexes)) {
      const row = get.get(idx) as EventHeadDbRow | undefined;
      if (row) out.set(idx, this.head(row));
    }
    return out;
  }

  /**
   * Events whose recorded, recomputed or previous hash is this one (64 hex
   * digits) or starts with it (8 to 63), in file order, at most `limit`,
   * each once under the first column it matches in that order. Hashes are
   * 32-byte BLOBs (other text as written); a NULL recomputed hash is the
   * recorded one (matched as such), a NULL previous hash is the previous
   * event's recorded hash.
   */
  eventsWithHash(hex: string, limit: number): { index: number; by: HashColumn }[] {
    const lower = hex.toLowerCase();
    if (!/^[0-9a-f]{8,64}$/.test(lower)) return [];
    const exact = lower.length === 64;
    const test = (col: string) => (exact ? `${col} = @blob` : `((typeof(${col}) = 'blob' AND hex(${col}) LIKE @hexPrefix) OR (typeof(${col}) = 'text' AND ${col} LIKE @textPrefix))`);
    const params = exact ? { blob: Buffer.from(lower, 'hex') } : { hexPrefix: `${lower.toUpperCase()}%`, textPrefix: `${lower}%` };
    const rows = this.db
      .prepare(
        `WITH hit (idx, matched, pref) AS (
           SELECT idx, 'recorded', 0 FROM events WHERE ${test('recorded_hash')}
           UNION ALL SELECT idx, 'computed', 1 FROM events WHERE ${test('computed_hash')}
           UNION ALL SELECT idx, 'previous', 2 FROM events WHERE ${test('prev_hash')}
           UNION ALL SELECT e.idx, 'previous', 2 FROM events p JOIN events e ON e.idx = p.idx + 1 WHERE e.prev_hash IS NULL AND ${test('p.recorded_hash')}
         )
         SELECT idx, matched, min(pref) FROM hit GROUP BY idx ORDER BY idx LIMIT @limit`,
      )
      .all({ ...params, limit }) as { idx: number; matched: HashColumn }[];
    return rows.map((r) => ({ index: r.idx, by: r.matched }));
  }

  /** Positions of the events carrying this request id or decision id, in file order, at most `limit`. */
  eventsWithId(key: 'request' | 'decision', id: string, limit: number): number[] {
    const column = key === 'request' ? 'request_id' : 'decision_id';
    return this.db.prepare(`SELECT idx FROM events WHERE ${column} = ? ORDER BY idx LIMIT ?`).pluck().all(id, limit) as number[];
  }

  /** The request id of the event at a position: null when it has none, undefined when there is no such event. */
  requestIdOf(index: number): string | null | undefined {
    return this.db.prepare('SELECT request_id FROM events WHERE idx = ?').pluck().get(index) as string | null | undefined;
  }

  /** The events of a request, in file order, at most `limit`. */
  requestEvents(requestId: string, limit: number): StoredEvent[] {
    const rows = this.db
      .prepare(
        `SELECT e.*, coalesce(e.prev_hash, (SELECT p.recorded_hash FROM events p WHERE p.idx = e.idx - 1)) AS prev_hash
         FROM events e WHERE e.request_id = ? ORDER BY e.idx LIMIT ?`,
      )
      .all(requestId, limit) as EventDbRow[];
    return rows.map((r) => this.toEvent(r));
  }

  /** Every actor of the case (agents, people, systems), sorted. */
  actors(): string[] {
    return this.db.prepare('SELECT DISTINCT actor_id FROM events ORDER BY actor_id').pluck().all() as string[];
  }

  /** seq, time and kind of an event (for a timeline marker). */
  eventHead(index: number): { seq: number; ts: string; kind: string } | undefined {
    return this.db.prepare('SELECT seq, ts, kind FROM events WHERE idx = ?').get(index) as { seq: number; ts: string; kind: string } | undefined;
  }

  /** The first and last time, the agents and every actor, as ingest keeps them in the meta. */
  span(): { firstTs: string | null; lastTs: string | null; agents: string[]; actors: string[] } {
    const span = this.db.prepare("SELECT min(ts) AS first, max(ts) AS last FROM events WHERE ts <> ''").get() as { first: string | null; last: string | null };
    const agents = this.db.prepare("SELECT DISTINCT actor_id FROM events WHERE actor_type = 'agent' ORDER BY actor_id").pluck().all() as string[];
    const actors = this.db.prepare('SELECT DISTINCT actor_id FROM events ORDER BY actor_id').pluck().all() as string[];
    return { firstTs: span.first, lastTs: span.last, agents, actors };
  }

  // --- findings and checkpoints

  findings(): Finding[] {
    return (
      this.db.prepare('SELECT kind, seq, line, message, severity FROM findings ORDER BY coalesce(line, 9007199254740991), id').all() as {
        kind: string;
        seq: number | null;
        line: number | null;
        message: string;
        severity: string;
      }[]
    ).map((f) => ({ kind: f.kind as FindingKind, seq: f.seq, line: f.line, message: f.message, severity: f.severity as Severity }));
  }

  findingsOfEvent(index: number): Finding[] {
    return this.db.prepare('SELECT kind, seq, line, message, severity FROM findings WHERE event_idx = ? ORDER BY id').all(index) as Finding[];
  }

  findingCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.db.prepare('SELECT kind, count(*) AS n FROM findings GROUP BY kind ORDER BY kind').all() as { kind: string; n: number }[]) counts[row.kind] = row.n;
    return counts;
  }

  /** The finding kinds of each event with positions in [lo, hi], each kind once, in the order found. */
  findingKindsBetween(lo: number, hi: number): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of this.db.prepare('SELECT event_idx, kind FROM findings WHERE event_idx BETWEEN ? AND ? ORDER BY id').all(lo, hi) as { event_idx: number; kind: string }[]) {
      const list = out.get(r.event_idx) ?? [];
      if (!list.includes(r.kind)) list.push(r.kind);
      out.set(r.event_idx, list);
    }
    return out;
  }

  /** A finding of this kind at this event position (or on the whole file when index is null). */
  hasFinding(kind: string, index: number | null): boolean {
    return index === null
      ? this.db.prepare('SELECT 1 FROM findings WHERE kind = ? AND event_idx IS NULL').get(kind) !== undefined
      : this.db.prepare('SELECT 1 FROM findings WHERE kind = ? AND event_idx = ?').get(kind, index) !== undefined;
  }

  /**
   * A line of the export that is not an event row (a checkpoint, the header),
   * read from the case's copy forward from the nearest event before it that
   * the copy holds. Null without a copy (cases made before store version 6)
   * or past its end.
   */
  exportLine(line: number): string | null {
    if (!this.copy) return null;
    const before = this.db.prepare('SELECT line, byte_offset FROM events WHERE line <= ? AND byte_offset IS NOT NULL ORDER BY line DESC LIMIT 1').get(line) as
      { line: number; byte_offset: number } | undefined;
    return before ? this.copy.lineFrom(before.byte_offset, before.line, line) : this.copy.lineFrom(0, 1, line);
  }

  checkpoints(): StoredCheckpoint[] {
    return (this.db.prepare('SELECT * FROM checkpoints ORDER BY line').all() as CheckpointDbRow[]).map(toCheckpoint);
  }

  /** The smallest checkpoint whose tree holds the event, preferring ones whose signature holds. */
  checkpointCovering(index: number): StoredCheckpoint | undefined {
    const row = this.db.prepare("SELECT * FROM checkpoints WHERE tree_size > ? ORDER BY (status IN ('valid', 'self-signed')) DESC, tree_size LIMIT 1").get(index) as CheckpointDbRow | undefined;
    return row && toCheckpoint(row);
  }

  // --- replay

  divergences(): DivergenceView[] {
    return (
      this.db.prepare("SELECT * FROM replay_results WHERE status <> 'match' ORDER BY event_idx").all() as {
        event_idx: number;
        seq: number;
        decision_id: string;
        agent: string;
        status: string;
        reason: string;
        fields: string;
        policy_name: string;
        policy_version: string;
        determining: string;
      }[]
    ).map((r) => ({
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

  hasDivergence(index: number): boolean {
    return this.db.prepare("SELECT 1 FROM replay_results WHERE event_idx = ? AND status <> 'match'").get(index) !== undefined;
  }

  sequenceFindings(): SequenceFindingView[] {
    // A case written before store version 5 has no severity or related events: every finding was a violation naming none.
    const columns = new Set((this.db.prepare("SELECT name FROM pragma_table_info('sequence_findings')").all() as { name: string }[]).map((c) => c.name));
    const extra = columns.has('related_seqs') ? ', severity, related_seqs' : ", 'violation' AS severity, '[]' AS related_seqs";
    const rows = this.db.prepare(`SELECT kind, seq, event_idx AS "index", message${extra} FROM sequence_findings ORDER BY event_idx, id`).all() as (Omit<
      SequenceFindingView,
      'relatedSeqs' | 'severity'
    > & { severity: string; related_seqs: string })[];
    return rows.map(({ related_seqs, severity, ...r }) => ({ ...r, severity: severity === 'warning' ? 'warning' : 'violation', relatedSeqs: JSON.parse(related_seqs) as number[] }));
  }

  /** The conduct findings at each of these event positions, in the order found. */
  sequenceFindingsOfEvents(indexes: readonly number[]): Map<number, { kind: string; message: string; severity: 'violation' | 'warning' }[]> {
    const out = new Map<number, { kind: string; message: string; severity: 'violation' | 'warning' }[]>();
    // A case written before store version 5 has no severity: every finding was a violation.
    const hasSeverity = (this.db.prepare("SELECT count(*) FROM pragma_table_info('sequence_findings') WHERE name = 'severity'").pluck().get() as number) > 0;
    const get = this.db.prepare(`SELECT kind, message, ${hasSeverity ? 'severity' : "'violation' AS severity"} FROM sequence_findings WHERE event_idx = ? ORDER BY id`);
    for (const idx of new Set(indexes)) {
      const rows = get.all(idx) as { kind: string; message: string; severity: string }[];
      if (rows.length)
        out.set(
          idx,
          rows.map((r) => ({ kind: r.kind, message: r.message, severity: r.severity === 'warning' ? 'warning' : 'violation' })),
        );
    }
    return out;
  }

  hasSequenceFinding(index: number): boolean {
    return this.db.prepare('SELECT 1 FROM sequence_findings WHERE event_idx = ?').get(index) !== undefined;
  }

  // --- timeline

  /** The first and last event time in ms, or null when no event has a time. */
  timeSpan(): { lo: number; hi: number } | null {
    const span = this.db.prepare('SELECT min(ts_ms) AS lo, max(ts_ms) AS hi FROM events WHERE ts_ms IS NOT NULL').get() as { lo: number | null; hi: number | null };
    return span.lo === null || span.hi === null ? null : { lo: span.lo, hi: span.hi };
  }

  /** Pre-counted cells of the timeline index in [cellLo, cellHi] (slot = cell). */
  timelineCells(cellLo: number, cellHi: number): TimeCount[] {
    return this.db.prepare('SELECT cell AS slot, actor_id AS agent, kind, outcome, n FROM timeline_cells WHERE cell BETWEEN ? AND ?').all(cellLo, cellHi) as TimeCount[];
  }

  /** Events in [from, to] counted directly in buckets of `width` ms from `from` (slot = bucket). */
  timelineCounts(from: number, to: number, width: number): TimeCount[] {
    return this.db
      .prepare(
        `SELECT CAST((ts_ms - ?) / ? AS INTEGER) AS slot, actor_id AS agent, kind, outcome, count(*) AS n
         FROM events WHERE ts_ms BETWEEN ? AND ? GROUP BY slot, actor_id, kind, outcome`,
      )
      .all(from, width, from, to) as TimeCount[];
  }

  /**
   * Markers spread over [from, to]: in each bucket of `width` ms, the first
   * event of each marker type, plus every finding and divergence (rare, and
   * the point), at most 2,000 of those. From the marker index when the case
   * has one, else from the events.
   */
  timelineMarkers(from: number, to: number, width: number, indexed: boolean): { index: number; marker: MarkerKind }[] {
    const source = indexed ? 'timeline_markers m' : `(SELECT e.idx, e.ts_ms, ${MARKER_SQL} AS marker FROM events e WHERE e.ts_ms BETWEEN ${Number(from)} AND ${Number(to)}) m`;
    return this.db
      .prepare(
        `SELECT min(m.idx) AS "index", m.marker FROM ${source}
         WHERE m.ts_ms BETWEEN ? AND ? AND m.marker IS NOT NULL AND m.marker NOT IN ('finding', 'divergence')
         GROUP BY CAST((m.ts_ms - ?) / ? AS INTEGER), m.marker
         UNION ALL
         SELECT * FROM (SELECT m.idx, m.marker FROM ${source} WHERE m.ts_ms BETWEEN ? AND ? AND m.marker IN ('finding', 'divergence') ORDER BY m.idx LIMIT 2000)
         ORDER BY 1`,
      )
      .all(from, to, from, width, from, to) as { index: number; marker: MarkerKind }[];
  }
}
