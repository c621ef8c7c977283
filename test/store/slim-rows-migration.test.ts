/** Store version 8 on a case written before it: the rows slimmed (ts, kind and actor ids), every read answering as before. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { asReadable, migrate } from '../../src/main/node/store/case-store';
import { CaseStoreReader } from '../../src/main/node/store/case-store-reader';
import { MIGRATIONS } from '../../src/main/node/store/migrations';

function storeAtVersion7() {
  const db = new Database(':memory:');
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 7),
  );
  db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('format', JSON.stringify('audit-export/1'));
  const insert = db.prepare(
    'INSERT INTO events (idx, seq, line, ts, ts_ms, kind, actor_type, actor_id, outcome, summary, raw, recorded_hash, request_id, subject_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const rows: [string, string, string, string, string | null][] = [
    ['2026-01-02T03:04:05.678Z', 'action.requested', 'agent', 'pay-agent', null],
    // Text that ts_ms does not give back as written: kept.
    ['2026-01-02T03:04:06.000+00:00', 'policy.decision', 'system', 'policy-engine', 'deny'],
    ['', 'note.unknown', 'unknown', 'pay-agent', null],
    ['2026-01-02T03:04:07.001Z', 'approval.granted', 'human', 'cfo', null],
  ];
  rows.forEach(([ts, kind, type, actor, outcome], i) => {
    const ms = Date.parse(ts);
    insert.run(
      i,
      i,
      i + 2,
      ts,
      Number.isNaN(ms) ? null : ms,
      kind,
      type,
      actor,
      outcome,
      `summary ${i}`,
      JSON.stringify({ kind, ts, actor: { type, id: actor }, data: {} }),
      Buffer.alloc(32, i),
      'r1',
      i === 0 ? null : 'pay-agent',
    );
  });
  return db;
}

const reads = (db: Database.Database) => {
  const r = new CaseStoreReader(asReadable(db));
  return {
    page: r.eventPage({}, 10, 0),
    byKind: r.eventPage({ kind: 'policy.decision' }, 10, 0),
    byAgent: r.eventPage({ agent: 'pay-agent' }, 10, 0),
    byText: r.eventPage({ text: 'summary 3' }, 10, 0),
    events: [0, 1, 2, 3].map((i) => r.event(i)),
    span: r.span(),
    actors: r.actors(),
  };
};

describe('store version 8', () => {
  it('keeps every answer of a version 7 case, with ts kept only where ts_ms does not give it back', () => {
    const db = storeAtVersion7();
    const before = reads(db);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    expect(reads(db)).toEqual(before);
    expect(db.prepare('SELECT ts FROM event_rows ORDER BY idx').pluck().all()).toEqual([null, '2026-01-02T03:04:06.000+00:00', '', null]);
    expect(db.prepare('SELECT count(*) FROM kinds').pluck().get()).toBe(4);
    expect(db.prepare('SELECT count(*) FROM actors').pluck().get()).toBe(4);
  });
});
