/**
 * Numbered migrations of a case store, applied in one transaction on
 * PRAGMA user_version. A store from a newer app version is refused.
 */
export interface Migration {
  version: number;
  sql: string;
}

/**
 * An entry of a request with no subject of its own (an approval, an
 * execution) is about whoever asked: the actor of the request's
 * action.requested. Run at ingest once the events are in, and by migration 7.
 */
export const RESOLVE_SUBJECTS_SQL = `
  UPDATE events SET subject_id = (
    SELECT r.actor_id FROM events r WHERE r.request_id = events.request_id AND r.kind = 'action.requested' ORDER BY r.idx LIMIT 1
  ) WHERE subject_id IS NULL AND request_id IS NOT NULL AND kind <> 'action.requested';`;

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

/*
 * Version 3: reviewer notes, beside the evidence and never inside it. A note
 * names what it is about (an event by position, a finding, a divergence, a
 * sequence finding or the whole case); its text and tags live in versions.
 * An edit appends a version; triggers refuse UPDATE and DELETE on both
 * tables, so the history cannot be rewritten through this app.
 */
MIGRATIONS.push({
  version: 3,
  sql: `
    CREATE TABLE notes (
      note_id INTEGER PRIMARY KEY,
      target_kind TEXT NOT NULL CHECK (target_kind IN ('event', 'finding', 'divergence', 'sequence-finding', 'case')),
      target_index INTEGER,
      target_finding TEXT
    ) STRICT;
    CREATE TABLE note_versions (
      note_id INTEGER NOT NULL REFERENCES notes (note_id),
      version INTEGER NOT NULL,
      author TEXT NOT NULL,
      at TEXT NOT NULL,
      text TEXT NOT NULL,
      tags TEXT NOT NULL,
      PRIMARY KEY (note_id, version)
    ) STRICT;
    CREATE INDEX notes_target ON notes (target_kind, target_index);
    CREATE TRIGGER notes_keep BEFORE UPDATE ON notes BEGIN SELECT RAISE(ABORT, 'notes are kept as written'); END;
    CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'notes are never deleted'); END;
    CREATE TRIGGER note_versions_keep BEFORE UPDATE ON note_versions BEGIN SELECT RAISE(ABORT, 'a note version is never overwritten; edit appends a version'); END;
    CREATE TRIGGER note_versions_no_delete BEFORE DELETE ON note_versions BEGIN SELECT RAISE(ABORT, 'note history is never deleted'); END;
  `,
});

/*
 * Version 4: a timeline index built once at ingest, so the review desk's
 * timeline over a million events reads a few thousand pre-counted cells
 * instead of grouping every row on each zoom. Cells are a fixed fine grid
 * over the case's time span (meta "timeline_base"); markers (findings,
 * divergences, denials, approvals, kill switches) get their own small table.
 */
MIGRATIONS.push({
  version: 4,
  sql: `
    CREATE TABLE timeline_cells (
      cell INTEGER NOT NULL,
      actor_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      outcome TEXT NOT NULL,
      n INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX timeline_cells_cell ON timeline_cells (cell);
    CREATE TABLE timeline_markers (
      idx INTEGER PRIMARY KEY,
      ts_ms INTEGER NOT NULL,
      marker TEXT NOT NULL
    ) STRICT;
    CREATE INDEX timeline_markers_ts ON timeline_markers (ts_ms, marker);
  `,
});

/*
 * Version 5: conduct findings (spec "Conduct records"). A sequence finding
 * gets its severity (a warning such as killswitch-ineffective is not a
 * violation) and the other events it rests on, as a JSON list of seqs.
 * Rows written before keep the defaults: a violation that names no event.
 */
MIGRATIONS.push({
  version: 5,
  sql: `
    ALTER TABLE sequence_findings ADD COLUMN severity TEXT NOT NULL DEFAULT 'violation' CHECK (severity IN ('violation', 'warning'));
    ALTER TABLE sequence_findings ADD COLUMN related_seqs TEXT NOT NULL DEFAULT '[]';
  `,
});

/*
 * Version 6: an index, not a copy. The case keeps a verbatim copy of its
 * export beside the store (export-copy.ts), so an event row names its line
 * by byte offset and length there instead of holding the line: `raw` is
 * kept only where the line as written is not the entry (a JSON array's
 * element, say) and in cases made before this version. Hashes are 32-byte
 * BLOBs where they are 64 hex digits (other text as it was), and only where
 * they say something the row does not already: `computed_hash` NULL means
 * "equal to recorded_hash" (an empty BLOB: none), `prev_hash` NULL means
 * "equal to the previous event's recorded hash". Cases made before are
 * rebuilt in place: their lines stay in `raw`, their hashes become BLOBs.
 */
