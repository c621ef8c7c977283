/**
 * The one case model every format maps into, so the timeline, findings,
 * reports and the desktop UI work for all of them. A reader turns its file
 * into CaseEvents (streamed to a sink) and a FormatVerification.
 */
import type { Finding, FoldedCounts, Verdict } from '../verify/findings';
import type { IntegrityAnswer, SignerAnswer } from '../verify/answers';

export interface CaseEvent {
  /** 0-based position among the entries of the file. */
  index: number;
  /** The format's own sequence number, or the 0-based position when it has none. */
  seq: number;
  /** 1-based line of the file where the entry starts. */
  line: number;
  /** RFC 3339 UTC when known, else the format's own text; '' when the entry has none. */
  ts: string;
  /** Event kind in our vocabulary where it maps (policy.decision, action.executed …), else the format's own. */
  kind: string;
  actorType: 'agent' | 'human' | 'system' | 'unknown';
  actorId: string;
  /** allow | deny | require_approval when the entry records a decision, else null. */
  outcome: string | null;
  /** One line of plain text for the table. */
  summary: string;
  /** The entry as written (one line, or the array element re-serialized compactly). */
  raw: string;
  /** The bytes the format hashes, as text, when it has such a thing. */
  canonical: string | null;
  recordedHash: string | null;
  computedHash: string | null;
  prevHash: string | null;
  /** Members of this entry that no hash, HMAC or signature covers. */
  unauthenticated: string[];
  /** The request this entry belongs to (decision, approval, execution of one request), when the format says. */
  requestId?: string | null;
  /** The decision's own id, when the entry records one. */
  decisionId?: string | null;
  /**
   * Whom the entry is about when that is not its actor: the principal of a
   * policy decision, the agent a ring change moves. Entries of a request with
   * no subject of their own get the actor of the request at ingest.
   */
  subjectId?: string | null;
}

export type ChainStart = 'genesis' | 'anchored-head' | 'partial' | 'none';

export interface FormatVerification {
  /** Reader id, e.g. audit-export/1, agt-mesh-jsonl, opa-decision-log. */
  format: string;
  /** Why this reader was chosen: detection evidence, or "--format given". */
  formatReason: string;
  verdict: Verdict;
  /** A sentence explaining the verdict. */
  verdictReason: string;
  /** Is the record intact, and which stretches cannot be proven (apart from who vouches). */
  integrity: IntegrityAnswer;
  /** Who vouches for it: a key or secret in the reviewer's hands, or not. */
  signer: SignerAnswer;
  events: number;
  /** Of each kind, the first MAX_LISTED_PER_KIND in file order, and one finding saying how many more there are. */
  findings: Finding[];
  /** Per kind, how many findings were counted but not listed one by one (absent or {} when none). */
  folded?: FoldedCounts;
  firstFailure: Finding | null;
  /** The last entry's hash: compare it with an outside record to rule out a clean tail cut. */
  headHash: string | null;
  chainStart: ChainStart;
  /** Member names no hash, HMAC or signature covers, across the file. */
  unauthenticatedFields: string[];
  /** Format-specific facts worth printing (roots, key ids, counts). Plain JSON. */
  details: Record<string, unknown>;
}

export interface VerifyInputs {
  /** The reviewer's trust store (parsed), or null. */
  trust: { keys: { key_id: string; alg: string; public_key: string; revoked_at?: string }[] } | null;
  /** HMAC secret bytes (file sink); never stored, logged or reported. */
  hmacKey: Uint8Array | null;
}
