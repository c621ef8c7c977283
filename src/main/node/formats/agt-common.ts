/** What the foreign-log readers share: turning chain results into a FormatVerification. */
import type { ChainStart, FormatVerification } from '../../../shared/formats/case-model';
import { LexJsonError, LexObject, LineIndex, parseLexJson, type LexValue } from '../../../shared/json/lexeme-json';
import { chainStartSentence, type ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector, verdictOf, type Finding } from '../../../shared/verify/findings';
import { answersFromFindings, UNTRUSTED_ADVICE, type SignerStatus } from '../../../shared/verify/answers';
import { readLines, type FileLine } from './source';
import type { VerifyFileOptions } from './reader';

export interface ObjectLine {
  ln: FileLine;
  /** 0-based position among the entries (blank lines are not entries). */
  index: number;
  entry: LexObject;
}

/**
 * The entries of a JSON Lines log, parsed as objects with numbers kept as
 * written. A line that is not a readable object goes to onUnreadable (never
 * skipped silently); `stats` counts entries and readable ones as it goes.
 */
export function objectLines(o: VerifyFileOptions, noun: string, onUnreadable: (f: Finding) => void): AsyncGenerator<ObjectLine> & { stats: { entries: number; readable: number } } {
  const stats = { entries: 0, readable: 0 };
  async function* iterate(): AsyncGenerator<ObjectLine> {
    for await (const ln of readLines(o.path, { signal: o.signal, onBytes: (b) => o.onProgress?.(b, stats.entries) })) {
      if (ln.text.trim() === '') continue;
      const index = stats.entries++;
      let entry: LexObject;
      try {
        entry = parseObjectLine(ln.text);
      } catch (err) {
        onUnreadable(lineProblem(err instanceof Error ? err.message : String(err), ln, index, noun));
        continue;
      }
      stats.readable++;
      yield { ln, index, entry };
    }
  }
  return Object.assign(iterate(), { stats });
}

/** One JSON Lines entry: an object, numbers kept as written; throws LexJsonError for anything else. */
export function parseObjectLine(text: string): LexObject {
  const v = parseLexJson(text);
  if (!(v instanceof LexObject)) throw new LexJsonError('the line is not a JSON object', 0, false);
  return v;
}

/** The finding for a line that does not parse: a cut last line is a truncation. */
export function lineProblem(why: string, ln: Pick<FileLine, 'line' | 'terminated'>, index: number, noun: string): Finding {
  if (!ln.terminated) {
    return finding('truncated', index, ln.line, `The last ${noun} (line ${ln.line}) is cut off before its end: the file was truncated or an append was interrupted.`);
  }
  return finding('malformed-line', index, ln.line, `Line ${ln.line} is not a readable ${noun} (${why}); it was skipped.`);
}

export interface VerificationParts {
  format: string;
  formatReason: string;
  /** Bounded per kind; the ones not listed become one finding per kind and the `folded` counts. */
  findings: FindingCollector;
  events: number;
  headHash: string | null;
  chainStart: ChainStart;
  unauthenticated: Iterable<string>;
  malformed: boolean;
  /** True when a key or signature the attacker lacks covers every entry. */
  anchored: boolean;
  /** Why it is or is not anchored, one sentence. */
  anchorSentence: string;
  /** Who vouches; by default a trusted signer when anchored, else none. */
  signer?: { status: SignerStatus; key_id: string | null; public_key: string | null };
  noun: string;
  details: Record<string, unknown>;
}

