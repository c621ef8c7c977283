/**
 * The ordered checks every hash-chained foreign log shares: each entry's
 * recorded hash against the recomputed one, each link against the entry
 * before, and where the chain starts. A head that links to an entry not in
 * the file is an anchored head (rotation, eviction, partial export), not
 * tampering, unless the format says every file starts at its genesis.
 */
import { finding, FindingCollector, type Finding } from '../verify/findings';
import type { ChainStart } from './case-model';

export interface ChainCheckOptions {
  /** What one entry is called in messages: "entry", "receipt", "event". */
  noun: string;
  isGenesis: (prevHash: string | null) => boolean;
  /** True when a first entry that does not start at the genesis means entries were removed. */
  firstMustBeGenesis: boolean;
}

export class ChainCheck {
  /** Bounded: the first of each kind listed, the rest counted. */
  readonly findings = new FindingCollector();
  events = 0;
  headHash: string | null = null;
  /** What the first entry links to: the genesis value, or the hash of an entry before the file. */
  firstPrevHash: string | null = null;
  chainStart: ChainStart = 'none';
  /** The recorded hash of the entry before; undefined before the first, null after an unreadable one. */
  private prev: string | null | undefined = undefined;
  readonly unauthenticated = new Set<string>();

  constructor(private readonly o: ChainCheckOptions) {}

  /** An entry that could not be read: the next link cannot be judged. */
  unreadable(f: Finding): void {
    this.findings.push(f);
    this.events++;
    if (this.prev === undefined) this.chainStart = 'partial';
    this.prev = null;
  }

  /**
   * `count` consecutive unreadable entries from `index` on (a flood of the
   * same junk line): the same as unreadable() on each, at the cost of one.
   */
  unreadableRun(count: number, lineOf: (i: number) => number, make: (i: number) => Finding, kind: Finding['kind'] = 'malformed-line'): void {
    if (count <= 0) return;
    this.findings.pushRun(kind, count, lineOf, make);
    this.events += count;
    if (this.prev === undefined) this.chainStart = 'partial';
    this.prev = null;
  }

  /** Checks one entry; computed is null when the entry's hash could not be recomputed (a finding was added). */
  entry(index: number, line: number, recorded: string | null, prevHash: string | null, computed: string | null): void {
    const noun = this.o.noun;
    const Noun = noun[0].toUpperCase() + noun.slice(1);
    this.events++;
    if (computed !== null && recorded !== computed) {
      this.findings.push(finding('hash-mismatch', index, line, `${Noun} ${index} no longer matches its recorded hash: its content was changed after it was written.`));
    }
    if (this.prev === undefined) {
      this.firstPrevHash = prevHash;
      if (this.o.isGenesis(prevHash)) this.chainStart = 'genesis';
      else if (this.o.firstMustBeGenesis) {
        this.chainStart = 'partial';
        this.findings.push(
          finding(
            'broken-link',
            index,
            line,
            `The first ${noun} links to an earlier ${noun} that is not in the file, but this log always starts a new chain: ${plural(noun)} were removed from its start.`,
          ),
        );
      } else this.chainStart = 'anchored-head';
    } else if (this.prev !== null && prevHash !== this.prev) {
      this.findings.push(finding('broken-link', index, line, `${Noun} ${index} does not link to the ${noun} before it: ${plural(noun)} were deleted, inserted or reordered here.`));
    }
    this.prev = recorded;
    this.headHash = recorded;
  }

  /**
   * `count` consecutive entries from `index` on, each matching its hash and
   * linking to the one before (checked where they were read): the same as
   * entry() on each, which would find nothing after the first.
   */
  entryRun(index: number, line: number, first: { recorded: string; prev: string }, count: number, lastRecorded: string): void {
    this.entry(index, line, first.recorded, first.prev, first.recorded);
    this.events += count - 1;
    this.prev = lastRecorded;
    this.headHash = lastRecorded;
  }
}

/** A sentence for where the chain starts. */
export function chainStartSentence(start: ChainStart, noun: string): string {
  switch (start) {
    case 'genesis':
      return `The chain starts at its genesis with the first ${noun}.`;
    case 'anchored-head':
      return `The chain starts mid-way: the first ${noun} links to an earlier one that is not in the file (rotation, eviction or a partial export), so it is checked from there on.`;
    case 'partial':
      return `The start of the chain is missing or unreadable.`;
    default:
      return `The file holds no ${plural(noun)}.`;
  }
}

export function plural(noun: string): string {
  return noun.endsWith('y') ? noun.slice(0, -1) + 'ies' : noun + 's';
}
