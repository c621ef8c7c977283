/**
 * Deep links: the page's hash names the case and the selected event
 * (`#case=<id>&seq=<n>`), so a reload, a shared link (with the served desk's
 * token) or `audit-replay serve --open` lands on the same place. Hash routing
 * works the same under Electron's file URL and over HTTP. The hash is
 * rewritten with replaceState, so it never adds history entries of its own.
 */
import { useEffect, useRef } from 'react';
import type { AuditApi, CaseId } from '../shared/api/audit-api';

export interface DeepLink {
  caseId: CaseId | null;
  seq: number | null;
}

const CASE_ID = /^[0-9a-f-]{36}$/;

/** What a hash names; anything malformed is ignored (a link is input like any other). */
export function parseDeepLink(hash: string): DeepLink {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const caseId = params.get('case');
  const seq = params.get('seq');
  return {
    caseId: caseId && CASE_ID.test(caseId) ? caseId : null,
    seq: seq !== null && /^\d{1,15}$/.test(seq) ? Number(seq) : null,
  };
}

export function formatDeepLink(link: DeepLink): string {
  if (!link.caseId) return '';
  return `#case=${link.caseId}${link.seq === null ? '' : `&seq=${link.seq}`}`;
}

export interface DeepLinkOptions {
  api: AuditApi;
  /** The case on screen, once its summary is in. */
  caseId: CaseId | null;
  /** The selected event's 0-based position, or null. */
  selectedIndex: number | null;
  loadCase(caseId: CaseId): void;
  selectSeq(seq: number): void;
}

/** Opens what the hash names at start and on hashchange, and keeps the hash in step with the case and selection. */
export function useDeepLink({ api, caseId, selectedIndex, loadCase, selectSeq }: DeepLinkOptions): void {
  // What the address asked for and is not on screen yet: until then the hash is left as it is.
  const pending = useRef<DeepLink | null>(null);
  const loadRef = useRef(loadCase);
  loadRef.current = loadCase;
  const selectRef = useRef(selectSeq);
  selectRef.current = selectSeq;
  const caseRef = useRef(caseId);
  caseRef.current = caseId;

  useEffect(() => {
    const follow = () => {
      const link = parseDeepLink(location.hash);
      if (!link.caseId) return;
      if (link.caseId === caseRef.current) {
        if (link.seq !== null) selectRef.current(link.seq);
        return;
      }
      pending.current = link;
      loadRef.current(link.caseId);
    };
    follow();
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  useEffect(() => {
    const want = pending.current;
    if (!want || caseId === null) return;
    // Another case on screen (the linked one could not be opened, or the reviewer went elsewhere): the link is done with.
    pending.current = null;
    if (want.caseId === caseId && want.seq !== null) selectRef.current(want.seq);
  }, [caseId]);

  useEffect(() => {
    if (pending.current) return;
    let live = true;
    const write = (seq: number | null) => {
      const hash = formatDeepLink({ caseId, seq });
      if (live && hash !== location.hash && !(hash === '' && location.hash === '')) {
        history.replaceState(history.state, '', `${location.pathname}${location.search}${hash}`);
      }
    };
    if (!caseId || selectedIndex === null) write(null);
    else {
      api.queryEvents(caseId, { offset: selectedIndex, limit: 1 }).then(
        (page) => {
          const row = page.rows[0];
          write(row?.index === selectedIndex ? row.seq : null);
        },
        () => undefined,
      );
    }
    return () => {
      live = false;
    };
  }, [api, caseId, selectedIndex]);
}
