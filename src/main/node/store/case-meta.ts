/**
 * The case's metadata, typed. Stored as key/value rows of JSON in
 * `case_meta` (snake_case keys, as every store since version 1 has them);
 * read back with a default for each key a case made by an earlier version
 * may lack.
 */
import type { ChainStart } from '../../../shared/formats/case-model';
import type { Finding, FoldedCounts, Verdict } from '../../../shared/verify/findings';
import type { ConductAnswer, IntegrityAnswer, SignerAnswer } from '../../../shared/verify/answers';
import type { ReplayCounts } from '../../../shared/replay/views';
import type { NotesCarried } from '../../../shared/api/audit-api';
import type { ReadableDB, WritableDB } from './case-store';

/** The grid of the timeline index (migration 4): the case's time span cut into cells of `width` ms. */
export interface TimelineBase {
  lo: number;
  hi: number;
  width: number;
}

export interface CaseMeta {
  caseId: string;
  exportPath: string;
  exportName: string;
  exportSha256: string;
  exportBytes: number;
  format: string;
  formatReason: string;
  verdict: Verdict;
  verdictReason: string;
  events: number;
  headHash: string | null;
  chainStart: ChainStart | null;
  firstFailure: Finding | null;
  /** The findings stored are the first of each kind; these say how many more of each there were. */
  folded: FoldedCounts;
  unauthenticatedFields: string[];
  /** The reader's format-specific facts (plain JSON). */
  details: Record<string, unknown>;
  trustPath: string | null;
  trustKeys: string[];
  policiesPath: string | null;
  replay: ReplayCounts | null;
  replayReportSha256: string | null;
  replayError: string | null;
  /** null in a case made before the three answers existed. */
  integrity: IntegrityAnswer | null;
  signer: SignerAnswer | null;
  conduct: ConductAnswer | null;
  timelineBase: TimelineBase | null;
  firstTs: string | null;
  lastTs: string | null;
  agents: string[];
  /** Every actor the timeline draws a lane for (agents, people, systems); [] in a case made before. */
  actors: string[];
  notesFrom: NotesCarried | null;
}

/** Each field's key in the store. */
const KEYS: { [K in keyof CaseMeta]: string } = {
  caseId: 'case_id',
  exportPath: 'export_path',
  exportName: 'export_name',
  exportSha256: 'export_sha256',
  exportBytes: 'export_bytes',
  format: 'format',
  formatReason: 'format_reason',
  verdict: 'verdict',
  verdictReason: 'verdict_reason',
  events: 'events',
  headHash: 'head_hash',
  chainStart: 'chain_start',
  firstFailure: 'first_failure',
  folded: 'folded',
  unauthenticatedFields: 'unauthenticated_fields',
  details: 'details',
  trustPath: 'trust_path',
  trustKeys: 'trust_keys',
  policiesPath: 'policies_path',
  replay: 'replay',
  replayReportSha256: 'replay_report_sha256',
  replayError: 'replay_error',
  integrity: 'integrity',
  signer: 'signer',
  conduct: 'conduct',
  timelineBase: 'timeline_base',
  firstTs: 'first_ts',
  lastTs: 'last_ts',
  agents: 'agents',
  actors: 'actors',
  notesFrom: 'notes_from',
};

/** What a key an earlier version did not write reads as. */
const DEFAULTS: CaseMeta = {
  caseId: '',
  exportPath: '',
  exportName: '',
  exportSha256: '',
  exportBytes: 0,
  format: '',
  formatReason: '',
  verdict: null as unknown as Verdict,
  verdictReason: '',
  events: 0,
  headHash: null,
  chainStart: null,
  firstFailure: null,
  folded: {},
  unauthenticatedFields: [],
  details: {},
  trustPath: null,
  trustKeys: [],
  policiesPath: null,
  replay: null,
  replayReportSha256: null,
  replayError: null,
  integrity: null,
  signer: null,
  conduct: null,
  timelineBase: null,
  firstTs: null,
  lastTs: null,
  agents: [],
  actors: [],
  notesFrom: null,
};

export function readCaseMeta(db: ReadableDB): CaseMeta {
  const stored = new Map<string, unknown>();
  for (const row of db.prepare('SELECT key, value FROM case_meta').all() as { key: string; value: string }[]) stored.set(row.key, JSON.parse(row.value));
  const out: Record<string, unknown> = {};
  for (const [field, key] of Object.entries(KEYS)) {
    const value = stored.get(key);
    out[field] = value === undefined || value === null ? DEFAULTS[field as keyof CaseMeta] : value;
  }
  return out as unknown as CaseMeta;
}

export function writeCaseMeta(db: WritableDB, meta: CaseMeta): void {
  const set = db.prepare('INSERT OR REPLACE INTO case_meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    for (const [field, key] of Object.entries(KEYS)) set.run(key, JSON.stringify(meta[field as keyof CaseMeta] ?? null));
  })();
}
