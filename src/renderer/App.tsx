/** The review desk: open an export, read the verdict, then dig into the timeline, table, proof and lists. */
import { useCallback, useEffect, useLayoutEffect, useState } from 'react';
import type { DragEvent } from 'react';
import type { AuditApi, CaseId, CaseSummary, EventRow, JobId, OpenExportRequest, TimelineLaneMarker } from '../shared/api/audit-api';
import type { Finding } from '../shared/verify/findings';
import { ApiContext, sentenceOf, useApi } from './api';
import { CaseLists } from './CaseLists';
import { EventTable } from './EventTable';
import type { EventFilter } from './EventTable';
import { FilterBar } from './FilterBar';
import { Inspector } from './Inspector';
import { NotesPanel } from './NotesPanel';
import { ReportButton } from './ReportButton';
import { RequestStory } from './RequestStory';
import { SearchBox } from './SearchBox';
import { locateEvent } from './locate';
import { useDeepLink } from './deep-link';
import { describeRange, type Stretch } from '../shared/verify/answers';
import { JobProgressBar, OpenPanel } from './OpenPanel';
import { Timeline } from './Timeline';
import { Plain } from './plain-words';
import { useConduct } from './useConduct';
import { useJob } from './useJob';
import { VerdictPanel } from './VerdictPanel';
import { WhatIfPanel } from './WhatIfPanel';

type ThemeChoice = 'system' | 'light' | 'dark';

function useTheme(): [ThemeChoice, (t: ThemeChoice) => void, 'light' | 'dark'] {
  const [choice, setChoice] = useState<ThemeChoice>(() => {
    try {
      const saved = localStorage.getItem('audit-replay.theme');
      return saved === 'light' || saved === 'dark' ? saved : 'system';
    } catch {
      return 'system';
    }
  });
  const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
  const [systemDark, setSystemDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const listen = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    query.addEventListener('change', listen);
    return () => query.removeEventListener('change', listen);
  }, [query]);
  const resolved = choice === 'system' ? (systemDark ? 'dark' : 'light') : choice;
  // A layout effect, so the theme is on <html> before any passive effect (the timeline canvas) reads its colours.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = resolved;
    try {
      localStorage.setItem('audit-replay.theme', choice);
    } catch {
      // A locked-down profile without storage just forgets the choice.
    }
  }, [resolved, choice]);
  return [choice, setChoice, resolved];
}

function CaseInputs({ summary, onApply }: { summary: CaseSummary; onApply(inputs: { trustPath: string | null; policiesPath: string | null }): void }) {
  const api = useApi();
  const [trust, setTrust] = useState(summary.trustPath ?? '');
  const [policies, setPolicies] = useState(summary.policiesPath ?? '');
  useEffect(() => {
    setTrust(summary.trustPath ?? '');
    setPolicies(summary.policiesPath ?? '');
  }, [summary.trustPath, summary.policiesPath]);
  const [error, setError] = useState<string | null>(null);
  const pick = async (kind: 'trust' | 'policies') => {
    try {
      const picked = await api.pickFile(kind);
      if (picked) (kind === 'trust' ? setTrust : setPolicies)(picked);
    } catch (e) {
      setError(sentenceOf(e));
    }
  };
  const changed = (trust || null) !== summary.trustPath || (policies || null) !== summary.policiesPath;
  return (
    <details className="panel case-inputs">
      <summary>
        Trust store: <span className="mono">{summary.trustPath ?? 'none'}</span> · Policy folder: <span className="mono">{summary.policiesPath ?? 'none'}</span>
      </summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ trustPath: trust.trim() || null, policiesPath: policies.trim() || null });
        }}
      >
        <label>
          Trust store for this case
          <span className="input-row">
            <input value={trust} onChange={(e) => setTrust(e.target.value)} spellCheck={false} placeholder="/path/to/trust.json" />
            <button type="button" onClick={() => pick('trust')} aria-label="Choose a trust store for this case">
              Choose…
            </button>
          </span>
        </label>
        <label>
          Policy folder for this case
          <span className="input-row">
            <input value={policies} onChange={(e) => setPolicies(e.target.value)} spellCheck={false} placeholder="/path/to/policies" />
            <button type="button" onClick={() => pick('policies')} aria-label="Choose a policy folder for this case">
              Choose…
            </button>
          </span>
        </label>
        <button type="submit" disabled={!changed}>
          Re-verify with these
        </button>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}

/** A link past the timeline, for keyboard users: it moves focus (not just the scroll position) to its target. */
function SkipLink({ target, children }: { target: string; children: string }) {
  return (
    <a
      href={`#${target}`}
      className="skip-link"
      onClick={(e) => {
        e.preventDefault();
        const el = document.getElementById(target);
        // A form takes focus on its first field; the table's grid is focusable itself.
        const focusable = el?.matches('[tabindex]') ? el : el?.querySelector<HTMLElement>('select, input, button');
        focusable?.focus();
        el?.scrollIntoView?.({ block: 'nearest' });
      }}
    >
      {children}
    </a>
  );
}

