/** Finding kinds from the audit-export/1 spec, plus those the other formats add. */
export const INTEGRITY_KINDS = [
  'hash-mismatch',
  'broken-link',
  'seq-gap',
  'seq-duplicate',
  'seq-regression',
  'checkpoint-mismatch',
  'bad-signature',
  'truncated',
  'malformed-line',
  'identity-mismatch',
  'earlier-export-altered',
] as const;

/**
 * Who vouches, not what changed: a signature by a key the reviewer does not
 * trust (or has revoked), events no trusted checkpoint covers, a checkpoint
 * whose time cannot be right. The record may be consistent; it is not proven.
 */
export const ANCHOR_KINDS = ['untrusted-key', 'revoked-key', 'unanchored-tail', 'unanchored', 'checkpoint-predates-events', 'wrong-secret'] as const;
export const WARNING_KINDS = ['ts-regression', 'partial', 'unverifiable-entry', 'bad-timestamp', 'header-member'] as const;

export type IntegrityKind = (typeof INTEGRITY_KINDS)[number];
export type FindingKind = IntegrityKind | (typeof ANCHOR_KINDS)[number] | (typeof WARNING_KINDS)[number];

export type Severity = 'integrity' | 'anchor' | 'warning';

export interface Finding {
  kind: FindingKind;
  /** The event's seq (or, for formats without one, its 0-based position); null for the whole file. */
  seq: number | null;
  /** 1-based line of the file; null when the finding belongs to the whole file. */
  line: number | null;
  /** A sentence a compliance officer understands. */
  message: string;
  severity: Severity;
}

const INTEGRITY = new Set<string>(INTEGRITY_KINDS);
const ANCHOR = new Set<string>(ANCHOR_KINDS);

export function severityOf(kind: FindingKind): Severity {
  if (INTEGRITY.has(kind)) return 'integrity';
  if (ANCHOR.has(kind)) return 'anchor';
  return 'warning';
}

export function finding(kind: FindingKind, seq: number | null, line: number | null, message: string): Finding {
  return { kind, seq, line, message, severity: severityOf(kind) };
}

export type Verdict = 'intact' | 'tampered' | 'unanchored' | 'malformed';

/** The spec's precedence: malformed, then tampered, then unanchored, then intact. */
export function verdictOf(findings: readonly Finding[], options: { malformed: boolean; anchored: boolean }): Verdict {
  if (options.malformed) return 'malformed';
  if (findings.some((f) => f.severity === 'integrity')) return 'tampered';
  if (!options.anchored || findings.some((f) => f.severity === 'anchor')) return 'unanchored';
  return 'intact';
}

/** Findings in file order, so "the first point of failure" is simply the first integrity finding. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) || a.kind.localeCompare(b.kind));
}

export const VERDICT_EXIT_CODE: Record<Verdict, number> = { intact: 0, tampered: 1, unanchored: 3, malformed: 2 };
