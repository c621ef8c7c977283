/** The timeline's data: the service's buckets and markers for the visible window, asked for after the wheel settles. */
import { useEffect, useState } from 'react';
import type { CaseId, TimelineData, TimelineLaneMarker } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { BUCKETS, type TimeWindow } from './timeline-math';
import { rowsAt, type Conduct } from './useConduct';

/** Milliseconds of quiet before a new window is asked for, so a wheel spin is one query. */
const SETTLE_MS = 80;

/**
 * The latest answer for `view` of a case (the previous one stays until the
 * next arrives, so zooming never flashes empty) and the error sentence of a
 * failed query. Nothing is asked while `enabled` is false.
 */
export function useTimelineData(caseId: CaseId, view: TimeWindow, enabled: boolean): { data: TimelineData | null; error: string | null } {
  const api = useApi();
  const [data, setData] = useState<TimelineData | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const timer = setTimeout(() => {
      api.getTimeline(caseId, { fromTs: new Date(view.from).toISOString(), toTs: new Date(view.to).toISOString(), buckets: BUCKETS }).then(
        (d) => live && (setData(d), setError(null)),
        (e: unknown) => live && setError(sentenceOf(e)),
      );
    }, SETTLE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, caseId, view.from, view.to, enabled]);
  return { data, error };
}

/** A marker the desk adds to the service's: a workflow or conduct finding, named by its kind. */
export interface ConductMarker extends TimelineLaneMarker {
  conduct: { kind: string; severity: 'violation' | 'warning' };
}

/**
 * Workflow and conduct findings as markers on the Findings row. The service's
 * markers carry integrity findings only; these need each event's time, read
 * once per case from the rows at the findings' positions.
 */
export function useConductMarkers(caseId: CaseId, conduct: Conduct): ConductMarker[] {
  const api = useApi();
  const [markers, setMarkers] = useState<ConductMarker[]>([]);
  useEffect(() => {
    setMarkers([]);
    if (conduct.list.length === 0) return;
    let live = true;
    rowsAt(
      api,
      caseId,
      conduct.list.map((f) => f.index),
    ).then(
      (rows) => {
        if (!live) return;
        const out: ConductMarker[] = [];
        for (const f of conduct.list) {
          const row = rows.get(f.index);
          if (row) out.push({ index: f.index, seq: f.seq, ts: row.ts, kind: row.kind, marker: 'finding', conduct: { kind: f.kind, severity: f.severity } });
        }
        setMarkers(out);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, caseId, conduct]);
  return markers;
}
