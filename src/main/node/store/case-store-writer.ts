/**
 * Every write of an ingest, as typed methods over a `WritableDB`: events in
 * large transactions, findings, checkpoints, the replay outcome, the
 * timeline index and the typed meta.
 */
import type { Finding } from '../../../shared/verify/findings';
import type { CaseEvent } from '../../../shared/formats/case-model';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { WritableDB } from './case-store';
import { CaseStoreReader, type StoredCheckpoint } from './case-store-reader';
import { writeCaseMeta, type CaseMeta, type TimelineBase } from './case-meta';
import { buildTimelineIndex } from './timeline-index';
import { ExportCopy, type LineStarts } from './export-copy';
import type { IndexedEvent } from '../formats/index-batch';
import { encodeHash } from './hash-column';
import { RESOLVE_SUBJECTS_V8_SQL, ISO_FROM_MS } from './migrations';

/** The case's export copy and where its lines start: events whose line is their entry as written are stored by offset. */
export interface CopyIndex {
  file: string;
  lines: LineStarts;
}

export class CaseStoreWriter {
  private readonly insertEvent: { run(...values: [number, number, number, number | null, number | null, string, number | null, string, string, string, ...unknown[]]): void };
  private pending: CaseEvent[] = [];
  /** Reads of the store being written (what ingest needs back: the span, the agents). */
  readonly reads: CaseStoreReader;

  private readonly copy: ExportCopy | null;
  /** The recorded hash of the last event written: a link equal to it is not stored again. */
  private lastRecorded: string | null = null;
  /** Events written by addIndexed so far (their positions). */
  private written = 0;

