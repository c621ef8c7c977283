/**
 * Numbered migrations of a case store, applied in one transaction on
 * PRAGMA user_version. A store from a newer app version is refused.
 */
export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE case_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE events (
        idx INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        line INTEGER NOT NULL,
        ts TEXT NOT NULL,
        ts_ms INTEGER,
        kind TEXT NOT NULL,
        actor_type TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        outcome TEXT,
        summary TEXT NOT NULL,
        raw TEXT NOT NULL,
        canonical TEXT,
        recorded_hash TEXT,
        computed_hash TEXT,
        prev_hash TEXT,
        unauthenticated TEXT,
        replay_status TEXT
      ) STRICT;
      CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        seq INTEGER,
        line INTEGER,
        message TEXT NOT NULL,
        severity TEXT NOT NULL,
        event_idx INTEGER
      ) STRICT;
      CREATE TABLE checkpoints (
        line INTEGER PRIMARY KEY,
        seq_hi INTEGER NOT NULL,
        tree_size INTEGER NOT NULL,
        key_id TEXT NOT NULL,
        final INTEGER NOT NULL,
        ts TEXT NOT NULL,
        merkle_root TEXT NOT NULL,
        head_hash TEXT NOT NULL,
        status TEXT NOT NULL
      ) STRICT;
      CREATE TABLE replay_results (
        event_idx INTEGER PRIMARY KEY,
        seq INTEGER NOT NULL,
        decision_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        fields TEXT NOT NULL,
        policy_name TEXT NOT NULL,
        policy_version TEXT NOT NULL,
        determining TEXT NOT NULL
      ) STRICT;
      CREATE TABLE sequence_findings (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_idx INTEGER NOT NULL,
        message TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    sql: `
      CREATE INDEX events_ts ON events (ts_ms);
      CREATE INDEX events_actor ON events (actor_id, idx);
      CREATE INDEX events_kind ON events (kind, idx);
      CREATE INDEX events_line ON events (line);
      CREATE INDEX findings_event ON findings (event_idx);
    `,
  },
];
