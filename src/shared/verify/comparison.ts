/**
 * An earlier export of the same chain beside the case's own: the relation the
 * CLI's `compare` finds (verify/compare-exports.ts), in words a compliance
 * officer reads, with the technical statement kept for a tooltip.
 */
import type { Verdict } from './findings';

export type ExportRelation = 'identical' | 'extends' | 'continues' | 'forks' | 'unrelated';

/** What `compareExports` found, as far as the words need it. */
export interface ComparisonFacts {
  relation: ExportRelation;
  /** The CLI's own sentence (Merkle roots, consistency proof). */
  message: string;
  older: { events: number; verdict: Verdict };
  newer: { events: number; verdict: Verdict };
  consistencyProof: string[];
  forkAt: { index: number; seq: number; olderLine: number; newerLine: number } | null;
}

export interface ExportComparison {
  relation: ExportRelation;
  /** A few words: "Carries the earlier export on, unchanged". */
  title: string;
  /** What it means, in plain words. */
  sentence: string;
  /** The technical statement (Merkle roots, RFC 6962 consistency proof), for a tooltip. */
  technical: string;
  /** good: nothing of the earlier export was changed; bad: history was rewritten or removed; neutral: not comparable. */
  tone: 'good' | 'bad' | 'neutral';
  /** Where the case's history departs from the earlier export, when it does. */
  fork: { seq: number; index: number; caseLine: number; earlierLine: number } | null;
  /** The file name of the earlier export. */
  earlierName: string;
  earlierEvents: number;
  caseEvents: number;
  /** Set when either file does not verify on its own: then the relation proves little. */
  caution: string | null;
}

function events(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'event' : 'events'}`;
}

/** The earlier export is `older`; the case's export is `newer`. */
export function comparisonWords(facts: ComparisonFacts, earlierName: string): ExportComparison {
  const m = facts.older.events;
  const n = facts.newer.events;
  const base = { relation: facts.relation, technical: facts.message, earlierName, earlierEvents: m, caseEvents: n, fork: null, caution: cautionOf(facts) };
  switch (facts.relation) {
    case 'identical':
      return {
        ...base,
        tone: 'good',
        title: 'Same record as the earlier export',
        sentence: `This case holds exactly the ${events(m)} of the earlier export ${earlierName}: nothing was added, changed or removed.`,
      };
    case 'extends':
      return {
        ...base,
        tone: 'good',
        title: 'Carries the earlier export on, unchanged',
        sentence:
          m === 0
            ? `The earlier export ${earlierName} holds no events, so there is nothing in it that could have been changed.`
            : `Every one of the ${events(m)} in the earlier export ${earlierName} is still here, unchanged and in the same order; ${events(n - m)} were added after them.`,
      };
    case 'continues':
      return {
        ...base,
        tone: 'good',
        title: 'Picks up where the earlier export ended',
        sentence: `This export is the next part of the same record: it starts right after the last event of ${earlierName} and links to it, so nothing was left out between the two files.`,
      };
    case 'forks': {
      const f = facts.forkAt!;
      const fork = { seq: f.seq, index: f.index, caseLine: f.newerLine, earlierLine: f.olderLine };
      return f.index < Math.min(m, n)
        ? {
            ...base,
            fork,
            tone: 'bad',
            title: 'The earlier export was altered',
            sentence: `History was rewritten: the two files agree up to the event before seq ${f.seq}, but the event at seq ${f.seq} (line ${f.newerLine} here, line ${f.olderLine} in ${earlierName}) is not the same, and neither is anything after it.`,
          }
        : {
            ...base,
            fork,
            tone: 'bad',
            title: 'Events of the earlier export are missing',
            sentence: `This case holds fewer events (${n.toLocaleString('en-US')}) than the earlier export ${earlierName} (${m.toLocaleString('en-US')}): the events from seq ${f.seq} on were removed.`,
          };
    }
    case 'unrelated':
      return {
        ...base,
        tone: 'neutral',
        title: 'Not the same record',
        sentence: `${earlierName} and this case do not start from the same point, so they are not two versions of one record and cannot be compared.`,
      };
  }
}

function cautionOf(facts: ComparisonFacts): string | null {
  const bad = (v: Verdict) => v === 'tampered' || v === 'malformed';
  if (bad(facts.older.verdict) && bad(facts.newer.verdict)) return 'Neither file verifies on its own, so how they relate proves little.';
  if (bad(facts.older.verdict)) return `The earlier export does not verify on its own (${facts.older.verdict}), so how it relates to this case proves little.`;
  if (bad(facts.newer.verdict)) return `This case's export does not verify on its own (${facts.newer.verdict}), so how it relates to the earlier one proves little.`;
  return null;
}
