import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { asReadable, migrate, type WritableDB } from '../../src/main/node/store/case-store';
import { readCaseMeta, writeCaseMeta, type CaseMeta } from '../../src/main/node/store/case-meta';
import { MIGRATIONS } from '../../src/main/node/store/migrations';

describe('typed case meta', () => {
  it('reads back what was written, field by field', () => {
    const db = new Database(':memory:');
    migrate(db);
    const empty = readCaseMeta(asReadable(db));
    const meta: CaseMeta = {
      ...empty,
      caseId: 'c1',
      exportPath: '/x/export.jsonl',
      exportName: 'export.jsonl',
      exportSha256: 'ab'.repeat(32),
      exportBytes: 1234,
      format: 'audit-export/1',
      verdict: 'intact',
      events: 7,
      agents: ['a1', 'a2'],
      timelineBase: { lo: 1, hi: 9, width: 2 },
      details: { first_seq: 0, genesis: '00' },
    };
    writeCaseMeta(db as WritableDB, meta);
    expect(readCaseMeta(asReadable(db))).toEqual(meta);
    db.close();
  });

  it('a key an earlier version did not write reads as its default', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 1),
    );
    db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('export_name', JSON.stringify('old.jsonl'));
    db.prepare('INSERT INTO case_meta (key, value) VALUES (?, ?)').run('events', JSON.stringify(3));
    const meta = readCaseMeta(asReadable(db));
    expect(meta.exportName).toBe('old.jsonl');
    expect(meta.events).toBe(3);
    expect(meta.integrity).toBeNull();
    expect(meta.agents).toEqual([]);
    expect(meta.timelineBase).toBeNull();
    expect(meta.exportSha256).toBe('');
    db.close();
  });
});
