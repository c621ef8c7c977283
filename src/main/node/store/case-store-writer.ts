/**
 * Every write of an ingest, as typed methods over a `WritableDB`: events in
 * large transactions, findings, checkpoints, the replay outcome, the
 * timeline index and the typed meta.
 */
import type Database from 'better-sqlite3';
import type { Finding } from '../../../shared/verify/findings';
import type { CaseEvent } from '../../../shared/formats/case-model';
import type { DivergenceView, SequenceFindingView } from '../../../shared/replay/views';
import type { WritableDB } from './case-store';
import { CaseStoreReader, type StoredCheckpoint } from './case-store-reader';
import { writeCaseMeta, type CaseMeta, type TimelineBase } from './case-meta';
import { buildTimelineIndex } from './timeline-index';

export class CaseStoreWriter {
  private readonly insertEvent: Database.Statement;
  private pending: CaseEvent[] = [];
  /** Reads of the store being written (what ingest needs back: the span, the agents). */
  readonly reads: CaseStoreReader;

  constructor(readonly db: WritableDB) {
    this.reads = new CaseStoreReader(db);
    this.insertEvent = db.prepare(
      `INSERT INTO events (idx, seq, line, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  addEvent(e: CaseEvent): void {
    this.pending.push(e);
    if (this.pending.length >= 5000) this.flush();
  }

  flush(): void {
    const rows = this.pending;
    this.pending = [];
    if (!rows.length) return;
    this.db.transaction(() => {
      for (const e of rows) {
        const ms = Date.parse(e.ts);
        this.insertEvent.run(
          e.index, e.seq, e.line, e.ts, Number.isNaN(ms) ? null : ms, e.kind, e.actorType, e.actorId, e.outcome, e.summary, e.raw,
          e.canonical, e.recordedHash, e.computedHash, e.prevHash, e.unauthenticated.length ? JSON.stringify(e.unauthenticated) : null,
        );
      }
    })();
  }

  addCheckpoints(rows: StoredCheckpoint[]): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO checkpoints (line, seq_hi, tree_size, key_id, final, ts, merkle_root, head_hash, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const c of rows) insert.run(c.line, c.seqHi, c.treeSize, c.keyId, c.final ? 1 : 0, c.ts, c.merkleRoot, c.headHash, c.status);
    })();
  }

  /** After the events: each finding is tied to its event by the line it names. */
  addFindings(findings: Finding[]): void {
    const insert = this.db.prepare('INSERT INTO findings (kind, seq, line, message, severity) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const f of findings) insert.run(f.kind, f.seq, f.line, f.message, f.severity);
      this.db.exec('UPDATE findings SET event_idx = (SELECT idx FROM events WHERE events.line = findings.line) WHERE line IS NOT NULL');
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
    const setStatus = this.db.prepare('UPDATE events SET replay_status = ? WHERE idx = ?');
    this.db.transaction(() => {
      this.db.prepare("UPDATE events SET replay_status = 'match' WHERE kind = 'policy.decision'").run();
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
}
