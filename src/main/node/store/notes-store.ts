/**
 * The SQL of reviewer notes (migration 3): notes and their versions, read
 * over a `ReadableDB`, appended over a `WritableDB`. Nothing is updated or
 * deleted (the store's triggers refuse it as well). Checking what a note
 * may say is notes/case-notes.ts's business.
 */
import type { NoteTarget, NoteVersion } from '../../../shared/api/audit-api';
import { hasTable, type ReadableDB, type WritableDB } from './case-store';

/** A note as stored: its target by position and every version. */
export interface StoredNote {
  noteId: number;
  target: { kind: NoteTarget['kind']; index: number | null; finding: string | null };
  history: NoteVersion[];
}

/** Does the store keep notes (stores from before version 3 do not)? */
export function hasNotes(db: ReadableDB): boolean {
  return hasTable(db, 'notes');
}

/** Notes in the order they were made, each with its versions; only those about a target, or one note, when asked. */
export function readNotes(db: ReadableDB, target: NoteTarget | null = null, noteId?: number): StoredNote[] {
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
  const rows = db
    .prepare(
      `SELECT n.note_id, n.target_kind, n.target_index, n.target_finding, v.version, v.author, v.at, v.text, v.tags
       FROM notes n JOIN note_versions v ON v.note_id = n.note_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY n.note_id, v.version`,
    )
    .all(...params) as {
    note_id: number;
    target_kind: NoteTarget['kind'];
    target_index: number | null;
    target_finding: string | null;
    version: number;
    author: string;
    at: string;
    text: string;
    tags: string;
  }[];
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

/** A new note with its first version, in one transaction; returns its id. */
export function insertNote(db: WritableDB, target: StoredNote['target'], first: Omit<NoteVersion, 'version'>): number {
  return db.transaction(() => {
    const id = Number(db.prepare('INSERT INTO notes (target_kind, target_index, target_finding) VALUES (?, ?, ?)').run(target.kind, target.index, target.finding).lastInsertRowid);
    db.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, 1, ?, ?, ?, ?)').run(id, first.author, first.at, first.text, JSON.stringify(first.tags));
    return id;
  })();
}

/** Append the next version of a note; false when there is no such note. */
export function appendNoteVersion(db: WritableDB, noteId: number, next: Omit<NoteVersion, 'version'>): boolean {
  return db.transaction(() => {
    const last = db.prepare('SELECT max(version) FROM note_versions WHERE note_id = ?').pluck().get(noteId) as number | null;
    if (last === null) return false;
    db.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, ?, ?, ?, ?, ?)').run(noteId, last + 1, next.author, next.at, next.text, JSON.stringify(next.tags));
    return true;
  })();
}

/** Copy every note of one store into another as written (ids, versions, authors, times); returns how many notes. */
export function copyNotes(from: ReadableDB, into: WritableDB): number {
  const notes = from.prepare('SELECT note_id, target_kind, target_index, target_finding FROM notes ORDER BY note_id').raw().all() as unknown[][];
  const versions = from.prepare('SELECT note_id, version, author, at, text, tags FROM note_versions ORDER BY note_id, version').raw().all() as unknown[][];
  into.transaction(() => {
    const note = into.prepare('INSERT INTO notes (note_id, target_kind, target_index, target_finding) VALUES (?, ?, ?, ?)');
    const version = into.prepare('INSERT INTO note_versions (note_id, version, author, at, text, tags) VALUES (?, ?, ?, ?, ?, ?)');
    for (const row of notes) note.run(...row);
    for (const row of versions) version.run(...row);
  })();
  return notes.length;
}
