/**
 * The event table: a fixed-row-height virtualizer over `queryEvents` pages.
 * Only the rows on screen are rendered and only the pages around them are
 * kept, so a million events cost a few hundred rows of memory. Past ~15 M
 * pixels the scrollbar is scaled, because browsers cap an element's height.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { CaseId, EventPage, EventQuery, EventRow } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { formatCount, formatTs, OUTCOME_WORDS, plural } from './format';
import type { Conduct } from './useConduct';

export const ROW_HEIGHT = 28;
export const PAGE_SIZE = 200;
const MAX_PIXELS = 15_000_000;
const KEEP_PAGES = 24;
const OVERSCAN = 6;

export type EventFilter = Omit<EventQuery, 'offset' | 'limit'> & {
  /** Only events with a workflow or conduct finding of this kind (the desk knows them; the service's `finding` is about integrity). */
  conduct?: string | null;
};

/** At most this many conduct findings are looked up for the conduct filter. */
const MAX_CONDUCT_ROWS = 2000;

/**
 * The rows of the events with a conduct finding of `kind` that also match the
 * other filters: one query per event, its seq intersected with the filter's
 * seq range, so every other filter means what it means for the service.
 */
async function conductRows(api: ReturnType<typeof useApi>, caseId: CaseId, conduct: Conduct, kind: string, query: Omit<EventFilter, 'conduct'>): Promise<EventRow[]> {
  const targets = conduct.list.filter((f) => f.kind === kind).slice(0, MAX_CONDUCT_ROWS);
  const seen = new Set<number>();
  const rows: EventRow[] = [];
  for (let i = 0; i < targets.length; i += 8) {
    const batch = targets.slice(i, i + 8).filter((f) => !seen.has(f.index) && (seen.add(f.index), true));
    const pages = await Promise.all(
      batch.map((f) => {
        const seqFrom = Math.max(f.seq, query.seqFrom ?? -Infinity);
        const seqTo = Math.min(f.seq, query.seqTo ?? Infinity);
        return seqFrom > seqTo ? null : api.queryEvents(caseId, { ...query, seqFrom, seqTo, offset: 0, limit: 50 });
      }),
    );
    pages.forEach((page, j) => {
      const row = page?.rows.find((r) => r.index === batch[j]!.index);
      if (row) rows.push(row);
    });
  }
  return rows.sort((a, b) => a.index - b.index);
}

export interface EventTableProps {
  caseId: CaseId;
  filter: EventFilter;
  selectedIndex: number | null;
  onSelect(row: EventRow): void;
  /** Bumped when something elsewhere selects an event the table should scroll to. */
  reveal: { index: number; nonce: number } | null;
  /** Told once the first page has arrived (or failed), with the case id. */
  onFirstPage?(caseId: CaseId): void;
  /** Workflow and conduct findings: shown in the Finding column, and what the conduct filter selects from. */
  conduct?: Conduct;
}

/** The columns and their starting widths (px); the last, the summary, takes the rest (at least its width). */
const COLUMNS = [
  { label: 'Seq', width: 66 },
  { label: 'Line', width: 62 },
  { label: 'Time (UTC)', width: 176 },
  { label: 'Actor', width: 112 },
  { label: 'Kind', width: 128 },
  { label: 'Outcome', width: 96 },
  { label: 'Replay', width: 96 },
  { label: 'Finding', width: 104 },
  { label: 'Summary', width: 200 },
] as const;
const MIN_COLUMN = 40;
const MAX_COLUMN = 900;

/** Column widths the reviewer can drag (or move with ← → on the column's resize handle). */
function useColumnWidths() {
  const [widths, setWidths] = useState<number[]>(() => COLUMNS.map((c) => c.width));
  const resize = useCallback((column: number, width: number) => setWidths((w) => w.map((x, i) => (i === column ? Math.max(MIN_COLUMN, Math.min(MAX_COLUMN, Math.round(width))) : x))), []);
  const template = widths.map((w, i) => (i === widths.length - 1 ? `minmax(${w}px, 1fr)` : `${w}px`)).join(' ');
  return { widths, resize, template, total: widths.reduce((a, w) => a + w, 0) };
}