  constructor(
    readonly db: WritableDB,
    private readonly index: CopyIndex | null = null,
  ) {
    this.reads = new CaseStoreReader(db);
    this.copy = index ? new ExportCopy(index.file) : null;
    // The time as text only where ts_ms does not give it back exactly (migration 8).
    const insert = db.prepare(
      `INSERT INTO event_rows (idx, seq, line, byte_offset, byte_length, ts, ts_ms, kind_id, actor_ref, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated, request_id, decision_id, subject_id)
       VALUES (?, ?, ?, ?, ?, nullif(?, ${ISO_FROM_MS('?')}), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertKind = db.prepare('INSERT INTO kinds (name) VALUES (?)');
    const insertActor = db.prepare('INSERT INTO actors (type, name) VALUES (?, ?)');
    const kinds = new Map<string, number>();
    const actors = new Map<string, number>();
    const kindId = (name: string) => kinds.get(name) ?? kinds.set(name, Number(insertKind.run(name).lastInsertRowid)).get(name)!;
    const actorRef = (type: string, name: string) => {
      const key = `${type}\u0000${name}`;
      return actors.get(key) ?? actors.set(key, Number(insertActor.run(type, name).lastInsertRowid)).get(key)!;
    };
    this.insertEvent = {
      run: (
        idx: number,
        seq: number,
        line: number,
        offset: number | null,
        length: number | null,
        ts: string,
        ms: number | null,
        kind: string,
        actorType: string,
        actorId: string,
        ...rest: unknown[]
      ) => insert.run(idx, seq, line, offset, length, ts, ms, ms, kindId(kind), actorRef(actorType, actorId), ...rest),
    };
  }

  /**
   * Where each event's entry is in the copy: its line's offset and the
   * entry's length, when the line begins with exactly the entry's bytes
   * and ends there; null where it does not (the row keeps the entry).
   * One read of the batch's span of the copy, compared byte for byte.
   */
  private spans(rows: CaseEvent[]): ({ offset: number; length: number } | null)[] {
    const index = this.index;
    if (!index || !this.copy) return rows.map(() => null);
    const wanted = rows.map((e) => {
      const offset = index.lines.start(e.line);
      return offset === null ? null : { offset, bytes: Buffer.from(e.raw, 'utf8') };
    });
    const found = wanted.filter((w) => w !== null);
    if (!found.length) return rows.map(() => null);
    const lo = Math.min(...found.map((w) => w.offset));
    const hi = Math.min(index.lines.end, Math.max(...found.map((w) => w.offset + w.bytes.length + 1)));
    // One read for the batch; entries far apart (lines between them that are not events) are read one by one.
    const together = hi - lo <= 16 << 20;
    const span = together ? this.copy.readBytes(lo, hi - lo) : null;
    return wanted.map((w) => {
      if (!w) return null;
      const own = span ?? this.copy!.readBytes(w.offset, Math.min(w.bytes.length + 1, index.lines.end - w.offset));
      return matches(own, span ? w.offset - lo : 0, w, index.lines.end);
    });
  }

  /** One event row: where its line is in the export copy (or the line itself), its hashes only where they say something new. */
  private insertRow(index: number, e: CaseEvent | IndexedEvent, offset: number | null, length: number | null, summary: string | null, raw: string | null): void {
    const ms = Date.parse(e.ts);
    const computed = e.recordedHash !== null && e.computedHash === e.recordedHash ? null : encodeHash(e.computedHash);
    const prev = index > 0 && this.lastRecorded !== null && e.prevHash === this.lastRecorded ? null : encodeHash(e.prevHash);
    this.insertEvent.run(
      index,
      e.seq,
      e.line,
      offset,
      length,
      e.ts,
      Number.isNaN(ms) ? null : ms,
      e.kind,
      e.actorType,
      e.actorId,
      e.outcome,
      summary,
      raw,
      e.canonical,
      e.recordedHash === null ? null : encodeHash(e.recordedHash),
      computed,
      prev,
      e.unauthenticated.length ? JSON.stringify(e.unauthenticated) : null,
      e.requestId ?? null,
      e.decisionId ?? null,
      e.subjectId ?? null,
    );
    this.lastRecorded = e.recordedHash;
  }

  addEvent(e: CaseEvent): void {
    this.pending.push(e);
    if (this.pending.length >= 5000) this.flush();
  }

  flush(): void {
    const rows = this.pending;
    this.pending = [];
    if (!rows.length) return;
    const spans = this.spans(rows);
    this.db.transaction(() => {
      rows.forEach((e, i) => {
        const span = spans[i];
        this.insertRow(e.index, e, span?.offset ?? null, span?.length ?? null, e.summary, span ? null : e.raw);
      });
    })();
  }

  /**
   * Events indexed from the case's export copy (formats/index-batch), in
   * file order, one transaction a batch: their positions counted on from
   * the events already written, their offsets from the copy's line starts.
   */
  addIndexed(rows: readonly IndexedEvent[], lines: LineStarts): void {
    if (!rows.length) return;
    this.db.transaction(() => {
      for (const e of rows) {
        const index = this.written++;
        const offset = e.inPlace !== null ? lines.start(e.line) : null;
        // No summary: an audit-export/1 row's is computed on read from its entry (CaseStoreReader).
        this.insertRow(index, e, offset, offset === null ? null : e.inPlace, null, offset === null ? e.raw : null);
      }
    })();
  }

  /**
   * For a bulk load: drop the events table's indexes now and get back the
   * statements that make them again (run once every row is in: building an
   * index over sorted keys once is much faster than keeping it row by row).
   */
  dropEventIndexes(): () => void {
    const indexes = this.db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'event_rows' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
    for (const ix of indexes) this.db.exec(`DROP INDEX "${ix.name.replace(/"/g, '""')}"`);
    return () => this.db.transaction(() => indexes.forEach((ix) => this.db.exec(ix.sql)))();
  }

  /** Once every event is in: approvals and executions are about the agent that asked (RESOLVE_SUBJECTS_SQL). */
  resolveSubjects(): void {
    this.db.exec(RESOLVE_SUBJECTS_V8_SQL);
  }

  addCheckpoints(rows: StoredCheckpoint[]): void {
    const insert = this.db.prepare('INSERT OR REPLACE INTO checkpoints (line, seq_hi, tree_size, key_id, final, ts, merkle_root, head_hash, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const c of rows) insert.run(c.line, c.seqHi, c.treeSize, c.keyId, c.final ? 1 : 0, c.ts, c.merkleRoot, c.headHash, c.status);
    })();
  }

  /** After the events: each finding is tied to its event by the line it names. */
  addFindings(findings: Finding[]): void {
    const insert = this.db.prepare('INSERT INTO findings (kind, seq, line, message, severity) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const f of findings) insert.run(f.kind, f.seq, f.line, f.message, f.severity);
      // Lines grow with positions: the first event on the finding's line, by binary search (no index on line).
      const lineAt = this.db.prepare('SELECT line FROM event_rows WHERE idx = ?').pluck();
      const count = this.db.prepare('SELECT count(*) FROM event_rows').pluck().get() as number;
      const setEvent = this.db.prepare('UPDATE findings SET event_idx = ? WHERE id = ?');
      for (const f of this.db.prepare('SELECT id, line FROM findings WHERE line IS NOT NULL').all() as { id: number; line: number }[]) {
        let lo = 0;
        let hi = count;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((lineAt.get(mid) as number) < f.line) lo = mid + 1;
          else hi = mid;
        }
        if (lo < count && lineAt.get(lo) === f.line) setEvent.run(lo, f.id);
      }
    })();
  }

  /**
   * The replay outcome: every policy decision matched unless a result says
   * otherwise; results other than a match and the sequence findings kept.
   */
  addReplay(results: readonly DivergenceView[], sequenceFindings: readonly SequenceFindingView[]): void {
    const insertResult = this.db.prepare(
      'INSERT OR REPLACE INTO replay_results (event_idx, seq, decision_id, agent, status, reason, fields, policy_name, policy_version, determining) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertSequence = this.db.prepare('INSERT INTO sequence_findings (kind, seq, event_idx, message, severity, related_seqs) VALUES (?, ?, ?, ?, ?, ?)');
    const setStatus = this.db.prepare('UPDATE event_rows SET replay_status = ? WHERE idx = ?');
    this.db.transaction(() => {
      this.db.prepare("UPDATE event_rows SET replay_status = 'match' WHERE kind_id = (SELECT id FROM kinds WHERE name = 'policy.decision')").run();
      for (const v of results) {
        insertResult.run(v.index, v.seq, v.decisionId, v.agent, v.status, v.reason, JSON.stringify(v.fields), v.policyName, v.policyVersion, JSON.stringify(v.determiningPolicies));
        setStatus.run(v.status, v.index);
      }
      for (const f of sequenceFindings) insertSequence.run(f.kind, f.seq, f.index, f.message, f.severity, JSON.stringify(f.relatedSeqs));
    })();
  }

  /** Build the timeline index; the grid to keep in the meta, or null when no event has a time. */
  buildTimeline(): TimelineBase | null {
    return buildTimelineIndex(this.db);
  }

  meta(meta: CaseMeta): void {
    writeCaseMeta(this.db, meta);
  }

  /** Done with the copy (the store stays open). */
  closeCopy(): void {
    this.copy?.close();
  }
}

/** Does the span at `at` hold exactly the entry's bytes, ended by a line end or the file's end? */
function matches(span: Buffer, at: number, w: { offset: number; bytes: Buffer }, end: number): { offset: number; length: number } | null {
  const after = span[at + w.bytes.length];
  const ends = at + w.bytes.length === span.length ? w.offset + w.bytes.length === end : after === 10 || after === 13;
  return ends && span.subarray(at, at + w.bytes.length).equals(w.bytes) ? { offset: w.offset, length: w.bytes.length } : null;
}
