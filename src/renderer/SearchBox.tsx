/** Search by event hash (or its first 8+ hex digits), request id or decision id; each match selects its event. */
import { useState } from 'react';
import type { CaseId, EventRow, SearchResult } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { plural } from './format';

export interface SearchBoxProps {
  caseId: CaseId;
  onSelect(row: EventRow): void;
}

export function SearchBox({ caseId, onSelect }: SearchBoxProps) {
  const api = useApi();
  const [term, setTerm] = useState('');
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const search = async () => {
    const t = term.trim();
    if (!t) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.searchEvents(caseId, t);
      setResult(r);
      // One match: go straight to it.
      if (r.matches.length === 1) onSelect(r.matches[0]!.row);
    } catch (e) {
      setError(sentenceOf(e));
      setResult(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel search-panel" aria-label="Search events">
      <form
        role="search"
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          Find an event
          <input value={term} onChange={(e) => setTerm(e.target.value)} placeholder="event hash, request id or decision id" spellCheck={false} maxLength={256} aria-describedby="search-hint" />
        </label>
        <button type="submit" disabled={busy || !term.trim()}>
          Search
        </button>
        <span id="search-hint" className="muted">
          A hash may be its first 8 or more characters; ids must be whole.
        </span>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div role="status">
          <p className="muted">
            {result.matches.length === 0
              ? `Nothing in this case has the hash, request id or decision id "${result.term}".`
              : `${plural(result.matches.length, 'event')}${result.truncated ? ' (the first ones)' : ''} for "${result.term}".`}
          </p>
          {result.matches.length > 0 && (
            <ul className="search-results">
              {result.matches.map((m) => (
                <li key={`${m.by}:${m.row.index}`}>
                  <button type="button" className="link-button" onClick={() => onSelect(m.row)}>
                    seq {m.row.seq} · {m.row.kind} · {m.row.actorId}
                  </button>{' '}
                  <span className="muted">by {m.by}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