function Desk() {
  const api = useApi();
  const [summary, setSummary] = useState<CaseSummary | null>(null);
  const [showOpen, setShowOpen] = useState(false);
  const [message, setMessage] = useState<{ text: string; kind: 'error' | 'info' } | null>(null);
  const [filter, setFilter] = useState<EventFilter>({});
  const [selected, setSelected] = useState<{ index: number; ts: string | null } | null>(null);
  const [reveal, setReveal] = useState<{ index: number; nonce: number } | null>(null);
  const [revision, setRevision] = useState(0);
  // The timeline asks the service for buckets only once the table's first page is in: on a big
  // case that query is the slow one, and the verdict and first rows must not wait behind it.
  const [tableReady, setTableReady] = useState<CaseId | null>(null);
  const [themeChoice, setThemeChoice, theme] = useTheme();
  const conduct = useConduct(summary?.caseId ?? null, revision);

  const loadCase = useCallback(
    async (caseId: CaseId) => {
      try {
        const s = await api.getCaseSummary(caseId);
        setSummary((old) => {
          if (old?.caseId !== s.caseId) {
            // A selection belongs to its case: a stale one would scroll the new table away from the top.
            setFilter({});
            setSelected(null);
            setReveal(null);
          }
          return s;
        });
        setShowOpen(false);
        setMessage((m) => (m?.kind === 'info' ? null : m));
        setRevision((r) => r + 1);
      } catch (e) {
        setMessage({ text: sentenceOf(e), kind: 'error' });
      }
    },
    [api],
  );

  const { job, start, cancel } = useJob({
    onDone: (caseId) => {
      setRevision((r) => r + 1);
      if (caseId) void loadCase(caseId);
    },
    onMessage: (text, kind) => setMessage({ text, kind }),
  });
  const startJob = (begin: () => Promise<{ jobId: JobId }>) => {
    setMessage(null);
    return start(begin);
  };
  const open = (request: OpenExportRequest) => startJob(() => api.openExport(request));

  const selectRow = useCallback((row: EventRow) => setSelected({ index: row.index, ts: row.ts }), []);
  const selectIndex = useCallback(
    (index: number, ts: string | null = null) => {
      setSelected({ index, ts });
      setReveal((r) => ({ index, nonce: (r?.nonce ?? 0) + 1 }));
      if (ts === null && summary) {
        api.queryEvents(summary.caseId, { offset: index, limit: 1 }).then(
          (page) => {
            const row = page.rows[0];
            if (row?.index === index) setSelected((s) => (s?.index === index ? { index, ts: row.ts } : s));
          },
          () => undefined,
        );
      }
    },
    [api, summary],
  );
  const selectMarker = useCallback((m: TimelineLaneMarker) => selectIndex(m.index, m.ts), [selectIndex]);
  /** A stretch that cannot be proven: the table filtered to it, its first event selected. */
  const showStretch = useCallback(
    async (stretch: Stretch) => {
      if (!summary) return;
      setFilter((f) => ({ ...f, seqFrom: stretch.from_seq, seqTo: stretch.to_seq }));
      setMessage({ text: `Showing ${describeRange(stretch)}, which cannot be proven: ${stretch.why}.`, kind: 'info' });
      try {
        const found = await locateEvent(api, summary.caseId, { line: stretch.from_line, seq: null }, summary.firstSeq);
        if (found) selectIndex(found.row.index, found.row.ts);
      } catch (e) {
        setMessage({ text: sentenceOf(e), kind: 'error' });
      }
    },
    [api, summary, selectIndex],
  );
  const locateFinding = useCallback(
    async (f: Finding) => {
      if (!summary) return;
      // A checkpoint's finding is about the events it should vouch for, not about its own line.
      const stretch = f.seq === null || f.kind === 'hash-mismatch' ? null : (summary.integrity.unproven.find((s) => s.to_seq === f.seq) ?? null);
      if (stretch) {
        void showStretch(stretch);
        return;
      }
      try {
        const found = await locateEvent(api, summary.caseId, f, summary.firstSeq);
        if (!found) {
          setMessage({ text: `No event could be found for line ${f.line ?? '?'}.`, kind: 'info' });
          return;
        }
        if (!found.exact) setMessage({ text: `Line ${f.line ?? '?'} holds no readable event; showing the next event (line ${found.row.line}).`, kind: 'info' });
        selectIndex(found.row.index, found.row.ts);
      } catch (e) {
        setMessage({ text: sentenceOf(e), kind: 'error' });
      }
    },
    [api, summary, selectIndex, showStretch],
  );
  /** A finding's related event, by seq (seqs may skip in a damaged export, so it is looked up, not computed). */
  const selectSeq = useCallback(
    async (seq: number) => {
      if (!summary) return;
      try {
        const found = await locateEvent(api, summary.caseId, { line: null, seq }, summary.firstSeq);
        if (!found || !found.exact) {
          setMessage({ text: `No event with seq ${seq} is in this case.`, kind: 'info' });
          if (!found) return;
        }
        selectIndex(found.row.index, found.row.ts);
      } catch (e) {
        setMessage({ text: sentenceOf(e), kind: 'error' });
      }
    },
    [api, summary, selectIndex],
  );
  useDeepLink({ api, caseId: summary?.caseId ?? null, selectedIndex: selected?.index ?? null, loadCase: (id) => void loadCase(id), selectSeq: (seq) => void selectSeq(seq) });
  const onSpan = useCallback((fromTs: string, toTs: string) => setFilter((f) => ({ ...f, fromTs, toTs })), []);

  // A case just opened: the reader starts at its verdict, not wherever the Open button was.
  const shownCase = summary && !showOpen ? summary.caseId : null;
  useEffect(() => {
    if (shownCase) document.getElementById('verdict-title')?.focus();
  }, [shownCase]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (!file) return;
    const path = window.auditHost?.pathForFile?.(file) || (file as File & { path?: string }).path || '';
    if (path) void open({ exportPath: path, trustPath: summary?.trustPath ?? null, policiesPath: summary?.policiesPath ?? null });
    else setMessage({ text: `This window cannot see where "${file.name}" is stored; type its path in the Export file path field instead.`, kind: 'info' });
  };

  return (
    <div className="app" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      {summary && !showOpen && (
        <nav className="skip-links" aria-label="Skip links">
          <SkipLink target="event-filters">Skip to the event filters</SkipLink>
          <SkipLink target="event-grid">Skip to the event table</SkipLink>
        </nav>
      )}
      <header className="topbar">
        <h1>Audit Replay</h1>
        {summary && (
          <span className="case-name">
            <span className="mono">{summary.exportName}</span>
          </span>
        )}
        <span className="spacer" />
        {summary && (
          <button
            type="button"
            onClick={() => {
              setShowOpen((v) => !v);
              setMessage((m) => (m?.kind === 'info' ? null : m));
            }}
            aria-expanded={showOpen}
          >
            {showOpen ? 'Back to the case' : 'Open another export'}
          </button>
        )}
        <label className="theme-pick">
          Theme
          <select value={themeChoice} onChange={(e) => setThemeChoice(e.target.value as ThemeChoice)}>
            <option value="system">as system</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
        </label>
      </header>
      {message && (
        <div className={`message message-${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          <span>
            <Plain text={message.text} />
          </span>
          <button type="button" onClick={() => setMessage(null)} aria-label="Dismiss message">
            ✕
          </button>
        </div>
      )}
      {job && <JobProgressBar progress={job.progress} onCancel={cancel} />}
      {(!summary || showOpen) && <OpenPanel onOpen={open} onOpenCase={(id) => void loadCase(id)} revision={revision} busy={job !== null} />}
      {summary && !showOpen && (
        <main className="desk">
          <VerdictPanel summary={summary} onLocateFinding={locateFinding} onShowStretch={(s) => void showStretch(s)} />
          <CaseInputs summary={summary} onApply={(inputs) => startJob(() => api.setCaseInputs(summary.caseId, inputs))} />
          <Timeline summary={summary} selected={selected} theme={theme} onSelectMarker={selectMarker} onSpan={onSpan} enabled={tableReady === summary.caseId} conduct={conduct} />
          <div className="work">
            <div className="work-left">
              <SearchBox caseId={summary.caseId} onSelect={(row) => selectIndex(row.index, row.ts)} />
              <FilterBar summary={summary} filter={filter} onChange={setFilter} conductKinds={conduct.kinds} />
              <EventTable
                key={`${summary.caseId}:${revision}`}
                caseId={summary.caseId}
                filter={filter}
                selectedIndex={selected?.index ?? null}
                onSelect={selectRow}
                reveal={reveal}
                onFirstPage={setTableReady}
                conduct={conduct}
              />
            </div>
            <div className="work-right">
              <RequestStory caseId={summary.caseId} index={selected?.index ?? null} onSelectIndex={(i) => selectIndex(i)} />
              <Inspector
                caseId={summary.caseId}
                index={selected?.index ?? null}
                onSelectIndex={(i) => selectIndex(i)}
                format={summary.format}
                signer={summary.signer}
                conduct={selected ? conduct.byIndex.get(selected.index) : undefined}
                onSelectSeq={(seq) => void selectSeq(seq)}
                exportName={summary.exportName}
                trustName={summary.trustPath ? (summary.trustPath.split(/[\\/]/).pop() ?? null) : null}
              />
            </div>
          </div>
          <CaseLists caseId={summary.caseId} revision={revision} onLocateFinding={locateFinding} onSelectIndex={(i) => selectIndex(i)} onSelectSeq={(seq) => void selectSeq(seq)} />
          <WhatIfPanel key={`what-if:${summary.caseId}`} summary={summary} onSelectIndex={(i) => selectIndex(i)} onSelectSeq={(seq) => void selectSeq(seq)} />
          <NotesPanel key={`notes:${summary.caseId}`} caseId={summary.caseId} index={selected?.index ?? null} carried={summary.notesFrom} />
          <ReportButton caseId={summary.caseId} />
        </main>
      )}
    </div>
  );
}

export function App({ api }: { api: AuditApi }) {
  return (
    <ApiContext.Provider value={api}>
      <Desk />
    </ApiContext.Provider>
  );
}
