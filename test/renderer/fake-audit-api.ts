/**
 * A typed fake of AuditApi for component tests, the browser shell's early
 * screenshots and the UI bench. Rows are generated on demand from their
 * position, so a million-event case costs nothing until a page is asked for.
 */
import type {
  SearchResult,
  AuditApi,
  CaseNote,
  CaseRef,
  DeskInfo,
  PickKind,
  CaseSummary,
  EventProof,
  EventQuery,
  EventRow,
  JobProgress,
  TimelineData,
  TimelineLaneMarker,
  TimelineQuery,
} from '../../src/shared/api/audit-api';
import { whatIfView, type DivergenceView, type SequenceFindingView, type WhatIfView } from '../../src/shared/replay/views';
import type { WhatIfChange } from '../../src/shared/replay/types';
import { comparisonWords } from '../../src/shared/verify/comparison';
import type { Finding, Verdict } from '../../src/shared/verify/findings';

export interface FakeOptions {
  events?: number;
  verdict?: Verdict;
  /** Milliseconds between progress messages after openExport; 0 sends them on the next tick. */
  progressDelayMs?: number;
  /** When false, openExport never finishes until the test calls `finishJob`. */
  autoFinish?: boolean;
  /** What pickFile returns; also what the desktop's own dialog picks for whatIf (policies) and compareExport (export) called without a path. */
  picks?: Partial<Record<PickKind, string | null>>;
  /** What getDeskInfo says (default: a desktop shell with a file dialog and no bundled sample). */
  desk?: Partial<DeskInfo>;
  /** What listRecentCases returns instead of the one case of the fake. */
  recent?: CaseRef[];
}

/** The fake what-if's policy id that holds markup: it must show as text. */
export const XSS_POLICY = '<b onmouseover="window.__xss=3">ap.limit</b>';
/** Fork seq of the fake compare when the earlier export's name has "tampered" in it. */
export const FAKE_FORK_SEQ = 40;

export const FAKE_AGENTS = ['ap-agent', 'hr-agent', 'ops-bot', 'alice'];
export const XSS_SUMMARY = '<img src=x onerror="window.__xss=1">';
export const XSS_ACTOR = 'javascript:window.__xss=2';
export const XSS_INDEX = 3;
export const TAMPERED_INDEX = 42;
/** The one-event stretch an edit without a re-hash makes. */
export const TAMPERED_STRETCH = {
  from_seq: TAMPERED_INDEX,
  to_seq: TAMPERED_INDEX,
  from_line: TAMPERED_INDEX + 2,
  to_line: TAMPERED_INDEX + 2,
  why: 'its content does not hash to the hash the log records',
};
const BASE_MS = Date.UTC(2026, 10, 25, 3, 0, 0);
const STEP_MS = 250;
const KINDS = ['action.requested', 'policy.decision', 'approval.requested', 'approval.granted', 'action.executed'];

