/** Small display helpers: every value from an export is shown as plain text. */
import type { Verdict } from '../shared/verify/findings';
import type { ConductStatus, IntegrityStatus, SignerStatus } from '../shared/verify/answers';

export function formatTs(ts: string | null | undefined): string {
  if (!ts) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(ts);
  return m ? `${m[1]} ${m[2]}${m[3] === 'Z' ? ' UTC' : (m[3] ?? '')}` : ts;
}

/** An instant as the reader's local date and time ("3 Dec 2026, 14:05"); the text itself when it is not a time. */
export function localTime(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : iso;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds == null || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 1) return 'less than a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}

/** Any JSON value as compact text, for side-by-side views. */
export function asText(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ');
  } catch {
    return String(value);
  }
}

export const VERDICT_WORDS: Record<Verdict, { title: string; symbol: string; meaning: string }> = {
  intact: { title: 'Intact', symbol: '✓', meaning: 'Every event is linked, hashed and covered by a trusted signed checkpoint.' },
  tampered: { title: 'Tampered', symbol: '✗', meaning: 'The export was changed after it was written: at least one integrity check fails.' },
  unanchored: {
    title: 'Unanchored',
    symbol: '!',
    meaning: 'Nothing in the file shows tampering, but nothing a forger could not recompute vouches for all of it: no trusted signature or key covers every event.',
  },
  malformed: { title: 'Malformed', symbol: '?', meaning: 'The file cannot be read as an audit export at all.' },
};

/** Families used to colour the timeline; unknown kinds fall into "other". */
export const KIND_FAMILIES = ['action', 'policy', 'approval', 'killswitch', 'ring', 'other'] as const;
export type KindFamily = (typeof KIND_FAMILIES)[number];

export function kindFamily(kind: string): KindFamily {
  const head = kind.split('.')[0] ?? '';
  return (KIND_FAMILIES as readonly string[]).includes(head) ? (head as KindFamily) : 'other';
}

export const OUTCOME_WORDS: Record<string, string> = { allow: 'allow', deny: 'deny', require_approval: 'needs approval' };

/** How each answer reads in a word and a symbol, and the tone it is drawn in (ok, bad, warn). */
export type Tone = 'ok' | 'bad' | 'warn';
export interface AnswerWords {
  word: string;
  symbol: string;
  tone: Tone;
}

export const INTEGRITY_WORDS: Record<IntegrityStatus, AnswerWords> = {
  intact: { word: 'Consistent', symbol: '✓', tone: 'ok' },
  altered: { word: 'Altered', symbol: '✗', tone: 'bad' },
  unknown: { word: 'Cannot be checked', symbol: '?', tone: 'warn' },
};

export const SIGNER_WORDS: Record<SignerStatus, AnswerWords> = {
  trusted: { word: 'Trusted key', symbol: '✓', tone: 'ok' },
  untrusted: { word: 'Not in your trust store', symbol: '!', tone: 'warn' },
  revoked: { word: 'Revoked key', symbol: '!', tone: 'warn' },
  'wrong-secret': { word: 'Wrong secret', symbol: '!', tone: 'warn' },
  none: { word: 'Nobody you trust', symbol: '!', tone: 'warn' },
};

export const CONDUCT_WORDS: Record<ConductStatus, AnswerWords> = {
  clean: { word: 'Clean', symbol: '✓', tone: 'ok' },
  violations: { word: 'Violations', symbol: '✗', tone: 'bad' },
  'not-run': { word: 'Not checked', symbol: '–', tone: 'warn' },
};

/** The worst tone of the three: the banner is never green while any answer is not. */
export function worstTone(tones: Tone[]): Tone {
  return tones.includes('bad') ? 'bad' : tones.includes('warn') ? 'warn' : 'ok';
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
