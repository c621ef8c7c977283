/**
 * Reviewer notes in a case store, beside the evidence (never inside it).
 * A note's text and tags live in versions: an edit appends one, nothing is
 * overwritten or deleted (the store's triggers refuse it as well).
 */
import type { CaseNote, NotesCarried, NoteEdit, NoteInput, NoteTarget, NoteVersion } from '../../../shared/api/audit-api';
import { openCaseDb, readMeta, type Db } from '../store/case-store';
import { describeError } from '../errors/describe-error';

export const MAX_NOTE_TEXT = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
export const MAX_AUTHOR_LENGTH = 128;

/** A note as the report needs it: target by position and every version. */
export interface StoredNote {
  noteId: number;
  target: { kind: NoteTarget['kind']; index: number | null; finding: string | null };
  history: NoteVersion[];
}

export class NoteError extends Error {}

function cleanTags(tags: readonly string[]): string[] {
  if (tags.length > MAX_TAGS) throw new NoteError(`A note takes at most ${MAX_TAGS} tags.`);
  const out = new Set<string>();
  for (const t of tags) {
    const tag = t.trim().replace(/\s+/g, ' ');
    if (!tag) continue;
    if (tag.length > MAX_TAG_LENGTH) throw new NoteError(`A tag is longer than ${MAX_TAG_LENGTH} characters.`);
    out.add(tag);
  }
  return [...out].sort();
}

function checkText(text: string, author: string): void {
  if (!text.trim()) throw new NoteError('A note needs some text.');
  if (text.length > MAX_NOTE_TEXT) throw new NoteError(`A note is longer than ${MAX_NOTE_TEXT} characters.`);
  if (!author.trim() || author.length > MAX_AUTHOR_LENGTH) throw new NoteError(`A note needs an author (at most ${MAX_AUTHOR_LENGTH} characters).`);
}

export class CaseNotes {
  constructor(
    private readonly db: Db,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** The target must exist in this case: an event position, a finding of that kind, a replay result, a sequence finding. */
  private checkTarget(target: NoteTarget): { kind: NoteTarget['kind']; index: number | null; finding: string | null } {
    const index = target.index ?? null;
    const findingKind = target.finding ?? null;
    const has = (sql: string, ...params: unknown[]) => this.db.prepare(sql).get(...params) !== undefined;
    switch (target.kind) {
      case 'case':
        if (index !== null || findingKind !== null) throw new NoteError('A note on the whole case names no event and no finding.');
        return { kind: 'case', index: null, finding: null };
      case 'event':
        if (index === null || !has('SELECT 1 FROM events WHERE idx = ?', index)) throw new NoteError(`There is no event at position ${index} in this case.`);
        return { kind: 'event', index, finding: null };
      case 'finding':
        if (!findingKind) throw new NoteError('A note on a finding names the finding kind.');
        if (index === null ? !has('SELECT 1 FROM findings WHERE kind = ? AND event_idx IS NULL', findingKind) : !has('SELECT 1 FROM findings WHERE kind = ? AND event_idx = ?', findingKind, index)) {
          throw new NoteError(`There is no ${findingKind} finding ${index === null ? 'on the whole file' : `at event position ${index}`} in this case.`);
        }
        return { kind: 'finding', index, finding: findingKind };
      case 'divergence':
        if (index === null || !has("SELECT 1 FROM replay_results WHERE event_idx = ? AND status <> 'match'", index)) throw new NoteError(`There is no divergence at event position ${index} in this case.`);
        return { kind: 'divergence', index, finding: null };
      case 'sequence-finding':
        if (index === null || !has('SELECT 1 FROM sequence_findings WHERE event_idx = ?', index)) throw new NoteError(`There is no sequence finding at event position ${index} in this case.`);
        return { kind: 'sequence-finding', index, finding: findingKind };
      default:
        throw new NoteError('Unknown note target.');
    }
  }

  add(input: NoteInput): CaseNote {
    checkText(input.text, input.author);
    const target = this.checkTarget(input.target);
    const tags = cleanTags(input.tags);
    const at = this.now();
    const noteId = this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO notes (target_kind, target_index, target_finding) VALUES (?, ?, ?)').run(target.kind, target.index, target.finding).lastInsertRowid);
      this.db.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, 1, ?, ?, ?, ?)').run(id, input.author.trim(), at, input.text, JSON.stringify(tags));
      return id;
    })();
    return this.get(noteId);
  }

  edit(noteId: number, edit: NoteEdit): CaseNote {
    checkText(edit.text, edit.author);
    const tags = cleanTags(edit.tags);
    const at = this.now();
    this.db.transaction(() => {
      const last = this.db.prepare('SELECT max(version) FROM note_versions WHERE note_id = ?').pluck().get(noteId) as number | null;
      if (last === null) throw new NoteError(`There is no note ${noteId} in this case.`);
      this.db.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, ?, ?, ?, ?, ?)').run(noteId, last + 1, edit.author.trim(), at, edit.text, JSON.stringify(tags));
    })();
    return this.get(noteId);
  }

  get(noteId: number): CaseNote {
    const found = this.list(null, noteId);
    if (!found.length) throw new NoteError(`There is no note ${noteId} in this case.`);
    return found[0];
  }

  /** Notes in the order they were made; with a target, only those about it. */
  list(target: NoteTarget | null, noteId?: number): CaseNote[] {
    const stored = this.stored(target, noteId);
    const at = this.db.prepare('SELECT seq, line FROM events WHERE idx = ?');
    return stored.map((n) => {
      const pos = n.target.index === null ? undefined : (at.get(n.target.index) as { seq: number; line: number } | undefined);
      return {
        noteId: n.noteId,
        target: { ...n.target, seq: pos?.seq ?? null, line: pos?.line ?? null },
        current: n.history[n.history.length - 1],
        history: n.history,
      };
    });
  }

  stored(target: NoteTarget | null = null, noteId?: number): StoredNote[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (noteId !== undefined) {
      where.push('n.note_id = ?');
      params.push(noteId);
    }
    if (target) {
      where.push('n.target_kind = ?', 'n.target_index IS ?');
      params.push(target.kind, target.index ?? null);
      if (target.finding) {
        where.push('n.target_finding = ?');
        params.push(target.finding);
      }
    }
    const rows = this.db
      .prepare(
        `SELECT n.note_id, n.target_kind, n.target_index, n.target_finding, v.version, v.author, v.at, v.text, v.tags
         FROM notes n JOIN note_versions v ON v.note_id = n.note_id
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY n.note_id, v.version`,
      )
      .all(...params) as { note_id: number; target_kind: NoteTarget['kind']; target_index: number | null; target_finding: string | null; version: number; author: string; at: string; text: string; tags: string }[];
    const out: StoredNote[] = [];
    for (const r of rows) {
      let note = out[out.length - 1];
      if (!note || note.noteId !== r.note_id) {
        note = { noteId: r.note_id, target: { kind: r.target_kind, index: r.target_index, finding: r.target_finding }, history: [] };
        out.push(note);
      }
      note.history.push({ version: r.version, author: r.author, at: r.at, text: r.text, tags: JSON.parse(r.tags) as string[] });
    }
    return out;
  }
}