function hex64(seed: number, salt: number): string {
  let out = '';
  let x = (seed * 2654435761 + salt * 40503 + 12345) >>> 0;
  while (out.length < 64) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out += x.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

function tsOf(index: number): string {
  return new Date(BASE_MS + index * STEP_MS).toISOString();
}

export interface FakeAuditApi extends AuditApi {
  calls: { method: string; args: unknown[] }[];
  rowAt(index: number): EventRow;
  finishJob(jobId: string): void;
  failNext(message: string): void;
  refuseProofs(sentence: string | null): void;
  saveProofsTo(file: string | null): void;
  uncover(index: number): void;
}

export function createFakeAuditApi(options: FakeOptions = {}): FakeAuditApi {
  const total = options.events ?? 1_000_000;
  const verdict: Verdict = options.verdict ?? 'tampered';
  const tampered = verdict === 'tampered';
  const calls: { method: string; args: unknown[] }[] = [];
  const listeners = new Set<(p: JobProgress) => void>();
  let jobCounter = 0;
  let failMessage: string | null = null;
  let proofRefusal: string | null = null;
  let savedProofPath: string | null = null;
  // Events no checkpoint with a holding signature covers (uncover()).
  const uncovered = new Set<number>();
  const filteredCache = new Map<string, number[]>();
  const caseId = 'case-1';
  const notes: CaseNote[] = [];
  let trustPath: string | null = '/cases/trust.json';
  // Set by setCaseInputs, as the real service's re-examination carries the notes over.
  let notesFrom: CaseSummary['notesFrom'] = null;
  let policiesPath: string | null = '/cases/policies';

  const rowAt = (index: number): EventRow => {
    const kind = index > 0 && index % 50_000 === 0 ? 'killswitch.engaged' : KINDS[index % KINDS.length]!;
    const actorId = index === XSS_INDEX ? XSS_ACTOR : FAKE_AGENTS[Math.floor(index / 5) % FAKE_AGENTS.length]!;
    let outcome: string | null = null;
    let replayStatus: EventRow['replayStatus'] = null;
    if (kind === 'policy.decision') {
      const r = Math.floor(index / 5) % 10;
      outcome = r === 0 ? 'deny' : r === 3 ? 'require_approval' : 'allow';
      replayStatus = index % 1000 === 6 ? 'diverged' : index % 1000 === 11 ? 'not-replayable' : 'match';
    }
    return {
      index,
      seq: index,
      line: index + 2 + Math.floor(index / 1000),
      ts: tsOf(index),
      kind,
      actorType: actorId === 'alice' ? 'human' : 'agent',
      actorId,
      outcome,
      findingKinds: tampered && index === TAMPERED_INDEX ? ['hash-mismatch'] : [],
      replayStatus,
      summary: index === XSS_INDEX ? XSS_SUMMARY : `request REQ-${Math.floor(index / 5)} tool pay_invoice INV-${100000 + Math.floor(index / 5)}`,
    };
  };

  const matches = (row: EventRow, q: EventQuery): boolean => {
    if (q.agent && row.actorId !== q.agent) return false;
    if (q.kind && row.kind !== q.kind) return false;
    if (q.outcome && row.outcome !== q.outcome) return false;
    if (q.finding && !(q.finding === '*' ? row.findingKinds.length > 0 : row.findingKinds.includes(q.finding))) return false;
    if (q.diverged && row.replayStatus !== 'diverged') return false;
    if (q.fromTs && row.ts < q.fromTs) return false;
    if (q.toTs && row.ts > q.toTs) return false;
    if (typeof q.seqFrom === 'number' && row.seq < q.seqFrom) return false;
    if (typeof q.seqTo === 'number' && row.seq > q.seqTo) return false;
    if (q.text && !`${row.summary} ${row.kind} ${row.actorId}`.toLowerCase().includes(q.text.toLowerCase())) return false;
    return true;
  };

  const findings = (): Finding[] => {
    const list: Finding[] = [];
    if (tampered) {
      list.push({
        kind: 'hash-mismatch',
        seq: TAMPERED_INDEX,
        line: TAMPERED_INDEX + 2,
        severity: 'integrity',
        message: `Event ${TAMPERED_INDEX} on line ${TAMPERED_INDEX + 2} does not hash to its recorded hash: its content was changed.`,
      });
    }
    list.push({ kind: 'ts-regression', seq: 120, line: 122, severity: 'warning', message: 'Event 120 is timed before the event that precedes it.' });
    if (verdict === 'unanchored') list.push({ kind: 'unanchored-tail', seq: total - 10, line: null, severity: 'anchor', message: 'The last 10 events are not covered by a signed checkpoint.' });
    return list;
  };

  const replayExtras = { replayError: null as string | null, replayReportSha256: hex64(7, 7) as string | null };
  const summary = (): CaseSummary => ({
    caseId,
    exportName: 'export.jsonl',
    exportPath: '/cases/export.jsonl',
    exportSha256: hex64(1, 1),
    exportBytes: total * 420,
    format: 'audit-export/1',
    formatReason: 'Line 1 is a header with "format": "audit-export/1".',
    verdict,
    verdictReason: tampered ? `Event ${TAMPERED_INDEX} was modified after it was written.` : 'All checks pass.',
    integrity: tampered
      ? { status: 'altered', unproven: [TAMPERED_STRETCH], sentence: `The record was altered: event ${TAMPERED_INDEX} cannot be proven.` }
      : { status: 'intact', unproven: [], sentence: 'Every hash, link and root holds.' },
    signer:
      verdict === 'unanchored'
        ? {
            status: 'none',
            key_id: null,
            public_key: null,
            unvouched: [],
            sentence: 'No trust store was given, so no signature can vouch for this record.',
            advice: 'Verify again with your trust store.',
          }
        : { status: 'trusted', key_id: 'ops-2026', public_key: hex64(9, 9), unvouched: [], sentence: 'Signed by "ops-2026", in your trust store.', advice: null },
    conduct: {
      status: 'violations',
      reason: null,
      decisions: Math.ceil(total / 5),
      matched: Math.ceil(total / 5) - 2 * Math.ceil(total / 1000),
      diverged: Math.ceil(total / 1000),
      not_replayable: Math.ceil(total / 1000),
      sequence_findings: 2,
      sequence_warnings: 1,
      likely_edits: 0,
      sentence: `${Math.ceil(total / 1000)} divergences, 2 workflow violations, 1 warning.`,
    },
    events: total,
    agents: FAKE_AGENTS,
    actors: [...FAKE_AGENTS],
    firstTs: tsOf(0),
    lastTs: tsOf(total - 1),
    firstSeq: 0,
    lastSeq: total - 1,
    headHash: hex64(total - 1, 2),
    checkpoints: [
      { line: 1002, seqHi: 999, treeSize: 1000, keyId: 'ops-2026', final: false, ts: tsOf(999), status: 'valid' },
      { line: total + 2 + Math.floor(total / 1000), seqHi: total - 1, treeSize: total, keyId: 'ops-2026', final: true, ts: tsOf(total - 1), status: 'valid' },
    ],
    keys: ['ops-2026'],
    anchoredEvents: total,
    findingCounts: Object.fromEntries(findings().map((f) => [f.kind, 1])),
    firstFailure: findings().find((f) => f.severity === 'integrity') ?? null,
    trustPath,
    policiesPath,
    replay: {
      decisions: Math.ceil(total / 5),
      matched: Math.ceil(total / 5) - 2 * Math.ceil(total / 1000),
      diverged: Math.ceil(total / 1000),
      notReplayable: Math.ceil(total / 1000),
      sequenceFindings: 2,
      sequenceWarnings: 1,
    },
    unauthenticatedFields: ['data.note'],
    notesFrom,
    // Members added to the contract later are set through a spread, so the fake compiles with either version.
    ...replayExtras,
  });

  const emit = (p: JobProgress) => {
    for (const l of [...listeners]) l(p);
  };

  const runJob = (jobId: string) => {
    const delay = options.progressDelayMs ?? 0;
    const bytesTotal = total * 420;
    const steps: JobProgress[] = [
      { jobId, phase: 'ingest', bytesDone: 0, bytesTotal, events: 0, secondsLeft: null },
      { jobId, phase: 'ingest', bytesDone: bytesTotal / 2, bytesTotal, events: total / 2, secondsLeft: 12 },
      { jobId, phase: 'verify', bytesDone: bytesTotal, bytesTotal, events: total, secondsLeft: 3 },
    ];
    steps.forEach((p, i) => setTimeout(() => emit(p), delay * i));
    if (options.autoFinish !== false) setTimeout(() => finish(jobId), delay * steps.length);
  };
  const finish = (jobId: string) => emit({ jobId, phase: 'done', bytesDone: total * 420, bytesTotal: total * 420, events: total, secondsLeft: 0, caseId });

  const whatIfs = new Map<string, WhatIfView>();
  const pendingWhatIfs = new Map<string, () => void>();
  /** Decisions among the first events: every third allow becomes deny, every seventh deny allow; one change names a policy with markup. */
  const fakeWhatIf = (folder: string, events: number): WhatIfView => {
    const changes: WhatIfChange[] = [];
    const byTransition: Record<string, number> = {};
    const byPolicy: Record<string, number> = {};
    let evaluated = 0;
    for (let i = 0; i < events; i++) {
      const row = rowAt(i);
      if (row.kind !== 'policy.decision') continue;
      evaluated++;
      const flip = row.outcome === 'allow' ? evaluated % 3 === 0 : row.outcome === 'deny' ? evaluated % 7 === 0 : false;
      if (!flip) continue;
      const toDeny = row.outcome === 'allow';
      const policy = changes.length === 1 ? XSS_POLICY : toDeny ? 'ap.limit' : 'ap.ring';
      const before = { effect: row.outcome as 'allow' | 'deny', determining: toDeny ? ['ap.pay.small'] : [policy] };
      const after = { effect: toDeny ? ('deny' as const) : ('allow' as const), determining: toDeny ? [policy] : ['ap.pay.small'] };
      changes.push({ seq: row.seq, index: row.index, decision_id: changes.length === 0 ? XSS_SUMMARY : `DEC-${i}`, before, after });
      const t = `${before.effect}->${after.effect}`;
      byTransition[t] = (byTransition[t] ?? 0) + 1;
      for (const id of [policy, 'ap.pay.small']) byPolicy[id] = (byPolicy[id] ?? 0) + 1;
    }
    return whatIfView(
      { against: { name: 'ap-policy', version: '9', digest: hex64(9, 9) }, evaluated, changed: changes.length, errors: 0, by_policy: byPolicy, by_transition: byTransition, changes },
      evaluated,
      folder,
    );
  };

  const record = (method: string, args: unknown[]) => {
    calls.push({ method, args });
    if (failMessage) {
      const message = failMessage;
      failMessage = null;
      const error = new Error(message);
      error.stack = `Error: ${message}\n    at secretInternal (/srv/service.ts:1:1)`;
      throw error;
    }
  };

  const api = {
    async getDeskInfo() {
      record('getDeskInfo', []);
      return { canPickFiles: true, sample: null, ...options.desk };
    },
    async pickFile(kind: PickKind) {
      record('pickFile', [kind]);
      return options.picks?.[kind] ?? null;
    },
    async openExport(request) {
      record('openExport', [request]);
      const jobId = `job-${++jobCounter}`;
      runJob(jobId);
      return { jobId };
    },
    async cancelJob(jobId) {
      record('cancelJob', [jobId]);
      setTimeout(() => emit({ jobId, phase: 'cancelled', bytesDone: 0, bytesTotal: 0, events: 0, secondsLeft: null }), 0);
    },
    onProgress(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async listRecentCases(): Promise<CaseRef[]> {
      record('listRecentCases', []);
      if (options.recent) return options.recent;
      return [{ caseId, exportName: 'export.jsonl', exportPath: '/cases/export.jsonl', verdict, events: total, openedAt: '2026-11-25T04:00:00.000Z' }];
    },
    async getCaseSummary(id) {
      record('getCaseSummary', [id]);
      if (id !== caseId) throw new Error(`There is no case ${id}.`);
      return summary();
    },
    async setCaseInputs(id, inputs) {
      record('setCaseInputs', [id, inputs]);
      if (inputs.trustPath !== undefined) trustPath = inputs.trustPath;
      if (inputs.policiesPath !== undefined) policiesPath = inputs.policiesPath;
      notesFrom = { caseId: id, carried: notes.length, refused: null };
      const jobId = `job-${++jobCounter}`;
      runJob(jobId);
      return { jobId };
    },
    async queryEvents(id, query) {
      record('queryEvents', [id, query]);
      const limit = Math.min(Math.max(0, query.limit), 1000);
      const filtered = !!(
        query.agent ||
        query.kind ||
        query.outcome ||
        query.finding ||
        query.diverged ||
        query.fromTs ||
        query.toTs ||
        query.text ||
        typeof query.seqFrom === 'number' ||
        typeof query.seqTo === 'number'
      );
      if (!filtered) {
        const rows: EventRow[] = [];
        for (let i = query.offset; i < Math.min(total, query.offset + limit); i++) rows.push(rowAt(i));
        return { total, offset: query.offset, rows };
      }
      const key = JSON.stringify({ ...query, offset: 0, limit: 0 });
      let hits = filteredCache.get(key);
      if (!hits) {
        hits = [];
        for (let i = 0; i < total; i++) if (matches(rowAt(i), query)) hits.push(i);
        filteredCache.set(key, hits);
      }
      return { total: hits.length, offset: query.offset, rows: hits.slice(query.offset, query.offset + limit).map(rowAt) };
    },
    async getEventProof(id, index): Promise<EventProof> {
      record('getEventProof', [id, index]);
      const row = rowAt(index);
      const isTampered = tampered && index === TAMPERED_INDEX;
      const body = {
        type: 'event',
        seq: row.seq,
        ts: row.ts,
        kind: row.kind,
        actor: { type: row.actorType, id: row.actorId },
        data: { summary: row.summary, note: 'reviewed' },
        prev_hash: hex64(index - 1, 3),
      };
      const recorded = hex64(index, 3);
      const steps = [];
      let n = index;
      for (let level = 0; level < 10; level++, n >>= 1) steps.push({ side: (n & 1 ? 'left' : 'right') as 'left' | 'right', sibling: hex64(index, 100 + level), result: hex64(index, 200 + level) });
      const seqHi = Math.min(total - 1, Math.ceil((index + 1) / 1000) * 1000 - 1);
      return {
        index,
        seq: row.seq,
        line: row.line,
        raw: JSON.stringify({ ...body, hash: recorded }),
        unproven: isTampered ? TAMPERED_STRETCH : null,
        canonical: JSON.stringify(body),
        recordedHash: recorded,
        recomputedHash: isTampered ? hex64(index, 9) : recorded,
        hashMatches: !isTampered,
        prevHash: body.prev_hash,
        expectedPrevHash: index === 0 ? '0'.repeat(64) : hex64(index - 1, 3),
        linkMatches: true,
        checkpoint: uncovered.has(index)
          ? null
          : {
              line: seqHi + 3 + Math.floor(seqHi / 1000),
              seqHi,
              treeSize: seqHi + 1,
              keyId: 'ops-2026',
              final: seqHi === total - 1,
              ts: tsOf(seqHi),
              status: 'valid',
              merkleRoot: steps[steps.length - 1]!.result,
            },
        leafHash: hex64(index, 4),
        inclusion: steps,
        inclusionOk: !isTampered,
        findings: findings().filter((f) => f.seq === index),
        unauthenticatedFields: ['data.note'],
      };
    },
    async listFindings(id) {
      record('listFindings', [id]);
      return findings();
    },
    async listDivergences(id): Promise<DivergenceView[]> {
      record('listDivergences', [id]);
      const out: DivergenceView[] = [];
      for (let i = 6; i < Math.min(total, 20_000); i += 1000) {
        out.push({
          seq: i,
          index: i,
          decisionId: `DEC-${i}`,
          agent: rowAt(i).actorId,
          status: 'diverged',
          reason: 'The recorded decision allowed the payment; replaying the pinned policy denies it.',
          fields: [
            { field: 'effect', recorded: 'allow', replayed: 'deny' },
            { field: 'determining', recorded: ['ap.default-allow'], replayed: ['ap.limit'] },
          ],
          policyName: 'ap-policy',
          policyVersion: '7',
          determiningPolicies: [
            { id: 'ap.limit', text: '@id("ap.limit")\nforbid (principal, action == Action::"pay_invoice", resource)\nwhen { context.amount > 10000 };' },
            { id: 'ap.default-allow', text: '@id("ap.default-allow")\npermit (principal, action, resource);' },
          ],
        });
      }
      return out;
    },
    async listSequenceFindings(id): Promise<SequenceFindingView[]> {
      record('listSequenceFindings', [id]);
      return [
        { kind: 'executed-without-decision', severity: 'violation', seq: 14, index: 14, message: 'The action of request REQ-2 was executed although no decision allowed it.', relatedSeqs: [] },
        { kind: 'executed-after-deny', severity: 'violation', seq: 24, index: 24, message: 'The action of request REQ-4 was executed after it was denied.', relatedSeqs: [22] },
        {
          kind: 'killswitch-ineffective',
          severity: 'warning',
          seq: 30,
          index: 30,
          message: 'The kill switch for billing-agent was engaged, but the runtime recorded that it did not stop the agent (terminated: false).',
          relatedSeqs: [33],
        },
      ];
    },
    async getTimeline(id, query: TimelineQuery): Promise<TimelineData> {
      record('getTimeline', [id, query]);
      const fromMs = query.fromTs ? Date.parse(query.fromTs) : BASE_MS;
      const toMs = query.toTs ? Date.parse(query.toTs) : BASE_MS + (total - 1) * STEP_MS;
      const first = Math.max(0, Math.ceil((fromMs - BASE_MS) / STEP_MS));
      const last = Math.min(total - 1, Math.floor((toMs - BASE_MS) / STEP_MS));
      const n = Math.max(1, query.buckets);
      const span = Math.max(1, toMs - fromMs);
      const buckets = Array.from({ length: n }, (_, b) => ({ start: new Date(fromMs + (span * b) / n).toISOString(), total: 0, allow: 0, deny: 0, requireApproval: 0, other: 0 }));
      const laneMap = new Map<string, Map<string, number>>(FAKE_AGENTS.map((a) => [a, new Map()]));
      const markers: TimelineLaneMarker[] = [];
      // Sample at most ~40k rows and scale, so zooming a million events stays quick.
      let stride = Math.max(1, Math.floor((last - first + 1) / 40_000));
      // A stride sharing a factor with the 5-kind cycle would only ever see one kind.
      while (stride > 1 && (stride % 5 === 0 || stride % 2 === 0)) stride++;
      for (let i = first; i <= last; i += stride) {
        const row = rowAt(i);
        const b = Math.min(n - 1, Math.floor(((BASE_MS + i * STEP_MS - fromMs) / span) * n));
        const bucket = buckets[b]!;
        bucket.total += stride;
        if (row.outcome === 'allow') bucket.allow += stride;
        else if (row.outcome === 'deny') bucket.deny += stride;
        else if (row.outcome === 'require_approval') bucket.requireApproval += stride;
        else bucket.other += stride;
        const lane = laneMap.get(row.actorId) ?? laneMap.set(row.actorId, new Map()).get(row.actorId)!;
        const k = `${row.kind.split('.')[0]}|${b}`;
        lane.set(k, (lane.get(k) ?? 0) + stride);
        const marker: TimelineLaneMarker['marker'] | null = row.findingKinds.length
          ? 'finding'
          : row.replayStatus === 'diverged'
            ? 'divergence'
            : row.outcome === 'deny'
              ? 'deny'
              : row.kind === 'approval.granted'
                ? 'approval'
                : row.kind.startsWith('killswitch')
                  ? 'killswitch'
                  : null;
        if (marker && markers.length < 5000) markers.push({ index: i, seq: row.seq, ts: row.ts, kind: row.kind, marker });
      }
      if (tampered && TAMPERED_INDEX >= first && TAMPERED_INDEX <= last && !markers.some((m) => m.index === TAMPERED_INDEX)) {
        markers.push({ index: TAMPERED_INDEX, seq: TAMPERED_INDEX, ts: tsOf(TAMPERED_INDEX), kind: rowAt(TAMPERED_INDEX).kind, marker: 'finding' });
      }
      return {
        fromTs: new Date(fromMs).toISOString(),
        toTs: new Date(toMs).toISOString(),
        agents: [...laneMap.keys()],
        buckets,
        lanes: [...laneMap].map(([agent, m]) => ({ agent, counts: [...m].map(([k, count]) => ({ kind: k.split('|')[0]!, bucket: Number(k.split('|')[1]), count })) })),
        markers,
      };
    },
    async addNote(id, note) {
      record('addNote', [id, note]);
      const version = { version: 1, author: note.author, at: '2026-11-25T05:00:00.000Z', text: note.text, tags: note.tags };
      const index = note.target.index ?? null;
      const created: CaseNote = {
        noteId: notes.length + 1,
        target: { kind: note.target.kind, index, finding: note.target.finding ?? null, seq: index, line: index === null ? null : rowAt(index).line },
        current: version,
        history: [version],
      };
      notes.push(created);
      return created;
    },
    async editNote(id, noteId, edit) {
      record('editNote', [id, noteId, edit]);
      const note = notes.find((n) => n.noteId === noteId);
      if (!note) throw new Error(`There is no note ${noteId} in this case.`);
      note.current = { version: note.history.length + 1, author: edit.author, at: '2026-11-25T05:01:00.000Z', text: edit.text, tags: edit.tags };
      note.history.push(note.current);
      return note;
    },
    async listNotes(id, target) {
      record('listNotes', [id, target]);
      return notes.filter((n) => !target || (n.target.kind === target.kind && n.target.index === (target.index ?? null)));
    },
    async searchEvents(id, term) {
      record('searchEvents', [id, term]);
      // The first 20 events whose summary holds the term (a fake: the real service looks ids up exactly).
      const matches: SearchResult['matches'] = [];
      for (let i = 0; i < Math.min(total, 100_000) && matches.length < 20; i++) if (rowAt(i).summary.includes(term)) matches.push({ by: 'request id', row: rowAt(i) });
      return { term, matches, truncated: false };
    },
    async getRequestStory(id, index) {
      record('getRequestStory', [id, index]);
      return null;
    },
    async exportReport(id, format, outPath) {
      record('exportReport', [id, format, outPath]);
      return outPath ? { path: outPath, format, reportSha256: hex64(5, 5), bytes: 1234 } : null;
    },
    async exportEntryProof(id, index, outPath) {
      record('exportEntryProof', [id, index, outPath]);
      const seq = rowAt(index).seq;
      if (proofRefusal) throw new Error(proofRefusal);
      const fileName = `export.seq-${seq}.proof.json`;
      const text = `{"format":"audit-replay-proof/1","entry":{"seq":${seq}}}\n`;
      return { fileName, text, sha256: hex64(6, index), bytes: text.length, path: outPath ?? savedProofPath, command: `audit-replay verify-proof ${fileName} --trust trust.json` };
    },
    async whatIf(id, policies) {
      record('whatIf', [id, policies]);
      const folder = policies ?? options.picks?.policies ?? null;
      if (folder === null) return null;
      const jobId = `job-${++jobCounter}`;
      const events = Math.min(total, 1000);
      const base = { jobId, bytesDone: 0, bytesTotal: 0, eventsTotal: events, task: 'what-if' as const };
      const delay = options.progressDelayMs ?? 0;
      setTimeout(() => emit({ ...base, phase: 'replay', events: Math.floor(events / 2), secondsLeft: 1 }), 0);
      const done = () => {
        whatIfs.set(jobId, fakeWhatIf(folder, events));
        emit({ ...base, phase: 'done', events, secondsLeft: 0 });
      };
      if (options.autoFinish !== false) setTimeout(done, delay + 1);
      else pendingWhatIfs.set(jobId, done);
      return { jobId };
    },
    async getWhatIfResult(jobId) {
      record('getWhatIfResult', [jobId]);
      const view = whatIfs.get(jobId);
      if (!view) throw new Error('That what-if is no longer kept (or has not finished); run it again.');
      return view;
    },
    async compareExport(id, earlier) {
      record('compareExport', [id, earlier]);
      const file = earlier ?? options.picks?.export ?? null;
      if (file === null) return null;
      const name = file.split('/').pop()!;
      if (name.startsWith('gone')) throw new Error(`${file}: no such file.`);
      const forks = name.includes('tampered');
      return comparisonWords(
        {
          relation: forks ? 'forks' : 'extends',
          message: forks
            ? `The exports fork at seq ${FAKE_FORK_SEQ}.`
            : 'The newer export extends the older one without rewriting it: its first 500 events have the same Merkle root, proven by an RFC 6962 consistency proof of 9 hashes.',
          older: { events: 500, verdict: forks ? 'tampered' : 'intact' },
          newer: { events: total, verdict },
          consistencyProof: [],
          forkAt: forks ? { index: FAKE_FORK_SEQ, seq: FAKE_FORK_SEQ, olderLine: FAKE_FORK_SEQ + 2, newerLine: FAKE_FORK_SEQ + 2 } : null,
        },
        name,
      );
    },
  } satisfies AuditApi;

  return Object.assign(api, {
    calls,
    rowAt,
    finishJob(jobId: string) {
      const whatIf = pendingWhatIfs.get(jobId);
      pendingWhatIfs.delete(jobId);
      if (whatIf) whatIf();
      else finish(jobId);
    },
    /** The sentence exportEntryProof rejects with from now on (null: it answers). */
    refuseProofs(sentence: string | null) {
      proofRefusal = sentence;
    },
    /** Where exportEntryProof says it saved (a desktop save dialog's answer); null as the served desk answers. */
    saveProofsTo(file: string | null) {
      savedProofPath = file;
    },
    /** From now on no checkpoint covers the event at this position. */
    uncover(index: number) {
      uncovered.add(index);
    },
    failNext(message: string) {
      failMessage = message;
    },
  });
}
