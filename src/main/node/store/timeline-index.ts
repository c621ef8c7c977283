/**
 * The timeline index of a case (migration 4): event counts per fine time
 * cell, agent, kind and outcome, and the marker events, written once when a
 * case is complete. Queries coarser than a cell read the cells; finer ones
 * (a deep zoom) group the few events in range directly.
 */
import type { WritableDB } from './case-store';
import type { TimelineBase } from './case-meta';

/** Cells across the whole span: fine enough for any overview, small enough to read in milliseconds. */
export const TIMELINE_CELLS = 4096;

/** Which marker an event gets, in order of precedence; null when none. */
export const MARKER_SQL = `CASE
  WHEN EXISTS (SELECT 1 FROM findings f WHERE f.event_idx = e.idx AND f.severity = 'integrity') THEN 'finding'
  WHEN e.replay_status = 'diverged' THEN 'divergence'
  WHEN e.outcome = 'deny' THEN 'deny'
  WHEN e.kind LIKE 'approval.%' THEN 'approval'
  WHEN e.kind LIKE 'killswitch.%' THEN 'killswitch'
END`;

/** Build the index; returns the grid to keep in the case meta, or null when no event has a time. */
export function buildTimelineIndex(db: WritableDB): TimelineBase | null {
  const span = db.prepare('SELECT min(ts_ms) AS lo, max(ts_ms) AS hi FROM events WHERE ts_ms IS NOT NULL').get() as { lo: number | null; hi: number | null };
  if (span.lo === null || span.hi === null) return null;
  const width = Math.max(1, Math.ceil((span.hi - span.lo + 1) / TIMELINE_CELLS));
  db.transaction(() => {
    db.prepare('DELETE FROM timeline_cells').run();
    db.prepare('DELETE FROM timeline_markers').run();
    db.prepare(
      `INSERT INTO timeline_cells (cell, actor_id, kind, outcome, n)
       SELECT CAST((ts_ms - ?) / ? AS INTEGER) AS cell, actor_id, kind, coalesce(outcome, ''), count(*)
       FROM events WHERE ts_ms IS NOT NULL GROUP BY 1, 2, 3, 4`,
    ).run(span.lo, width);
    db.prepare(
      `INSERT INTO timeline_markers (idx, ts_ms, marker)
       SELECT idx, ts_ms, marker FROM (SELECT e.idx, e.ts_ms, ${MARKER_SQL} AS marker FROM events e WHERE e.ts_ms IS NOT NULL) WHERE marker IS NOT NULL`,
    ).run();
  })();
  return { lo: span.lo, hi: span.hi, width };
}
