/**
 * Findings name a line and a seq, not a table position. Events are stored in
 * file order, so the line grows with the position: a binary search over
 * one-row pages finds the event in about twenty calls, even in a million.
 */
import type { AuditApi, CaseId, EventRow } from '../shared/api/audit-api';

export interface Located {
  row: EventRow;
  exact: boolean;
}

export async function locateEvent(api: AuditApi, caseId: CaseId, target: { line: number | null; seq: number | null }, firstSeq: number | null): Promise<Located | null> {
  const at = async (offset: number): Promise<EventRow | null> => (await api.queryEvents(caseId, { offset, limit: 1 })).rows[0] ?? null;
  if (target.line != null) {
    const head = await api.queryEvents(caseId, { offset: 0, limit: 1 });
    let lo = 0;
    let hi = head.total - 1;
    let best: EventRow | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const row = await at(mid);
      if (!row) break;
      if (row.line === target.line) return { row, exact: true };
      if (row.line < target.line) lo = mid + 1;
      else {
        best = row;
        hi = mid - 1;
      }
    }
    return best ? { row: best, exact: false } : null;
  }
  if (target.seq != null) {
    const guess = target.seq - (firstSeq ?? 0);
    if (guess >= 0) {
      const row = await at(guess);
      if (row) return { row, exact: row.seq === target.seq };
    }
  }
  return null;
}