export function buildVerification(p: VerificationParts): FormatVerification {
  const { findings, folded } = p.findings.result();
  // Every kind that occurred keeps findings listed, so this is the verdict of all of them.
  const verdict = verdictOf(findings, { malformed: p.malformed, anchored: p.anchored });
  const firstFailure = findings.find((f) => f.severity === 'integrity') ?? null;
  const start = p.chainStart === 'none' && p.events > 0 ? `The log has no hash chain.` : chainStartSentence(p.chainStart, p.noun);
  const head = p.headHash ? ` The last ${p.noun}'s hash is ${p.headHash}: compare it with an outside record to rule out entries cut from the end.` : '';
  let verdictReason: string;
  if (verdict === 'malformed') verdictReason = `The file cannot be read as ${p.format}: ${firstFailure?.message ?? 'it holds no readable entries.'}`;
  else if (verdict === 'tampered') verdictReason = `Tampering found: ${firstFailure!.message}${head}`;
  else if (verdict === 'unanchored' && p.signer?.status === 'wrong-secret') verdictReason = `Not proven: ${p.anchorSentence} Nothing shows the entries were changed: every hash and link holds.${head}`;
  else if (verdict === 'unanchored') verdictReason = `No tampering found in what the file proves, but ${p.anchorSentence} ${start}${head}`;
  else verdictReason = `Every ${p.noun} matches its hash and its link, and ${p.anchorSentence} ${start}${head}`;
  const answers = answersFromFindings(findings, {
    hashed: p.chainStart !== 'none',
    signer: { ...(p.signer ?? { status: p.anchored ? 'trusted' : 'none', key_id: null, public_key: null }) },
  });
  const capital = p.anchorSentence.charAt(0).toUpperCase() + p.anchorSentence.slice(1);
  answers.signer.sentence = capital;
  if (answers.signer.status === 'untrusted' || answers.signer.status === 'revoked' || answers.signer.status === 'wrong-secret') answers.signer.advice = UNTRUSTED_ADVICE;
  if (verdict === 'malformed') answers.integrity = { status: 'unknown', unproven: [], sentence: verdictReason };
  return {
    format: p.format,
    formatReason: p.formatReason,
    verdict,
    verdictReason,
    integrity: answers.integrity,
    signer: answers.signer,
    events: p.events,
    findings,
    folded,
    firstFailure,
    headHash: p.headHash,
    chainStart: p.chainStart,
    unauthenticatedFields: [...new Set(p.unauthenticated)].sort(),
    details: p.details,
  };
}

export const HASH_ONLY = 'the chain is only hashed, with no key or trusted signature behind it, so whoever edited the file could have recomputed every hash.';

/** A hash-only chain: never better than unanchored. */
export function hashOnlyVerification(
  format: string,
  formatReason: string | undefined,
  chain: ChainCheck,
  o: { malformed: boolean; noun: string; details: Record<string, unknown>; extraFindings?: FindingCollector },
): FormatVerification {
  return buildVerification({
    format,
    formatReason: formatReason ?? `read as ${format}`,
    findings: new FindingCollector().add(chain.findings).add(o.extraFindings ?? []),
    events: chain.events,
    headHash: chain.headHash,
    chainStart: chain.chainStart,
    unauthenticated: chain.unauthenticated,
    malformed: o.malformed,
    anchored: false,
    anchorSentence: HASH_ONLY,
    noun: o.noun,
    details: { ...o.details, ...chainDetails(chain) },
  });
}

export interface ParsedDocument {
  value: LexValue | null;
  /** Elements of a top-level array completed before any syntax error, with their start offsets. */
  elements: { value: LexValue; start: number }[];
  error: Finding | null;
  lines: LineIndex;
}

/** Parses a single-document file; on a syntax error keeps the array elements read before it. */
export function parseDocument(text: string, noun: string): ParsedDocument {
  const lines = new LineIndex(text);
  const elements: { value: LexValue; start: number }[] = [];
  try {
    const value = parseLexJson(text, (v, start) => elements.push({ value: v, start }));
    return { value, elements, error: null, lines };
  } catch (err) {
    const e = err as LexJsonError;
    const offset = typeof e.offset === 'number' ? e.offset : 0;
    const line = lines.lineOf(offset);
    const message = e.atEnd
      ? `The file ends in the middle of ${noun} ${elements.length} (line ${line}): it was cut off, so it is not a complete JSON document.`
      : `The file is not valid JSON at line ${line} (${e.message}), inside ${noun} ${elements.length}.`;
    return { value: null, elements, error: finding(e.atEnd ? 'truncated' : 'malformed-line', elements.length, line, message), lines };
  }
}

/** Where the chain starts, for the report: what the first entry links to when that entry is not the genesis. */
export function chainDetails(chain: ChainCheck): Record<string, unknown> {
  return chain.chainStart === 'anchored-head' || chain.chainStart === 'partial' ? { firstEntryLinksTo: chain.firstPrevHash } : {};
}
