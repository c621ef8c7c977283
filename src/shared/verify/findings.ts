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
  // AGT TRACE Trust Records and the session log checked against one (docs/formats.md).
  'missing-signature',
  'call-count-mismatch',
  'transcript-mismatch',
  'measurement-mismatch',
] as const;

/**
 * Who vouches, not what changed: a signature by a key the reviewer does not
 * trust (or has revoked), events no trusted checkpoint covers, a checkpoint
 * whose time cannot be right. The record may be consistent; it is not proven.
 */
export const ANCHOR_KINDS = ['untrusted-key', 'revoked-key', 'unanchored-tail', 'unanchored', 'checkpoint-predates-events', 'wrong-secret'] as const;
export const WARNING_KINDS = ['ts-regression', 'partial', 'unverifiable-entry', 'bad-timestamp', 'header-member', 'starts-mid-chain'] as const;

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

/** Findings of one kind listed one by one; the rest are counted (FindingCollector). */
export const MAX_LISTED_PER_KIND = 1000;

/** Per kind, how many findings were counted but not listed. */
export type FoldedCounts = Partial<Record<FindingKind, number>>;

interface Held {
  f: Finding;
  /** Push order, so equal lines keep the earlier finding. */
  order: number;
}

const lineKey = (f: Finding): number => f.line ?? Number.MAX_SAFE_INTEGER;
/** True when a comes after b in file order (later line, or same line pushed later). */
const after = (a: Held, b: Held): boolean => lineKey(a.f) > lineKey(b.f) || (lineKey(a.f) === lineKey(b.f) && a.order > b.order);

/**
 * Findings held in bounded memory, however many a file produces: of each
 * kind, the first `limit` in file order are listed (a max-heap by line, so a
 * file-level finding pushed at the end, such as "line 1 is not a header",
 * still takes its place), and the rest are only counted. Listing fewer never
 * changes a verdict: every kind that occurred keeps `limit` findings listed,
 * and a kind's severity is the kind's.
 */
export class FindingCollector {
  private readonly heaps = new Map<FindingKind, Held[]>();
  private readonly counts = new Map<FindingKind, number>();
  private pushed = 0;

  constructor(readonly limit = MAX_LISTED_PER_KIND) {}

  push(f: Finding): void {
    this.counts.set(f.kind, (this.counts.get(f.kind) ?? 0) + 1);
    const heap = this.heaps.get(f.kind) ?? this.heaps.set(f.kind, []).get(f.kind)!;
    const held = { f, order: this.pushed++ };
    if (heap.length < this.limit) {
      heap.push(held);
      siftUp(heap, heap.length - 1);
    } else if (this.limit > 0 && after(heap[0], held)) {
      heap[0] = held;
      siftDown(heap, 0);
    }
  }

  /**
   * `n` findings of one kind at lines that only grow (a run of identical
   * lines): `make(i)` builds the i-th only while it can still be listed, so a
   * million of them cost a count.
   */
  pushRun(kind: FindingKind, n: number, lineOf: (i: number) => number, make: (i: number) => Finding): void {
    for (let i = 0; i < n; i++) {
      const heap = this.heaps.get(kind);
      if (heap && heap.length >= this.limit && (this.limit === 0 || lineKey(heap[0].f) <= lineOf(i))) {
        this.counts.set(kind, (this.counts.get(kind) ?? 0) + n - i);
        return;
      }
      this.push(make(i));
    }
  }

  /** Another collector's findings and counts, or plain findings, as if pushed here. */
  add(from: FindingCollector | Iterable<Finding>): this {
    if (!(from instanceof FindingCollector)) {
      for (const f of from) this.push(f);
      return this;
    }
    for (const f of from.listed()) this.push(f);
    for (const [kind, n] of from.counts) this.counts.set(kind, (this.counts.get(kind) ?? 0) + n - (from.heaps.get(kind)?.length ?? 0));
    return this;
  }

  /** Every finding of this kind (or of any kind) counted so far, listed or not. */
  count(kind?: FindingKind): number {
    if (kind) return this.counts.get(kind) ?? 0;
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  /** The listed findings, in file order. */
  listed(): Finding[] {
    return sortFindings([...this.heaps.values()].flatMap((h) => [...h].sort((a, b) => a.order - b.order).map((x) => x.f)));
  }

  folded(): FoldedCounts {
    const out: FoldedCounts = {};
    for (const kind of [...this.counts.keys()].sort()) {
      const n = this.count(kind) - (this.heaps.get(kind)?.length ?? 0);
      if (n > 0) out[kind] = n;
    }
    return out;
  }

  /** The listed findings and, for each kind with more, one finding saying how many are not listed; in file order. */
  result(): { findings: Finding[]; folded: FoldedCounts } {
    const folded = this.folded();
    const summaries = Object.entries(folded).map(([kind, n]) => foldSummary(kind as FindingKind, n!, this.count(kind as FindingKind)));
    return { findings: sortFindings([...this.listed(), ...summaries]), folded };
  }
}

/** The finding that stands for the findings of a kind not listed one by one. */
export function foldSummary(kind: FindingKind, notListed: number, total: number): Finding {
  const what = kind === 'malformed-line' ? 'unreadable lines' : `${kind} findings`;
  return finding(kind, null, null, `${notListed} more ${what} are not listed one by one (${total} in all).`);
}

function siftUp(heap: Held[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!after(heap[i], heap[parent])) return;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function siftDown(heap: Held[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < heap.length && after(heap[l], heap[top])) top = l;
    if (r < heap.length && after(heap[r], heap[top])) top = r;
    if (top === i) return;
    [heap[i], heap[top]] = [heap[top], heap[i]];
    i = top;
  }
}
