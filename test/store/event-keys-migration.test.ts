/** Store version 7 on a case written before it: request, decision and subject filled from audit-export/1 lines (kept in raw before version 6, in the export copy by byte offset from version 6), other formats left alone. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/node/store/case-store';
import { MIGRATIONS } from '../../src/main/node/store/migrations';

function storeAtVersion5(format: string) {
  const db = new Database(':memory:');
  migrate(
    db,
    MIGRATIONS.filter((m) => m.version <= 5),
  );
  db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('format', JSON.stringify(format));
  const insert = db.prepare("INSERT INTO events (idx, seq, line, ts, kind, actor_type, actor_id, summary, raw) VALUES (?, ?, ?, '', ?, ?, ?, '', ?)");
  const rows: [string, string, string, unknown][] = [
    ['action.requested', 'agent', 'pay-agent', { request_id: 'r1', tool: 'pay' }],
    ['policy.decision', 'system', 'policy-engine', { request_id: 'r1', decision_id: 'd1', request: { principal: { id: 'pay-agent' } } }],
    ['approval.granted', 'human', 'cfo', { request_id: 'r1', approver: 'cfo' }],
    ['ring.changed', 'system', 'governance', { agent_id: 'pay-agent', ring: 2 }],
    ['action.requested', 'agent', 'x', { request_id: 7 }],
  ];
  rows.forEach(([kind, type, actor, data], i) => insert.run(i, i, i + 2, kind, type, actor, JSON.stringify({ kind, actor: { id: actor }, data })));
  insert.run(5, 5, 7, 'garbled', 'unknown', '?', '{not json');
  return db;
}

describe('store version 7', () => {
  it('fills request, decision and subject of an audit-export/1 case', () => {
    const db = storeAtVersion5('audit-export/1');
    migrate(db);
    const got = db.prepare('SELECT request_id, decision_id, subject_id FROM events ORDER BY idx').all();
    expect(got).toEqual([
      { request_id: 'r1', decision_id: null, subject_id: null },
      { request_id: 'r1', decision_id: 'd1', subject_id: 'pay-agent' },
      { request_id: 'r1', decision_id: null, subject_id: 'pay-agent' },
      { request_id: null, decision_id: null, subject_id: 'pay-agent' },
      // A number is not a request id; a line that is not JSON names nothing.
      { request_id: null, decision_id: null, subject_id: null },
      { request_id: null, decision_id: null, subject_id: null },
    ]);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
  });

  it('leaves other formats empty rather than guess from their lines', () => {
    const db = storeAtVersion5('opa-decision-log');
    migrate(db);
    expect(db.prepare('SELECT count(*) FROM events WHERE request_id IS NOT NULL OR subject_id IS NOT NULL').pluck().get()).toBe(0);
  });

  it('reads the lines of a version 6 case from its export copy by byte offset', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'v7-'));
    try {
      const lines = [
        { kind: 'action.requested', actor: { id: 'pay-agent' }, data: { request_id: 'r1' } },
        { kind: 'policy.decision', actor: { id: 'policy-engine' }, data: { request_id: 'r1', decision_id: 'd1', request: { principal: { id: 'pay-agent' } } } },
        { kind: 'approval.granted', actor: { id: 'cfo' }, data: { request_id: 'r1' } },
      ].map((l) => JSON.stringify(l));
      const header = '{"format":"audit-export/1"}';
      const copy = path.join(dir, 'case.export');
      writeFileSync(copy, [header, ...lines].join('\n') + '\n');
      const build = () => {
        const db = new Database(':memory:');
        migrate(
          db,
          MIGRATIONS.filter((m) => m.version <= 6),
        );
        db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('format', JSON.stringify('audit-export/1'));
        const insert = db.prepare("INSERT INTO events (idx, seq, line, byte_offset, byte_length, ts, kind, actor_type, actor_id, summary) VALUES (?, ?, ?, ?, ?, '', ?, 'agent', ?, '')");
        let offset = header.length + 1;
        lines.forEach((l, i) => {
          const parsed = JSON.parse(l) as { kind: string; actor: { id: string } };
          insert.run(i, i, i + 2, offset, Buffer.byteLength(l), parsed.kind, parsed.actor.id);
          offset += Buffer.byteLength(l) + 1;
        });
        return db;
      };
      const withCopy = build();
      migrate(withCopy, MIGRATIONS, copy);
      expect(withCopy.prepare('SELECT request_id, decision_id, subject_id FROM events ORDER BY idx').all()).toEqual([
        { request_id: 'r1', decision_id: null, subject_id: null },
        { request_id: 'r1', decision_id: 'd1', subject_id: 'pay-agent' },
        { request_id: 'r1', decision_id: null, subject_id: 'pay-agent' },
      ]);
      // No copy beside the case: the columns stay empty, the case still opens.
      const without = build();
      migrate(without, MIGRATIONS, path.join(dir, 'missing.export'));
      expect(without.prepare('SELECT count(*) FROM events WHERE request_id IS NOT NULL').pluck().get()).toBe(0);
      expect(without.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
