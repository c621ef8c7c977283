/**
 * Reviewer notes on the selected event or the whole case: tags, author and
 * time; an edit adds a version and the earlier ones stay visible. Notes live
 * in the case store beside the evidence (docs/reports.md). Everything shown is
 * React text, so note and export contents are never markup.
 */
import { useCallback, useEffect, useState } from 'react';
import { NOTE_TAGS, type CaseId, type CaseNote, type NotesCarried, type NoteTarget } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { localTime, plural } from './format';

export interface NotesPanelProps {
  caseId: CaseId;
  /** The event selected in the table, if any. */
  index: number | null;
  /** What became of the notes of the case this one re-examines with other inputs. */
  carried?: NotesCarried | null;
}

function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

function targetWords(t: CaseNote['target']): string {
  if (t.kind === 'case') return 'the case';
  const where = t.seq !== null ? `seq ${t.seq}, line ${t.line}` : t.index !== null ? `event ${t.index}` : 'the file';
  return `${t.kind === 'finding' && t.finding ? `finding ${t.finding}` : t.kind} at ${where}`;
}

function TagPicker({ tags, onChange, label }: { tags: string[]; onChange(tags: string[]): void; label: string }) {
  const free = tags.filter((t) => !(NOTE_TAGS as readonly string[]).includes(t));
  return (
    <fieldset className="note-tags" aria-label={label}>
      {NOTE_TAGS.map((tag) => (
        <label key={tag}>
          <input type="checkbox" checked={tags.includes(tag)} onChange={(e) => onChange(e.target.checked ? [...tags, tag] : tags.filter((t) => t !== tag))} /> {tag}
        </label>
      ))}
      <label>
        other tags{' '}
        <input
          type="text"
          value={free.join(', ')}
          placeholder="comma separated"
          onChange={(e) => onChange([...tags.filter((t) => (NOTE_TAGS as readonly string[]).includes(t)), ...splitTags(e.target.value)])}
        />
      </label>
    </fieldset>
  );
}

/** A note's time as the reviewer's local time, readable; the recorded value on hover and in `dateTime`. */
function NoteTime({ at }: { at: string }) {
  return (
    <time dateTime={at} title={at}>
      {localTime(at)}
    </time>
  );
}

function NoteItem({ note, onEdit }: { note: CaseNote; onEdit(text: string, tags: string[]): Promise<void> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(note.current.text);
  const [tags, setTags] = useState(note.current.tags);
  const [showHistory, setShowHistory] = useState(false);
  return (
    <li className="note" aria-label={`Note ${note.noteId}`}>
      <div className="note-head">
        <span>{targetWords(note.target)}</span> · <span>{note.current.author}</span> · <NoteTime at={note.current.at} /> · v{note.current.version}
      </div>
      {note.current.tags.length > 0 && (
        <div className="note-tag-list">
          {note.current.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </div>
      )}
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void onEdit(text, tags).then(() => setEditing(false));
          }}
        >
          <textarea aria-label={`Edit note ${note.noteId}`} value={text} onChange={(e) => setText(e.target.value)} rows={3} />
          <TagPicker tags={tags} onChange={setTags} label={`Tags of note ${note.noteId}`} />
          <button type="submit">Save as version {note.current.version + 1}</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <p className="note-text">{note.current.text}</p>
      )}
      <div className="note-actions">
        {!editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
        {note.history.length > 1 && (
          <button type="button" aria-expanded={showHistory} onClick={() => setShowHistory(!showHistory)}>
            History ({note.history.length} versions)
          </button>
        )}
      </div>
      {showHistory && (
        <ol className="note-history" aria-label={`History of note ${note.noteId}`}>
          {note.history.map((v) => (
            <li key={v.version}>
              v{v.version} · {v.author} · <NoteTime at={v.at} />: {v.text}
              {v.tags.length > 0 && ` [${v.tags.join(', ')}]`}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

export function NotesPanel({ caseId, index, carried = null }: NotesPanelProps) {
  const api = useApi();
  const [notes, setNotes] = useState<CaseNote[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onEvent, setOnEvent] = useState(true);
  const [text, setText] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [author, setAuthor] = useState('');

  const reload = useCallback(() => {
    api.listNotes(caseId, null).then(
      (list) => setNotes(list),
      (err: unknown) => setError(sentenceOf(err)),
    );
  }, [api, caseId]);
  useEffect(reload, [reload]);

  const target: NoteTarget = onEvent && index !== null ? { kind: 'event', index } : { kind: 'case' };
  const add = async () => {
    setError(null);
    try {
      await api.addNote(caseId, { target, text, tags, author: author.trim() });
      setText('');
      setTags([]);
      reload();
    } catch (err) {
      setError(sentenceOf(err));
    }
  };
  const edit = (noteId: number) => async (newText: string, newTags: string[]) => {
    setError(null);
    try {
      await api.editNote(caseId, noteId, { text: newText, tags: newTags, author: author.trim() || 'reviewer' });
      reload();
    } catch (err) {
      setError(sentenceOf(err));
      throw err;
    }
  };

  const here = notes?.filter((n) => index !== null && n.target.index === index) ?? [];
  return (
    <section className="panel notes" aria-label="Reviewer notes">
      <h2>Notes {notes ? `(${notes.length})` : ''}</h2>
      {error && <p role="alert">{error}</p>}
      {carried && (carried.carried > 0 || carried.refused) && (
        <p className={carried.refused ? 'note-carried warn-text' : 'note-carried muted'} role="status">
          {carried.refused
            ? `The notes of the earlier review of this export were not carried over: ${carried.refused}.`
            : `${carried.carried} ${carried.carried === 1 ? 'note' : 'notes'} carried over, with ${carried.carried === 1 ? 'its' : 'their'} history, from the earlier review of this export with other inputs.`}
        </p>
      )}
      <form
        aria-label="Add a note"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <label>
          <input type="checkbox" checked={onEvent && index !== null} disabled={index === null} onChange={(e) => setOnEvent(e.target.checked)} />{' '}
          {index !== null ? `about the selected event (position ${index})` : 'about the whole case (select an event to annotate it)'}
        </label>
        <textarea aria-label="Note text" value={text} onChange={(e) => setText(e.target.value)} rows={3} placeholder="What did you find?" />
        <TagPicker tags={tags} onChange={setTags} label="Tags" />
        <label>
          Author <input type="text" aria-label="Author" value={author} onChange={(e) => setAuthor(e.target.value)} />
        </label>
        <button type="submit" disabled={!text.trim() || !author.trim()}>
          Add note
        </button>
      </form>
      {index !== null && <p className="muted">{plural(here.length, 'note')} on this event.</p>}
      {notes && notes.length > 0 && (
        <ul className="note-list">
          {notes.map((n) => (
            <NoteItem key={`${n.noteId}:${n.current.version}`} note={n} onEdit={edit(n.noteId)} />
          ))}
        </ul>
      )}
    </section>
  );
}
