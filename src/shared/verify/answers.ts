/**
 * The three questions a reviewer asks of an export, answered apart, so that a
 * wrong trust store never reads as tampering and a green tick never sits over
 * a violation:
 *
 *   integrity  is the record intact (and if not, which stretch cannot be proven)?
 *   signer     who vouches for it: a key or secret the reviewer trusts, or not?
 *   conduct    did the agents behave (divergences, workflow violations)?
 *
 * The CLI's one-word `verdict` (and its exit code) is derived from the first
 * two by verdictFromAnswers(); conduct is answered by replay.
 */
import type { Finding, Verdict } from './findings';

export type IntegrityStatus = 'intact' | 'altered' | 'unknown';

/** Consecutive events that nothing valid vouches for, and why. */
export interface Stretch {
  from_seq: number;
  to_seq: number;
  from_line: number;
  to_line: number;
  why: string;
}

export interface IntegrityAnswer {
  status: IntegrityStatus;
  /** Stretches that cannot be proven, in file order; empty when intact. */
  unproven: Stretch[];
  /** One sentence, true for this file. */
  sentence: string;
}

export type SignerStatus = 'trusted' | 'untrusted' | 'revoked' | 'wrong-secret' | 'none';

export interface SignerAnswer {
  status: SignerStatus;
  /** The key that signed (for untrusted or revoked: the one the reviewer does not trust). */
  key_id: string | null;
  /** Its public key as the export names it (hex), when known. */
  public_key: string | null;
  /** Events no signature by a key in the trust store covers (empty when trusted). */
  unvouched: Stretch[];
  sentence: string;
  /** What the reviewer can do about it, when the signer is not trusted. */
  advice: string | null;
}

export type ConductStatus = 'clean' | 'violations' | 'not-run';

export interface ConductAnswer {
  status: ConductStatus;
  /** Why conduct was not checked (not-run), else null. */
  reason: string | null;
  decisions: number;
  matched: number;
  diverged: number;
  not_replayable: number;
  /** Workflow violations, conduct findings included (warnings are not counted here). */
  sequence_findings: number;
  /** Workflow findings that are warnings only (killswitch-ineffective); absent in answers stored before. */
  sequence_warnings?: number;
  /** Divergences whose event lies in an unproven stretch: likely edits, not policy changes (null: the chain was not checked). */
  likely_edits: number | null;
  sentence: string;
}

/** The CLI verdict: tampered when integrity fails; intact only with a trusted signer over everything. */
export function verdictFromAnswers(malformed: boolean, integrity: IntegrityAnswer, signer: SignerAnswer): Verdict {
  if (malformed) return 'malformed';
  if (integrity.status === 'altered') return 'tampered';
  if (integrity.status === 'intact' && signer.status === 'trusted' && signer.unvouched.length === 0) return 'intact';
  return 'unanchored';
}

/** The stretch that holds a seq, if any. */
export function stretchOf(stretches: readonly Stretch[], seq: number): Stretch | null {
  for (const s of stretches) if (seq >= s.from_seq && seq <= s.to_seq) return s;
  return null;
}

export function describeRange(s: Pick<Stretch, 'from_seq' | 'to_seq' | 'from_line' | 'to_line'>): string {
  return s.from_seq === s.to_seq ? `event ${s.from_seq} (line ${s.from_line})` : `events ${s.from_seq}–${s.to_seq} (lines ${s.from_line}–${s.to_line})`;
}

/**
 * Answers for formats that only have findings to go on (no checkpoints to
 * split into stretches): each integrity finding on an entry is a stretch of
 * that entry; anchor findings decide the signer.
 */
export function answersFromFindings(
  findings: readonly Finding[],
  options: { hashed: boolean; signer: Omit<SignerAnswer, 'sentence' | 'advice' | 'unvouched'> & Partial<Pick<SignerAnswer, 'sentence' | 'advice' | 'unvouched'>> },
): { integrity: IntegrityAnswer; signer: SignerAnswer } {
  const integrityFindings = findings.filter((f) => f.severity === 'integrity');
  const unproven: Stretch[] = [];
  for (const f of integrityFindings) {
    if (f.seq === null || f.line === null) continue;
    const last = unproven[unproven.length - 1];
    if (last && last.to_seq === f.seq) continue;
    unproven.push({ from_seq: f.seq, to_seq: f.seq, from_line: f.line, to_line: f.line, why: f.message });
  }
  const status: IntegrityStatus = integrityFindings.length > 0 ? 'altered' : options.hashed ? 'intact' : 'unknown';
  const integrity: IntegrityAnswer = {
    status,
    unproven,
    sentence:
      status === 'altered'
        ? `The record was altered: ${integrityFindings[0].message}`
        : status === 'intact'
          ? 'Every hash and link holds.'
          : 'This format carries no hashes, so whether it was changed cannot be checked.',
  };
  const signer: SignerAnswer = {
    unvouched: [],
    advice: null,
    sentence: signerSentence(options.signer.status, options.signer.key_id),
    ...options.signer,
  };
  return { integrity, signer };
}

export function signerSentence(status: SignerStatus, keyId: string | null): string {
  const key = keyId ? `key "${keyId}"` : 'a key';
  switch (status) {
    case 'trusted':
      return `Signed by ${key}, which is in your trust store.`;
    case 'untrusted':
      return `Signed by ${key}, which is not in your trust store.`;
    case 'revoked':
      return `Signed by ${key}, which your trust store says was revoked before this signature could have been made.`;
    case 'wrong-secret':
      return 'No entry matches the secret given: it is probably not the secret this log was written with.';
    case 'none':
      return 'Nothing you trust vouches for this record.';
  }
}

export const UNTRUSTED_ADVICE = 'Check that you chose the right trust store. If it is the right one, treat this export as unproven: anyone holding that key could have written it.';

/**
 * Stretches that follow one another, joined for a headline: the tampered sample's five
 * failing checkpoints read as one range, with the first reason and how many more there are.
 */
export function joinAdjacent(stretches: readonly Stretch[]): Stretch[] {
  const out: (Stretch & { joined: number })[] = [];
  for (const s of stretches) {
    const last = out[out.length - 1];
    if (last && s.from_seq === last.to_seq + 1) {
      last.to_seq = s.to_seq;
      last.to_line = s.to_line;
      last.joined++;
    } else out.push({ ...s, joined: 0 });
  }
  return out.map(({ joined, ...s }) => (joined ? { ...s, why: `${s.why} (and ${joined} more stretch${joined === 1 ? '' : 'es'} right after it, each for the same kind of reason)` } : s));
}