function ResizeHandle({ label, width, onResize }: { label: string; width: number; onResize(width: number): void }) {
  return (
    <span
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize the ${label} column`}
      aria-valuenow={width}
      aria-valuemin={MIN_COLUMN}
      aria-valuemax={MAX_COLUMN}
      tabIndex={0}
      className="col-resize"
      onKeyDown={(e) => {
        // The grid's own arrow keys move the row cursor: these belong to the handle.
        e.stopPropagation();
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          onResize(width + (e.key === 'ArrowRight' ? 16 : -16));
        }
      }}
      onPointerDown={(e) => {
        e.preventDefault();
        e.stopPropagation();
        const x0 = e.clientX;
        const move = (m: PointerEvent) => onResize(width + m.clientX - x0);
        const up = () => {
          window.removeEventListener('pointermove', move);
          window.removeEventListener('pointerup', up);
        };
        window.addEventListener('pointermove', move);
        window.addEventListener('pointerup', up);
      }}
    />
  );
}

const REPLAY_WORDS: Record<string, string> = { match: 'matches', diverged: 'DIVERGED', 'not-replayable': 'not replayable' };

export function EventTable({ caseId, filter, selectedIndex, onSelect, reveal, onFirstPage, conduct }: EventTableProps) {
  const api = useApi();
  const scroller = useRef<HTMLDivElement>(null);
  const pages = useRef(new Map<number, EventRow[]>());
  const inflight = useRef(new Set<number>());
  const generation = useRef(0);
  const [, setVersion] = useState(0);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(0);
  const [cursor, setCursor] = useState(0);
  const filterKey = JSON.stringify(filter);
  const onFirstPageRef = useRef(onFirstPage);
  onFirstPageRef.current = onFirstPage;
  const conductRef = useRef(conduct);
  conductRef.current = conduct;
  // The conduct filter starts over once the conduct list has arrived.
  const conductReady = filter.conduct ? (conduct?.list.length ?? 0) : 0;

  const columns = useColumnWidths();
  // The column header row sits (sticky) at the top of the scroller: the rows get the rest.
  const height = (viewHeight > 0 ? viewHeight : 14 * ROW_HEIGHT) - ROW_HEIGHT;
  const viewRows = Math.max(1, Math.floor(height / ROW_HEIGHT));
  const count = total ?? 0;
  const contentHeight = Math.min(count * ROW_HEIGHT, MAX_PIXELS);
  const maxScroll = Math.max(0, contentHeight - height);
  const maxFirst = Math.max(0, count - height / ROW_HEIGHT);
  const firstFloat = maxScroll > 0 ? (Math.min(scrollTop, maxScroll) / maxScroll) * maxFirst : 0;

  const loadPage = useCallback(
    (page: number) => {
      if (pages.current.has(page) || inflight.current.has(page)) return;
      const gen = generation.current;
      inflight.current.add(page);
      const { conduct: conductKind, ...query } = JSON.parse(filterKey) as EventFilter;
      const answer: Promise<EventPage> = conductKind
        ? conductRows(api, caseId, conductRef.current ?? { list: [], byIndex: new Map(), kinds: [] }, conductKind, query).then((rows) => {
            // Every page at once: the conduct list is short.
            for (let p = 1; p * PAGE_SIZE < rows.length; p++) pages.current.set(p, rows.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE));
            return { total: rows.length, offset: 0, rows: rows.slice(0, PAGE_SIZE) };
          })
        : api.queryEvents(caseId, { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      answer
        .then((result) => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          pages.current.set(page, result.rows);
          if (page === 0) onFirstPageRef.current?.(caseId);
          setTotal(result.total);
          setError(null);
          setVersion((v) => v + 1);
        })
        .catch((e: unknown) => {
          if (gen !== generation.current) return;
          inflight.current.delete(page);
          if (page === 0) onFirstPageRef.current?.(caseId);
          setError(sentenceOf(e));
        });
    },
    [api, caseId, filterKey, conductReady],
  );

  // A new filter starts over: forget every page and go back to the top.
  useEffect(() => {
    generation.current++;
    pages.current.clear();
    inflight.current.clear();
    setTotal(null);
    setCursor(0);
    setScrollTop(0);
    if (scroller.current) scroller.current.scrollTop = 0;
    loadPage(0);
  }, [loadPage]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewHeight(el.clientHeight);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(firstFloat) - OVERSCAN);
  const last = Math.min(count - 1, Math.ceil(firstFloat + viewRows) + OVERSCAN);

  // Fetch the pages on screen and drop the ones far away.
  useEffect(() => {
    if (total === null) return;
    const firstPage = Math.floor(first / PAGE_SIZE);
    const lastPage = Math.floor(Math.max(first, last) / PAGE_SIZE);
    for (let p = firstPage; p <= lastPage; p++) loadPage(p);
    if (pages.current.size > KEEP_PAGES) {
      const ranked = [...pages.current.keys()].sort((a, b) => Math.abs(b - firstPage) - Math.abs(a - firstPage));
      for (const p of ranked.slice(0, pages.current.size - KEEP_PAGES)) pages.current.delete(p);
    }
  }, [first, last, total, loadPage]);

  const rowAt = useCallback((position: number): EventRow | undefined => pages.current.get(Math.floor(position / PAGE_SIZE))?.[position % PAGE_SIZE], []);

  const scrollToPosition = useCallback(
    (position: number, center = false) => {
      const el = scroller.current;
      if (!el || count === 0) return;
      const rowsOnScreen = height / ROW_HEIGHT;
      let target = firstFloat;
      const visible = position >= firstFloat && position + 1 <= firstFloat + rowsOnScreen;
      // A jump from elsewhere puts the row in the middle; the keyboard scrolls only as far as needed.
      if (center && !visible) target = position - rowsOnScreen / 2 + 0.5;
      else if (position < firstFloat) target = position;
      else if (position + 1 > firstFloat + rowsOnScreen) target = position + 1 - rowsOnScreen;
      else return;
      target = Math.min(Math.max(0, target), maxFirst);
      const top = maxFirst > 0 ? (Math.max(0, target) / maxFirst) * maxScroll : 0;
      el.scrollTop = top;
      setScrollTop(top);
    },
    [count, firstFloat, height, maxFirst, maxScroll],
  );

  const moveCursor = (position: number) => {
    const next = Math.max(0, Math.min(count - 1, position));
    setCursor(next);
    scrollToPosition(next);
  };

  // Another view selected an event: with no filter its position is its index.
  const lastReveal = useRef<number | null>(null);
  useEffect(() => {
    if (!reveal || reveal.nonce === lastReveal.current || total === null) return;
    lastReveal.current = reveal.nonce;
    const unfiltered = Object.values(JSON.parse(filterKey) as EventFilter).every((v) => v == null || v === '' || v === false);
    let position: number | null = unfiltered && reveal.index < total ? reveal.index : null;
    if (position === null) {
      for (const [page, rows] of pages.current) {
        const at = rows.findIndex((r) => r.index === reveal.index);
        if (at >= 0) position = page * PAGE_SIZE + at;
      }
    }
    if (position !== null) {
      setCursor(position);
      scrollToPosition(position, true);
    }
  }, [reveal, total, filterKey, scrollToPosition]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowDown: cursor + 1, ArrowUp: cursor - 1, PageDown: cursor + viewRows - 1, PageUp: cursor - viewRows + 1, Home: 0, End: count - 1 };
    if (e.key in moves) {
      e.preventDefault();
      moveCursor(moves[e.key]!);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const row = rowAt(cursor);
      if (row) onSelect(row);
    }
  };

  // Rendered straight from the page cache; `setVersion` re-renders when a page arrives.
  const rows: { position: number; row: EventRow | undefined }[] = [];
  for (let p = first; p <= last; p++) rows.push({ position: p, row: rowAt(p) });

  return (
    <section className="panel table-panel" aria-label="Event table">
      <div className="table-status" role="status" aria-live="polite">
        {error ? <span className="error-text">{error}</span> : total === null ? 'Loading events…' : `${plural(total, 'event')}${total === 0 ? ' match these filters' : ''}`}
        {total ? <span className="muted"> · row {formatCount(Math.min(cursor + 1, total))} · ↑ ↓ PgUp PgDn Home End move, Enter inspects</span> : null}
      </div>
      <div
        ref={scroller}
        id="event-grid"
        className="grid-body"
        role="grid"
        aria-label="Events"
        aria-rowcount={count + 1}
        aria-colcount={9}
        aria-activedescendant={count ? `event-pos-${cursor}` : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        style={{ ['--table-cols' as string]: columns.template, ['--table-min' as string]: `${columns.total}px` }}
      >
        <div role="row" aria-rowindex={1} className="row head-row">
          {COLUMNS.map((c, i) => (
            <span role="columnheader" key={c.label}>
              {c.label}
              <ResizeHandle label={c.label} width={columns.widths[i]!} onResize={(w) => columns.resize(i, w)} />
            </span>
          ))}
        </div>
        <div className="grid-spacer" style={{ height: contentHeight }}>
          {rows.map(({ position, row }) => {
            const top = Math.min(scrollTop, maxScroll) + (position - firstFloat) * ROW_HEIGHT;
            const selected = row != null && row.index === selectedIndex;
            const classes = [
              'row',
              position === cursor ? 'cursor' : '',
              selected ? 'selected' : '',
              row?.findingKinds.length || (row && conduct?.byIndex.has(row.index)) ? 'has-finding' : '',
              row?.replayStatus === 'diverged' ? 'diverged' : '',
            ].join(' ');
            if (!row) {
              return (
                <div key={position} id={`event-pos-${position}`} role="row" aria-rowindex={position + 2} className="row loading" style={{ top }}>
                  <span role="gridcell">loading…</span>
                </div>
              );
            }
            return (
              <div
                key={position}
                id={`event-pos-${position}`}
                role="row"
                aria-rowindex={position + 2}
                aria-selected={selected}
                data-index={row.index}
                className={classes}
                style={{ top }}
                onClick={() => {
                  setCursor(position);
                  onSelect(row);
                }}
              >
                <span role="gridcell" title={`seq ${row.seq}`}>
                  {row.seq}
                </span>
                <span role="gridcell" title={`line ${row.line}`}>
                  {row.line}
                </span>
                <span role="gridcell">{formatTs(row.ts).replace(/ UTC$/, '')}</span>
                <span role="gridcell" title={`${row.actorType} ${row.actorId}`}>
                  {row.actorId}
                </span>
                <span role="gridcell" title={row.kind}>
                  {row.kind}
                </span>
                <span role="gridcell" className={row.outcome ? `outcome outcome-${row.outcome}` : ''}>
                  {row.outcome ? (OUTCOME_WORDS[row.outcome] ?? row.outcome) : ''}
                </span>
                <span role="gridcell" className={row.replayStatus ? `replay replay-${row.replayStatus}` : ''}>
                  {row.replayStatus ? REPLAY_WORDS[row.replayStatus] : ''}
                </span>
                {(() => {
                  const kinds = [...row.findingKinds, ...(conduct?.byIndex.get(row.index)?.map((f) => f.kind) ?? [])];
                  return (
                    <span role="gridcell" className={kinds.length ? 'finding-cell' : ''} title={kinds.join(', ') || undefined}>
                      {kinds.join(', ')}
                    </span>
                  );
                })()}
                <span role="gridcell" className="summary-cell" title={row.summary}>
                  {row.summary}
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
