import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { cli, sampleInputs, type SampleInputs } from './fixtures';

let i: SampleInputs;
let service: AuditService;
let caseId: string;
let clock = 0;
const casesDir = () => path.join(i.dir, 'cases');

beforeAll(async () => {
  i = sampleInputs();
  service = createAuditService({ casesDir: casesDir(), workers: 1, now: () => new Date(Date.UTC(2026, 10, 25, 6, 0, clock++)).toISOString() });
  const done = new Promise<JobProgress>((resolve) => {
    service.onProgress((p) => {
      if (['done', 'failed'].includes(p.phase)) resolve(p);
    });
  });
  await service.openExport({ exportPath: i.exportPath, trustPath: i.trustPath, policiesPath: i.policiesPath });
  const p = await done;
  expect(p.phase, p.error).toBe('done');
  caseId = p.caseId!;
}, 120_000);

afterAll(async () => {
  await service.close();
});

describe('case notes', () => {
  it('annotates events, divergences and the case with tags, author and time; edits append versions', async () => {
    const [divergence] = await service.listDivergences(caseId);
    const onEvent = await service.addNote(caseId, { target: { kind: 'event', index: 7 }, text: 'Looks routine.', tags: ['false alarm', ' false  alarm '], author: 'alice' });
    expect(onEvent).toMatchObject({
      noteId: 1,
      target: { kind: 'event', index: 7, seq: 7, line: 9 },
      current: { version: 1, author: 'alice', text: 'Looks routine.', tags: ['false alarm'], at: '2026-11-25T06:00:00.000Z' },
    });
    const onDiv = await service.addNote(caseId, { target: { kind: 'divergence', index: divergence.index }, text: 'Paid an unverified vendor.', tags: ['confirmed incident', 'ap'], author: 'bob' });
    await service.addNote(caseId, { target: { kind: 'case' }, text: 'Escalated to the controller.', tags: ['needs follow-up'], author: 'bob' });

    await service.editNote(caseId, onDiv.noteId, { text: 'Paid an unverified vendor: confirmed with AP.', tags: ['confirmed incident'], author: 'carol' });
    const edited = await service.editNote(caseId, onDiv.noteId, { text: 'Paid an unverified vendor: refund requested.', tags: ['confirmed incident', 'needs follow-up'], author: 'bob' });
    expect(edited.history.map((v) => [v.version, v.author, v.text])).toEqual([
      [1, 'bob', 'Paid an unverified vendor.'],
      [2, 'carol', 'Paid an unverified vendor: confirmed with AP.'],
      [3, 'bob', 'Paid an unverified vendor: refund requested.'],
    ]);
    expect(edited.current.version).toBe(3);
    expect(edited.target).toMatchObject({ kind: 'divergence', index: divergence.index, seq: divergence.seq });

    expect((await service.listNotes(caseId)).map((n) => n.noteId)).toEqual([1, 2, 3]);
    expect((await service.listNotes(caseId, { kind: 'divergence', index: divergence.index })).map((n) => n.noteId)).toEqual([2]);
    expect(await service.listNotes(caseId, { kind: 'event', index: 8 })).toEqual([]);
  });

  it('refuses notes on things the case does not hold, and empty notes', async () => {
    await expect(service.addNote(caseId, { target: { kind: 'event', index: 999_999 }, text: 'x', tags: [], author: 'a' })).rejects.toThrow(/no event at position 999999/);
    await expect(service.addNote(caseId, { target: { kind: 'divergence', index: 0 }, text: 'x', tags: [], author: 'a' })).rejects.toThrow(/no divergence/);
    await expect(service.addNote(caseId, { target: { kind: 'finding', index: 3, finding: 'hash-mismatch' }, text: 'x', tags: [], author: 'a' })).rejects.toThrow(/no hash-mismatch finding/);
    await expect(service.addNote(caseId, { target: { kind: 'case' }, text: '  ', tags: [], author: 'a' })).rejects.toThrow(/needs some text/);
    await expect(service.editNote(caseId, 42, { text: 'x', tags: [], author: 'a' })).rejects.toThrow(/no note 42/);
  });

  it('keeps history in the case store beside the evidence: UPDATE and DELETE are refused, evidence tables untouched', () => {
    const db = new Database(path.join(casesDir(), `${caseId}.db`));
    try {
      expect(() => db.prepare("UPDATE note_versions SET text = 'rewritten' WHERE note_id = 2").run()).toThrow(/never overwritten/);
      expect(() => db.prepare('DELETE FROM note_versions').run()).toThrow(/never deleted/);
      expect(() => db.prepare('DELETE FROM notes').run()).toThrow(/never deleted/);
      expect(() => db.prepare("UPDATE notes SET target_kind = 'case'").run()).toThrow(/kept as written/);
      expect(db.prepare('SELECT count(*) FROM note_versions').pluck().get()).toBe(5);
      const columns = db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all();
      expect(columns.some((c) => String(c).includes('note'))).toBe(false);
    } finally {
      db.close();
    }
  });

  it('go into the report from the app and from `report --notes case.db`, byte for byte the same, each linked to its event', async () => {
    const out = path.join(i.dir, 'from-app.json');
    const exported = await service.exportReport(caseId, 'json', out);
    expect(exported).toMatchObject({ path: out, format: 'json' });
    const fromApp = readFileSync(out, 'utf8');
    const report = JSON.parse(fromApp);
    expect(report.report_sha256).toBe(exported!.reportSha256);
    expect(report.notes).toHaveLength(3);
    const div = report.notes[1];
    expect(div.history).toHaveLength(3);
    expect(div.current.text).toBe('Paid an unverified vendor: refund requested.');
    expect(div.target.line).toBe(report.replay.divergences[0].line);
    expect(report.notes[0].target).toMatchObject({ kind: 'event', index: 7, seq: 7, line: 9 });

    const cliOut = path.join(i.dir, 'from-cli.json');
    const r = await cli('report', i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath, '--notes', path.join(casesDir(), `${caseId}.db`), '--out', cliOut);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(cliOut, 'utf8')).toBe(fromApp);
    const check = await cli('check-report', out, i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath, '--notes', path.join(casesDir(), `${caseId}.db`));
    expect(check.code, check.stdout).toBe(0);
    // Without the notes the re-run differs exactly there.
    const without = await cli('check-report', out, i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath, '--json');
    expect(JSON.parse(without.stdout).differences).toEqual(['/notes/0', '/notes/1', '/notes/2', '/report_sha256']);
  }, 60_000);

  it('come along, with their history, when the case is pointed at another policy folder; not when the export changed since', async () => {
    const rerun = async (from: string, inputs: { trustPath?: string | null; policiesPath?: string | null }) => {
      const done = new Promise<JobProgress>((resolve) => {
        const off = service.onProgress((p) => {
          if (['done', 'failed'].includes(p.phase)) {
            off();
            resolve(p);
          }
        });
      });
      await service.setCaseInputs(from, inputs);
      const p = await done;
      expect(p.phase, p.error).toBe('done');
      return p.caseId!;
    };
    const before = await service.listNotes(caseId);
    expect(before.length).toBeGreaterThan(0);
    // Without a policy folder: no replay, so the divergence note names something this case does not show; it is kept all the same.
    const second = await rerun(caseId, { policiesPath: null });
    expect(second).not.toBe(caseId);
    expect((await service.getCaseSummary(second)).notesFrom).toEqual({ caseId, carried: before.length, refused: null });
    const after = await service.listNotes(second);
    expect(after.map((n) => [n.noteId, n.target.kind, n.target.index, n.target.finding, n.history])).toEqual(before.map((n) => [n.noteId, n.target.kind, n.target.index, n.target.finding, n.history]));
    // The new case takes new notes after the carried ones; the earlier case is unchanged.
    const added = await service.addNote(second, { target: { kind: 'case' }, text: 'Replayed without policies.', tags: [], author: 'carol' });
    expect(added.noteId).toBe(before.length + 1);
    expect(await service.listNotes(caseId)).toEqual(before);

    // The export edited on disk since: its events may have moved, so the notes stay where they were written.
    const original = readFileSync(i.exportPath);
    try {
      appendFileSync(i.exportPath, '\n');
      const third = await rerun(second, { policiesPath: i.policiesPath });
      const summary = await service.getCaseSummary(third);
      expect(summary.notesFrom).toMatchObject({ caseId: second, carried: 0 });
      expect(summary.notesFrom!.refused).toMatch(/not the file those notes were written on \(SHA-256 [0-9a-f]{12}… then, [0-9a-f]{12}… now\)/);
      expect(await service.listNotes(third)).toEqual([]);
    } finally {
      writeFileSync(i.exportPath, original);
    }
  }, 120_000);

  it('exports HTML from the app with the notes in it, escaped', async () => {
    await service.addNote(caseId, { target: { kind: 'event', index: 3 }, text: '<img src=x onerror=alert(1)>', tags: ['javascript:alert(2)'], author: '<b>eve</b>' });
    const out = path.join(i.dir, 'from-app.html');
    await service.exportReport(caseId, 'html', out);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>eve</b>');
  }, 60_000);
});
