/**
 * One SQLite file per case. The only module that opens case stores:
 * WAL, foreign keys, synchronous=FULL, STRICT tables, migrations on
 * user_version, prepared statements cached. The original export is never
 * here; only what was read from it, with its SHA-256 as evidence.
 */
import Database from 'better-sqlite3';
import type { Finding } from '../../../shared/verify/findings';
import type { CaseEvent } from '../../../shared/formats/case-model';
import { MIGRATIONS, RESOLVE_SUBJECTS_SQL, type Migration } from './migrations';
import { SentenceError } from '../errors/errors';

export type Db = Database.Database;

export class CaseStoreError extends SentenceError {}

export function migrate(db: Db, migrations: Migration[] = MIGRATIONS): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations[migrations.length - 1].version;
  if (current > latest) {
    throw new CaseStoreError(`This case was written by a newer version of Audit Replay (store version ${current}, this app knows ${latest}); open it with that version.`);
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  })();
}

export interface OpenOptions {
  readonly?: boolean;
  /** For a store being built by ingest: it is thrown away on a crash, so durability is not needed until it is renamed into place. */
  bulk?: boolean;
}

export function openCaseDb(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) {
    if (options.bulk) {
      db.pragma('journal_mode = OFF');
      db.pragma('synchronous = OFF');
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    migrate(db);
  } else {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS[MIGRATIONS.length - 1].version) {
      db.close();
      throw new CaseStoreError(`This case was written by a newer version of Audit Replay (store version ${version}).`);
    }
  }
  return db;
}

/** Writes an ingest in large transactions. */
export class CaseWriter {
  private readonly insertEvent: Database.Statement;
  private readonly insertFinding: Database.Statement;
  private readonly insertCheckpoint: Database.Statement;
  private readonly setMeta: Database.Statement;
  private pending: CaseEvent[] = [];

  constructor(readonly db: Db) {
    this.insertEvent = db.prepare(
      `INSERT INTO events (idx, seq, line, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated, request_id, decision_id, subject_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFinding = db.prepare('INSERT INTO findings (kind, seq, line, message, severity) VALUES (?, ?, ?, ?, ?)');
    this.insertCheckpoint = db.prepare(
      'INSERT OR REPLACE INTO checkpoints (line, seq_hi, tree_size, key_id, final, ts, merkle_root, head_hash, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.setMeta = db.prepare('INSERT OR REPLACE INTO case_meta (key, value) VALUES (?, ?)');
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
          e.requestId ?? null, e.decisionId ?? null, e.subjectId ?? null,
        );
      }
    })();
  }

  /** Once every event is in: approvals and executions are about the agent that asked (RESOLVE_SUBJECTS_SQL). */
  resolveSubjects(): void {
    this.db.exec(RESOLVE_SUBJECTS_SQL);
  }

  addCheckpoints(rows: { line: number; seqHi: number; treeSize: number; keyId: string; final: boolean; ts: string; merkleRoot: string; headHash: string; status: string }[]): void {
    this.db.transaction(() => {
      for (const c of rows) this.insertCheckpoint.run(c.line, c.seqHi, c.treeSize, c.keyId, c.final ? 1 : 0, c.ts, c.merkleRoot, c.headHash, c.status);
    })();
  }

  addFindings(findings: Finding[]): void {
    this.db.transaction(() => {
      for (const f of findings) this.insertFinding.run(f.kind, f.seq, f.line, f.message, f.severity);
      // Tie each finding to its event by the line it names.
      this.db.exec('UPDATE findings SET event_idx = (SELECT idx FROM events WHERE events.line = findings.line) WHERE line IS NOT NULL');
    })();
  }

  meta(values: Record<string, unknown>): void {
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(values)) this.setMeta.run(k, JSON.stringify(v ?? null));
    })();
  }
}

export function readMeta(db: Db): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of db.prepare('SELECT key, value FROM case_meta').all() as { key: string; value: string }[]) out[row.key] = JSON.parse(row.value);
  return out;
}