/** Notes of a case store file, for a report made outside the app; a store from before notes existed has none. */
export function hasNotesTable(db: Db): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'notes'").get() !== undefined;
}

/**
 * Pointing a case at another trust store or policy folder examines the same
 * export again into a new case; the reviewer's notes come with it, each with
 * its whole history (ids, versions, authors and times as written). Only when
 * the export's bytes are the ones the notes were written against: notes name
 * events by position, and an export changed on disk since could put them on
 * other events. A note about a finding or divergence the new inputs no longer
 * produce is kept too, still naming what it was about.
 */
export function carryNotes(into: Db, fromFile: string, fromCaseId: string, exportSha256: string): NotesCarried {
  let from: Db;
  try {
    from = openCaseDb(fromFile, { readonly: true });
  } catch (err) {
    return { caseId: fromCaseId, carried: 0, refused: `the earlier case could not be read: ${describeError(err, fromFile)}` };
  }
  try {
    if (!hasNotesTable(from)) return { caseId: fromCaseId, carried: 0, refused: null };
    const before = String(readMeta(from).export_sha256 ?? '');
    if (before !== exportSha256) {
      return {
        caseId: fromCaseId,
        carried: 0,
        refused: `the export is not the file those notes were written on (SHA-256 ${before.slice(0, 12)}… then, ${exportSha256.slice(0, 12)}… now), so the events they name may have moved; they stay in the earlier case`,
      };
    }
    const notes = from.prepare('SELECT note_id, target_kind, target_index, target_finding FROM notes ORDER BY note_id').raw().all() as unknown[][];
    const versions = from.prepare('SELECT note_id, version, author, at, text, tags FROM note_versions ORDER BY note_id, version').raw().all() as unknown[][];
    into.transaction(() => {
      const note = into.prepare('INSERT INTO notes (note_id, target_kind, target_index, target_finding) VALUES (?, ?, ?, ?)');
      const version = into.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, ?, ?, ?, ?, ?)');
      for (const row of notes) note.run(...row);
      for (const row of versions) version.run(...row);
    })();
    return { caseId: fromCaseId, carried: notes.length, refused: null };
  } finally {
    from.close();
  }
}
