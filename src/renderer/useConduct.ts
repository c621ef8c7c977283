/**
 * The case's workflow and conduct findings (the Sequence findings tab's
 * list), loaded once per case and shared with the timeline, the table and
 * the inspector so a violation shows wherever its event does.
 */
import { useEffect, useMemo, useState } from 'react';
import type { AuditApi, CaseId, EventRow } from '../shared/api/audit-api';
import type { SequenceFindingView } from '../shared/replay/views';
import { useApi } from './api';

export interface Conduct {
  /** Every finding in file order; empty until loaded (or when none). */
  list: SequenceFindingView[];
  /** The findings on each event, by its index. */
  byIndex: ReadonlyMap<number, SequenceFindingView[]>;
  /** The kinds present, sorted. */
  kinds: string[];
}

const EMPTY: Conduct = { list: [], byIndex: new Map(), kinds: [] };

export function useConduct(caseId: CaseId | null, revision: number): Conduct {
  const api = useApi();
  const [list, setList] = useState<SequenceFindingView[]>([]);
  useEffect(() => {
    setList([]);
    if (caseId === null) return;
    let live = true;
    // The Sequence findings tab shows the same list with its error; here a failure just shows nothing extra.
    api.listSequenceFindings(caseId).then(
      (v) => live && setList(v),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, caseId, revision]);
  return useMemo(() => {
    if (list.length === 0) return EMPTY;
    const byIndex = new Map<number, SequenceFindingView[]>();
    for (const f of list) (byIndex.get(f.index) ?? byIndex.set(f.index, []).get(f.index)!).push(f);
    return { list, byIndex, kinds: [...new Set(list.map((f) => f.kind))].sort() };
  }, [list]);
}

/** Rows this close together are read in one page. */
const CHUNK = 200;

/**
 * The rows at these event positions (unfiltered, a row's position is its
 * index), read a page per cluster of nearby positions; at most `maxQueries`
 * pages, so the first findings of a huge list come back and the rest do not.
 */
export async function rowsAt(api: AuditApi, caseId: CaseId, indices: readonly number[], maxQueries = 64): Promise<Map<number, EventRow>> {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const out = new Map<number, EventRow>();
  let queries = 0;
  for (let i = 0; i < sorted.length && queries < maxQueries; queries++) {
    const start = sorted[i]!;
    let end = start;
    while (i < sorted.length && sorted[i]! - start < CHUNK) end = sorted[i++]!;
    const page = await api.queryEvents(caseId, { offset: start, limit: end - start + 1 });
    for (const row of page.rows) out.set(row.index, row);
  }
  return out;
}
