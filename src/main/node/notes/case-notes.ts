/**
 * Reviewer notes in a case store, beside the evidence (never inside it).
 * A note's text and tags live in versions: an edit appends one, nothing is
 * overwritten or deleted (the store's triggers refuse it as well).
 */
import type { CaseNote, NotesCarried, NoteEdit, NoteInput, NoteTarget } from '../../../shared/api/audit-api';
import { openReadable, type ReadableDB, type WritableDB } from '../store/case-store';
import { readCaseMeta } from '../store/case-meta';
import { CaseStoreReader } from '../store/case-store-reader';
import { appendNoteVersion, copyNotes, hasNotes, insertNote, readNotes, type StoredNote } from '../store/notes-store';
import { describeError } from '../errors/describe-error';
import { MAX_AUTHOR_LENGTH, MAX_NOTE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from '../../../shared/api/validate';

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
  if (text.length > MAX_NOTE_LENGTH) throw new NoteError(`A note is longer than ${MAX_NOTE_LENGTH} characters.`);
  if (!author.trim() || author.length > MAX_AUTHOR_LENGTH) throw new NoteError(`A note needs an author (at most ${MAX_AUTHOR_LENGTH} characters).`);
}

export class CaseNotes {
  private readonly reads: CaseStoreReader;

  constructor(
    private readonly db: WritableDB,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {
    this.reads = new CaseStoreReader(db);
  }

  /** The target must exist in this case: an event position, a finding of that kind, a replay result, a sequence finding. */
  private checkTarget(target: NoteTarget): StoredNote['target'] {
    const index = target.index ?? null;
    const findingKind = target.finding ?? null;
    switch (target.kind) {
      case 'case':
        if (index !== null || findingKind !== null) throw new NoteError('A note on the whole case names no event and no finding.');
        return { kind: 'case', index: null, finding: null };
      case 'event':
        if (index === null || !this.reads.hasEvent(index)) throw new NoteError(`There is no event at position ${index} in this case.`);
        return { kind: 'event', index, finding: null };
      case 'finding':
        if (!findingKind) throw new NoteError('A note on a finding names the finding kind.');
        if (!this.reads.hasFinding(findingKind, index)) {
          throw new NoteError(`There is no ${findingKind} finding ${index === null ? 'on the whole file' : `at event position ${index}`} in this case.`);
        }
        return { kind: 'finding', index, finding: findingKind };
      case 'divergence':
        if (index === null || !this.reads.hasDivergence(index)) throw new NoteError(`There is no divergence at event position ${index} in this case.`);
        return { kind: 'divergence', index, finding: null };
      case 'sequence-finding':
        if (index === null || !this.reads.hasSequenceFinding(index)) throw new NoteError(`There is no sequence finding at event position ${index} in this case.`);
        return { kind: 'sequence-finding', index, finding: findingKind };
      default:
        throw new NoteError('Unknown note target.');
    }
  }

  add(input: NoteInput): CaseNote {
    checkText(input.text, input.author);
    const target = this.checkTarget(input.target);
    const tags = cleanTags(input.tags);
    const noteId = insertNote(this.db, target, { author: input.author.trim(), at: this.now(), text: input.text, tags });
    return this.get(noteId);
  }

  edit(noteId: number, edit: NoteEdit): CaseNote {
    checkText(edit.text, edit.author);
    const tags = cleanTags(edit.tags);
    if (!appendNoteVersion(this.db, noteId, { author: edit.author.trim(), at: this.now(), text: edit.text, tags })) throw new NoteError(`There is no note ${noteId} in this case.`);
    return this.get(noteId);
  }

  get(noteId: number): CaseNote {
    const found = this.list(null, noteId);
    if (!found.length) throw new NoteError(`There is no note ${noteId} in this case.`);
    return found[0];
  }

  /** Notes in the order they were made; with a target, only those about it. */
  list(target: NoteTarget | null, noteId?: number): CaseNote[] {
    return readNotes(this.db, target, noteId).map((n) => {
      const pos = n.target.index === null ? undefined : this.reads.eventPosition(n.target.index);
      return {
        noteId: n.noteId,
        target: { ...n.target, seq: pos?.seq ?? null, line: pos?.line ?? null },
        current: n.history[n.history.length - 1],
        history: n.history,
      };
    });
  }

  stored(): StoredNote[] {
    return readNotes(this.db);
  }
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
export function carryNotes(into: WritableDB, fromFile: string, fromCaseId: string, exportSha256: string): NotesCarried {
  let from: ReadableDB;
  try {
    from = openReadable(fromFile);
  } catch (err) {
    return { caseId: fromCaseId, carried: 0, refused: `the earlier case could not be read: ${describeError(err, fromFile)}` };
  }
  try {
    if (!hasNotes(from)) return { caseId: fromCaseId, carried: 0, refused: null };
    const before = readCaseMeta(from).exportSha256;
    if (before !== exportSha256) {
      return {
        caseId: fromCaseId,
        carried: 0,
        refused: `the export is not the file those notes were written on (SHA-256 ${before.slice(0, 12)}… then, ${exportSha256.slice(0, 12)}… now), so the events they name may have moved; they stay in the earlier case`,
      };
    }
    const carried = copyNotes(from, into);
    return { caseId: fromCaseId, carried, refused: null };
  } finally {
    from.close();
  }
}