const HEX64 = (col: string) => `(length(${col}) = 64 AND ${col} NOT GLOB '*[^0-9a-f]*')`;
const asHash = (col: string) => `CASE WHEN ${col} IS NULL THEN X'' WHEN ${HEX64(col)} THEN unhex(${col}) ELSE ${col} END`;
MIGRATIONS.push({
  version: 6,
  sql: `
    CREATE TABLE events_v6 (
      idx INTEGER PRIMARY KEY,
      seq INTEGER NOT NULL,
      line INTEGER NOT NULL,
      byte_offset INTEGER,
      byte_length INTEGER,
      ts TEXT NOT NULL,
      ts_ms INTEGER,
      kind TEXT NOT NULL,
      actor_type TEXT NOT NULL,
      actor_id TEXT NOT NULL,
      outcome TEXT,
      summary TEXT NOT NULL,
      raw TEXT,
      canonical TEXT,
      recorded_hash ANY,
      computed_hash ANY,
      prev_hash ANY,
      unauthenticated TEXT,
      replay_status TEXT,
      CHECK ((raw IS NULL) = (byte_offset IS NOT NULL))
    ) STRICT;
    INSERT INTO events_v6 (idx, seq, line, byte_offset, byte_length, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated, replay_status)
      SELECT idx, seq, line, NULL, NULL, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, canonical,
        CASE WHEN recorded_hash IS NULL THEN NULL WHEN ${HEX64('recorded_hash')} THEN unhex(recorded_hash) ELSE recorded_hash END,
        CASE WHEN recorded_hash IS NOT NULL AND computed_hash IS recorded_hash THEN NULL ELSE ${asHash('computed_hash')} END,
        ${asHash('prev_hash')},
        unauthenticated, replay_status
      FROM events;
    DROP TABLE events;
    ALTER TABLE events_v6 RENAME TO events;
    CREATE INDEX events_ts ON events (ts_ms);
    CREATE INDEX events_actor ON events (actor_id, idx);
    CREATE INDEX events_kind ON events (kind, idx);
    CREATE INDEX events_line ON events (line);
  `,
});

/*
 * Version 7: what an event is about, for the desk's subject filter, search
 * and request lifecycle: its request id, decision id and subject (the agent
 * a decision or approval is about). Cases written before are filled from
 * their audit-export/1 lines: the ones still held in `raw` (made before
 * version 6) and the ones named by byte offset in the case's export copy,
 * read through the `export_line` SQL function the store registers
 * (case-store.ts; NULL when the copy is missing, and the columns stay
 * empty). Other formats are left empty rather than guessed. Cases made from
 * this version on get the columns at ingest.
 */
const textAt = (json: string, at: string) => `CASE WHEN json_type(${json}, '${at}') = 'text' THEN json_extract(${json}, '${at}') END`;
MIGRATIONS.push({
  version: 7,
  sql: `
    ALTER TABLE events ADD COLUMN request_id TEXT;
    ALTER TABLE events ADD COLUMN decision_id TEXT;
    ALTER TABLE events ADD COLUMN subject_id TEXT;
    CREATE TEMP TABLE v7_lines AS
      SELECT idx, coalesce(raw, export_line(byte_offset, byte_length)) AS j FROM events
      WHERE (SELECT value FROM case_meta WHERE key = 'format') = '"audit-export/1"';
    UPDATE events SET
      request_id = ${textAt('l.j', '$.data.request_id')},
      decision_id = ${textAt('l.j', '$.data.decision_id')},
      subject_id = coalesce(${textAt('l.j', '$.data.request.principal.id')}, ${textAt('l.j', '$.data.agent_id')})
    FROM (SELECT idx, j FROM temp.v7_lines WHERE j IS NOT NULL AND json_valid(j)) AS l
    WHERE events.idx = l.idx;
    DROP TABLE temp.v7_lines;
    CREATE INDEX events_request ON events (request_id, idx) WHERE request_id IS NOT NULL;
    CREATE INDEX events_decision ON events (decision_id) WHERE decision_id IS NOT NULL;
    ${RESOLVE_SUBJECTS_SQL}
    CREATE INDEX events_subject ON events (subject_id, idx) WHERE subject_id IS NOT NULL;
  `,
});

/*
 * Version 8: slimmer rows. The table becomes `event_rows`, read through a
 * view `events` with the columns every query knew, so reads are unchanged:
 * - `ts` is NULL where it is exactly what ts_ms gives back (ISO_FROM_MS,
 *   the same expression writing and reading, so the round trip is checked,
 *   not assumed); text that says more or other (an offset, more digits) is
 *   kept;
 * - kind and actor are small integer ids into `kinds` and `actors`;
 * - `summary` is NULL where the desk computes it on read from the entry
 *   (audit-export/1 rows written from this version on: the line in the
 *   export copy); rows written before keep theirs;
 * - no index on `line`: the few lookups by line (findings) seek by position.
 * Cases written before are rebuilt in place, their rows as they were.
 */
