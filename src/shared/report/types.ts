/**
 * The evidence report: what was examined, the verdict with every finding, the
 * replay results and the reviewer's notes, each tied to the events it
 * concerns. The JSON form is canonical (RFC 8785) and a pure function of its
 * inputs (export, trust store, policy bundles, notes, app version): no clock,
 * no random, no machine path; so the same inputs give the same bytes anywhere.
 * docs/reports.md describes every member.
 */
import type { Finding, Verdict } from '../verify/findings';
import type { ConductAnswer, IntegrityAnswer, SignerAnswer } from '../verify/answers';
import type { DivergenceEntry, NotReplayableEntry, PolicyRef, SequenceFinding } from '../replay/types';

export const EVIDENCE_REPORT_FORMAT = 'audit-replay/evidence-report/1';

/** Where in the export something sits: 0-based event position, seq and 1-based line (null when it does not apply). */
export interface EventLink {
  index: number | null;
  seq: number | null;
  line: number | null;
}

export interface ReportFinding extends Finding, Pick<EventLink, 'index'> {}

export interface ReportTrustKey {
  key_id: string;
  alg: string;
  public_key: string;
  revoked_at: string | null;
}

export interface ReportBundle extends PolicyRef {
  /** The bundle's folder name inside the policies folder. */
  folder: string;
}

export interface ReportTimeline {
  from: string;
  to: string;
  /** Width of a bucket in milliseconds (a whole number). */
  bucket_ms: number;
  buckets: number;
  /** One lane per actor (agents first); actors beyond the limit share the last lane. */
  lanes: { actor: string; actor_type: string; events: number; counts: number[]; marks: { bucket: number; mark: TimelineMark; count: number }[] }[];
  /** Recorded decision outcomes per bucket. */
  outcomes: { allow: number; deny: number; require_approval: number }[];
  /** Events with no readable time, not drawn. */
  undated: number;
}

export type TimelineMark = 'finding' | 'divergence' | 'deny' | 'sequence';

export type NoteTargetKind = 'event' | 'finding' | 'divergence' | 'sequence-finding' | 'case';

export interface NoteVersionRecord {
  version: number;
  author: string;
  at: string;
  text: string;
  tags: string[];
}

export interface ReportNote {
  note_id: number;
  target: { kind: NoteTargetKind; finding: string | null } & EventLink;
  /** The newest version; `history` holds every version, oldest first. */
  current: NoteVersionRecord;
  history: NoteVersionRecord[];
}

export interface ReportReplay {
  /** SHA-256 of the canonical replay report (`audit-replay replay --json`). */
  report_sha256: string;
  bundles: PolicyRef[];
  decisions: number;
  matched: number;
  diverged: number;
  not_replayable: number;
  unreadable_lines: number[];
  divergences: (DivergenceEntry & { line: number | null })[];
  not_replayable_decisions: (NotReplayableEntry & { line: number | null })[];
  sequence_findings: (SequenceFinding & { line: number | null })[];
  counts: { not_replayable_by_reason: Record<string, number>; sequence_findings_by_kind: Record<string, number> };
  conduct: ConductAnswer;
}

export interface ReportSignature {
  alg: 'ed25519';
  key_id: string;
  public_key: string;
  /** What the signature covers, in words (fixed text). */
  signed: typeof SIGNED_CONTENT;
  sig: string;
}

export const SIGNED_CONTENT = 'UTF-8 bytes of the RFC 8785 canonical JSON of the report without its "signature" member (report_sha256 included)';

export interface EvidenceReport {
  format: typeof EVIDENCE_REPORT_FORMAT;
  app: { name: string; version: string };
  /** The three answers, first: is the record intact, who vouches for it, did the agents behave. */
  integrity: IntegrityAnswer;
  signer: SignerAnswer;
  conduct: ConductAnswer;
  examined: {
    export: { name: string; bytes: number; sha256: string; format: string; format_reason: string; hmac_key_given: boolean };
    trust: { name: string; sha256: string; keys: ReportTrustKey[] } | null;
    policies: { name: string; bundles: ReportBundle[] } | null;
  };
  verification: {
    verdict: Verdict;
    verdict_reason: string;
    events: number;
    head_hash: string | null;
    chain_start: string;
    first_failure: ReportFinding | null;
    finding_counts: Record<string, number>;
    findings: ReportFinding[];
    checkpoints: { line: number; seq_hi: number; tree_size: number; key_id: string; final: boolean; status: string }[];
    unauthenticated_fields: string[];
  };
  replay: ReportReplay | null;
  /** Why replay did not run (no policies given, a format without policy inputs, an unusable bundle), in words. */
  replay_error: string | null;
  timeline: ReportTimeline | null;
  notes: ReportNote[];
  /** SHA-256 of the canonical report without `report_sha256` and `signature`. */
  report_sha256: string;
  signature?: ReportSignature;
}

export type UnsealedReport = Omit<EvidenceReport, 'report_sha256' | 'signature'>;