export const ISO_FROM_MS = (ms: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`;

/**
 * Run at ingest once the events are in (version 8 on): RESOLVE_SUBJECTS_SQL
 * over event_rows, each request's first action.requested found once (a
 * correlated subquery would walk the kind index for every row).
 */
export const RESOLVE_SUBJECTS_V8_SQL = `
  UPDATE event_rows SET subject_id = f.name FROM (
    SELECT r.request_id, a.name, min(r.idx) FROM event_rows r JOIN actors a ON a.id = r.actor_ref
    WHERE r.request_id IS NOT NULL AND r.kind_id = (SELECT id FROM kinds WHERE name = 'action.requested') GROUP BY r.request_id
  ) AS f
  WHERE event_rows.request_id = f.request_id AND event_rows.subject_id IS NULL AND event_rows.kind_id IS NOT (SELECT id FROM kinds WHERE name = 'action.requested');`;

export const EVENT_ROW_INDEXES = `
    CREATE INDEX events_ts ON event_rows (ts_ms);
    CREATE INDEX events_actor ON event_rows (actor_ref, idx);
    CREATE INDEX events_kind ON event_rows (kind_id, idx);
    CREATE INDEX events_request ON event_rows (request_id, idx) WHERE request_id IS NOT NULL;
    CREATE INDEX events_decision ON event_rows (decision_id) WHERE decision_id IS NOT NULL;
    CREATE INDEX events_subject ON event_rows (subject_id, idx) WHERE subject_id IS NOT NULL;`;

MIGRATIONS.push({
  version: 8,
  sql: `
    CREATE TABLE kinds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT;
    CREATE TABLE actors (id INTEGER PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, UNIQUE (name, type)) STRICT;
    INSERT INTO kinds (name) SELECT DISTINCT kind FROM events ORDER BY kind;
    INSERT INTO actors (type, name) SELECT DISTINCT actor_type, actor_id FROM events ORDER BY actor_id, actor_type;
    CREATE TABLE event_rows (
      idx INTEGER PRIMARY KEY,
      seq INTEGER NOT NULL,
      line INTEGER NOT NULL,
      byte_offset INTEGER,
      byte_length INTEGER,
      ts TEXT,
      ts_ms INTEGER,
      kind_id INTEGER NOT NULL REFERENCES kinds (id),
      actor_ref INTEGER NOT NULL REFERENCES actors (id),
      outcome TEXT,
      summary TEXT,
      raw TEXT,
      canonical TEXT,
      recorded_hash ANY,
      computed_hash ANY,
      prev_hash ANY,
      unauthenticated TEXT,
      replay_status TEXT,
      request_id TEXT,
      decision_id TEXT,
      subject_id TEXT,
      CHECK ((raw IS NULL) = (byte_offset IS NOT NULL)),
      CHECK (ts IS NOT NULL OR ts_ms IS NOT NULL)
    ) STRICT;
    INSERT INTO event_rows (idx, seq, line, byte_offset, byte_length, ts, ts_ms, kind_id, actor_ref, outcome, summary, raw, canonical, recorded_hash, computed_hash, prev_hash, unauthenticated, replay_status, request_id, decision_id, subject_id)
      SELECT e.idx, e.seq, e.line, e.byte_offset, e.byte_length, nullif(e.ts, ${ISO_FROM_MS('e.ts_ms')}), e.ts_ms, k.id, a.id, e.outcome, e.summary, e.raw, e.canonical,
        e.recorded_hash, e.computed_hash, e.prev_hash, e.unauthenticated, e.replay_status, e.request_id, e.decision_id, e.subject_id
      FROM events e JOIN kinds k ON k.name = e.kind JOIN actors a ON a.name = e.actor_id AND a.type = e.actor_type;
    DROP TABLE events;
    CREATE VIEW events AS
      SELECT r.idx, r.seq, r.line, r.byte_offset, r.byte_length, coalesce(r.ts, ${ISO_FROM_MS('r.ts_ms')}) AS ts, r.ts_ms,
        k.name AS kind, a.type AS actor_type, a.name AS actor_id, r.outcome, r.summary, r.raw, r.canonical,
        r.recorded_hash, r.computed_hash, r.prev_hash, r.unauthenticated, r.replay_status, r.request_id, r.decision_id, r.subject_id,
        r.kind_id, r.actor_ref
      FROM event_rows r JOIN kinds k ON k.id = r.kind_id JOIN actors a ON a.id = r.actor_ref;
    ${EVENT_ROW_INDEXES}
  `,
});
