/**
 * The ordered half of verification: given line summaries in file order
 * (hashes already recomputed, possibly in parallel), check links, sequence
 * numbers, timestamps, checkpoints (Merkle roots and Ed25519 signatures
 * against the reviewer's trust store) and the final checkpoint, and decide
 * the verdict. Memory grows by 32 bytes per event (the leaf hashes), which a
 * checkpoint that lags behind its events needs.
 */
import { fromHex, toHex, utf8 } from '../hex';
import { verifyEd25519 as verifyPure, type Ed25519Verify } from '../crypto';
import { EXPORT_FORMAT } from '../export/types';
import type { ExportHeader, TrustStore, TrustedKey } from '../export/types';
import type { CheckpointSummary, EventSummary, LineSummary } from '../export/parse-line';
import { finding, FindingCollector, type Finding, type FoldedCounts, type Verdict } from './findings';
import { IncrementalMerkleTree, leafHash, PrefixRoots, type MerkleAppend, type RangeNode } from './merkle';
import type { Sha256 } from '../crypto';
import { parseUtcTimestamp, TIMESTAMP_RULE } from '../export/timestamp';
import { describeRange, UNTRUSTED_ADVICE, verdictFromAnswers, type IntegrityAnswer, type SignerAnswer, type Stretch } from './answers';

/** The earlier export this one should continue: its head, and its own verdict (a continuation is only as sound as what it continues). */
export interface ContinuesFrom {
  headHash: string;
  lastSeq: number;
  earlier?: { path: string; verdict: Verdict; reason: string };
}

export interface ChainVerifyOptions {
  sha256: Sha256;
  /** The reviewer's trust store; null means none was given, so nothing can be anchored. */
  trust: TrustStore | null;
  /**
   * Ed25519 check, strict RFC 8032 (the shared verifyEd25519 by default). Node
   * injects its node:crypto one, far faster and giving the same answer.
   */
  verifySignature?: Ed25519Verify;
  /** Verify this export as the continuation of an earlier one of the same chain. */
  continues?: ContinuesFrom;
  /** Bulk Merkle appends for event runs (Node injects the native one); without it, one leaf at a time. */
  merkleAppend?: MerkleAppend;
}

/**
 * Consecutive lines, all events already checked where they were read: each
 * in canonical form, well typed, hashing to its recorded hash, and each after
 * the first linking to the one before with seq + 1 and a time not going back.
 * Only the first event's link, number and time still need the verifier; the
 * rest are appended as they are. Worth it for millions of honest events.
 */
export interface EventRun {
  t: 'run';
  /** Line of the first event; the others follow line by line. */
  line: number;
  count: number;
  first: { seq: number; ts: string; prevHash: string };
  last: { seq: number; ts: string; hash: string };
  /** Each event's time in milliseconds (the scan took only well-formed times). */
  times: Float64Array;
  /** Recorded hashes, 32 bytes per event. */
  hashes: Uint8Array;
  /** Their RFC 6962 leaf hashes, 32 bytes per event. */
  leaves: Uint8Array;
}

/**
 * An EventRun verified somewhere else (another process or machine) and
 * handed over small: the same first and last event, and the Merkle compact
 * range of its leaves instead of the hashes themselves. Its events are not
 * kept one by one: their lines are line + i, and only the last one's hash is
 * known, so a checkpoint that needs any other leaf of it (one that lags
 * behind its events) cannot be checked here; the verifier then throws a
 * SegmentLeavesNeeded and the caller verifies the file the ordinary way.
 */
export interface SegmentRun {
  line: number;
  count: number;
  first: { seq: number; ts: string; prevHash: string; hash: string };
  last: { seq: number; ts: string; hash: string };
  /** compactRange of the run's leaf hashes, computed at the event index where the run starts. */
  range: RangeNode[];
}

/** A check needed a leaf that a SegmentRun did not bring (see SegmentRun). */
export class SegmentLeavesNeeded extends Error {
  constructor(index: number) {
    super(`event index ${index} was verified as part of a segment and its leaf is not here`);
  }
}

/**
 * valid: signed by a trusted key and matching the events. self-signed: no trust store, signature
 * good under the header's key (or nothing to check it with). untrusted-key / revoked-key: a
 * signature that verifies, by a key the reviewer does not trust. backdated: dated before events it
 * covers. mismatch: its head, size or root does not match the events. bad-signature: verifies under no key.
 */
export type CheckpointStatus = 'valid' | 'mismatch' | 'bad-signature' | 'untrusted-key' | 'revoked-key' | 'self-signed' | 'backdated';

export interface CheckpointResult {
  line: number;
  seqHi: number;
  treeSize: number;
  keyId: string;
  final: boolean;
  ts: string;
  merkleRoot: string;
  headHash: string;
  status: CheckpointStatus;
  /** Do its head hash, tree size and Merkle root match the events? null: not computed (its signature is bad). */
  holds: boolean | null;
}

export interface ChainResult {
  verdict: Verdict;
  /** Do content, links, sequence and roots hold, and which stretches cannot be proven. */
  integrity: IntegrityAnswer;
  /** Who vouches: a key in the reviewer's trust store, or not. */
  signer: SignerAnswer;
  events: number;
  /** The first MAX_LISTED_PER_KIND of each kind, and one finding per kind saying how many more. */
  findings: Finding[];
  /** Per kind, how many findings are counted but not listed. */
  folded: FoldedCounts;
  firstFailure: Finding | null;
  header: ExportHeader | null;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Recorded hash of the last event: compare it with an outside record to rule out a clean tail cut. */
  headHash: string | null;
  checkpoints: CheckpointResult[];
  /** How many events, from the first, a valid checkpoint by a trusted key covers. */
  anchoredEvents: number;
  complete: boolean;
  lines: number;
}

const short = (h: string) => `${h.slice(0, 12)}…`;

export class ChainVerifier {
  // Bounded: a file of a million junk lines or warnings cannot exhaust memory through its findings.
  private readonly findings = new FindingCollector();
  private header: ExportHeader | null = null;
  private headerProblem: string | null = null;
  private seenFirstLine = false;
  private tree: IncrementalMerkleTree;
  private leaves = new Uint8Array(32 * 1024);
  private lineNumbers = new Int32Array(1024);
  private count = 0;
  private prev: EventSummary | null = null;
  private prevHash: string | null = null;
  private linkUnknown = false;
  private firstSeq: number | null = null;
  private checkpoints: CheckpointResult[] = [];
  private anchored = 0;
  private lastLine: LineSummary | null = null;
  private readonly trusted = new Map<string, TrustedKey>();
  private readonly named = new Map<string, string>();
  private readonly prefixRoots: PrefixRoots;
  /** Latest event time so far (ms), NaN once any event's time did not parse: unknown, and so never "before" anything. */
  private latestMs = -Infinity;
  /** latestMs as it stood after the last event of each chunk of 256 events (an upper bound inside a chunk). */
  private chunkLatest = new Float64Array(8);
  /** Where seq numbering does not simply continue: [event index, seq] pairs, so any event's seq can be told. */
  private readonly seqBreaks: [number, number][] = [];
  /** Event indexes whose content does not hash to their recorded hash (each its own unproven stretch). */
  private readonly editedEvents: number[] = [];
  /** Events added by addSegment, in order: [first index, count, first line, last hash]. */
  private readonly segments: { start: number; count: number; line: number; lastHash: Uint8Array }[] = [];

  constructor(private readonly options: ChainVerifyOptions) {
    this.tree = new IncrementalMerkleTree(options.sha256);
    this.prefixRoots = new PrefixRoots(options.sha256, (i) => this.leaf(i));
    for (const key of options.trust?.keys ?? []) {
      // The trust store loader refuses duplicates; a caller that did not use it gets the first, never a later one.
      if (!this.trusted.has(key.key_id)) this.trusted.set(key.key_id, key);
    }
  }

  get eventCount(): number {
    return this.count;
  }

  /** The recorded hash of the event at 0-based position i (for proofs). */
  leaf(i: number): Uint8Array {
    const seg = this.segmentOf(i);
    if (seg) {
      if (i === seg.start + seg.count - 1) return seg.lastHash;
      throw new SegmentLeavesNeeded(i);
    }
    return this.leaves.subarray(i * 32, i * 32 + 32);
  }

  /** The 1-based file line of the event at 0-based position i. */
  lineOf(i: number): number {
    const seg = this.segmentOf(i);
    return seg ? seg.line + (i - seg.start) : this.lineNumbers[i];
  }

  /** The addSegment run holding event index i, if any. */
  private segmentOf(i: number): { start: number; count: number; line: number; lastHash: Uint8Array } | null {
    const segs = this.segments;
    if (segs.length === 0) return null;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid].start + segs[mid].count <= i) lo = mid + 1;
      else if (segs[mid].start > i) hi = mid - 1;
      else return segs[mid];
    }
    return null;
  }

  add(s: LineSummary): void {
    const first = !this.seenFirstLine;
    this.seenFirstLine = true;
    this.lastLine = s;
    if (first) {
      if (s.t !== 'header') {
        this.headerProblem = s.t === 'malformed' ? `line 1 is not a readable header: ${s.reason}` : `line 1 is a ${s.t}, not the header`;
        if (s.t === 'malformed') return;
      } else {
        for (const problem of s.problems ?? []) this.push(finding('header-member', null, s.line, problem));
        this.acceptHeader(s.header, s.line);
        return;
      }
    }
    switch (s.t) {
      case 'header':
        this.push(finding('malformed-line', null, s.line, `Line ${s.line} is a second header; an export has exactly one, on line 1.`));
        this.linkUnknown = true;
        return;
      case 'malformed':
        // A summary may stand for `count` consecutive lines with the same reason: each is counted, the first ones listed.
        this.findings.pushRun(
          'malformed-line',
          s.count ?? 1,
          (i) => s.line + i,
          (i) => finding('malformed-line', null, s.line + i, `Line ${s.line + i} cannot be read: ${s.reason}.`),
        );
        this.linkUnknown = true;
        return;
      case 'event':
        this.acceptEvent(s);
        return;
      case 'checkpoint':
        this.acceptCheckpoint(s);
        return;
    }
  }

  /**
   * A run of clean, consecutive events: the same findings and state as
   * add() on each of them (tested against it), in bulk.
   */
  addRun(run: EventRun): void {
    if (!this.seenFirstLine || run.count === 0) throw new Error('an event run cannot start the file or be empty');
    const last = run.line + run.count - 1;
    const first: EventSummary = {
      t: 'event',
      line: run.line,
      seq: run.first.seq,
      ts: run.first.ts,
      kind: '',
      actorType: '',
      actorId: '',
      prevHash: run.first.prevHash,
      hash: toHex(run.hashes.subarray(0, 32)),
      computed: '',
    };
    first.computed = first.hash;
    if (run.count === 1) {
      this.add(first);
      return;
    }
    // The first event as any other: its link, number and time against what came before.
    this.lastLine = first;
    this.acceptEvent(first, false);
    this.growTo(this.count + run.count);
    this.leaves.set(run.hashes, this.count * 32);
    for (let i = 0; i < run.count; i++) this.lineNumbers[this.count + i] = run.line + i;
    this.noteSeq(this.count, run.first.seq);
    this.noteTimes(this.count, run.times);
    this.count += run.count;
    this.tree.appendLeafHashes(run.leaves, this.options.merkleAppend);
    const end: EventSummary = { t: 'event', line: last, seq: run.last.seq, ts: run.last.ts, kind: '', actorType: '', actorId: '', prevHash: '', hash: run.last.hash, computed: run.last.hash };
    this.prev = end;
    this.prevHash = end.hash;
    this.lastLine = end;
  }

  /**
   * A run verified elsewhere (SegmentRun): the same findings and state as
   * addRun on its events (tested against it), holding O(log n) per run
   * instead of 36 bytes per event.
   */
  addSegment(run: SegmentRun): void {
    if (!this.seenFirstLine || run.count === 0) throw new Error('a segment run cannot start the file or be empty');
    let width = 0;
    for (const node of run.range) width += node.size;
    if (width !== run.count) throw new Error(`a segment run of ${run.count} events came with a compact range of ${width}`);
    const first: EventSummary = {
      t: 'event',
      line: run.line,
      seq: run.first.seq,
      ts: run.first.ts,
      kind: '',
      actorType: '',
      actorId: '',
      prevHash: run.first.prevHash,
      hash: run.first.hash,
      computed: run.first.hash,
    };
    this.lastLine = first;
    this.acceptEvent(first, false);
    this.noteSeq(this.count, run.first.seq);
    this.noteTime(this.count, run.first.ts, run.count);
    this.noteTime(this.count + run.count - 1, run.last.ts, 1);
    this.segments.push({ start: this.count, count: run.count, line: run.line, lastHash: fromHex(run.last.hash) });
    // Merged where the tree stands: it throws if the range was computed for another starting index.
    for (const node of run.range) this.tree.appendSubtree(node.size, node.hash);
    this.count += run.count;
    const end: EventSummary = {
      t: 'event',
      line: run.line + run.count - 1,
      seq: run.last.seq,
      ts: run.last.ts,
      kind: '',
      actorType: '',
      actorId: '',
      prevHash: '',
      hash: run.last.hash,
      computed: run.last.hash,
    };
    this.prev = end;
    this.prevHash = end.hash;
    this.lastLine = end;
  }

  private push(f: Finding): void {
    this.findings.push(f);
  }

  private acceptHeader(header: ExportHeader, line: number): void {
    if (header.format !== EXPORT_FORMAT) {
      this.headerProblem = `line ${line} names the format ${JSON.stringify(header.format)}, not ${EXPORT_FORMAT}`;
      return;
    }
    this.header = header;
    for (const k of header.keys) if (!this.named.has(k.key_id)) this.named.set(k.key_id, k.public_key);
    this.prevHash = header.genesis;
    const cont = this.options.continues;
    const earlier = cont?.earlier;
    if (earlier && earlier.verdict !== 'intact') {
      const name = earlier.path.split(/[\\/]/).pop();
      if (earlier.verdict === 'unanchored') {
        this.push(
          finding(
            'unanchored',
            null,
            line,
            `The earlier export ${name} that this one continues is not proven (${earlier.verdict.toUpperCase()}): ${earlier.reason} So the start of this chain is not proven either.`,
          ),
        );
      } else {
        this.push(
          finding(
            'earlier-export-altered',
            null,
            line,
            `The earlier export ${name} that this one continues is ${earlier.verdict.toUpperCase()}: ${earlier.reason} A continuation of an altered record proves nothing about it.`,
          ),
        );
      }
    }
    if (cont) {
      if (header.genesis !== cont.headHash) {
        this.push(
          finding('broken-link', null, line, `This export does not continue the earlier one: its genesis is ${short(header.genesis)}, but the earlier export ends at ${short(cont.headHash)}.`),
        );
      }
      if (header.first_seq !== cont.lastSeq + 1) {
        this.push(finding('seq-gap', null, line, `This export starts at seq ${header.first_seq}, but the earlier export ends at seq ${cont.lastSeq}; it should start at ${cont.lastSeq + 1}.`));
      }
    }
  }

  private acceptEvent(e: EventSummary, append = true): void {
    if (e.computed !== e.hash) {
      this.editedEvents.push(this.count);
      this.push(
        finding('hash-mismatch', e.seq, e.line, `Event ${e.seq} (line ${e.line}) was changed after it was recorded: its content hashes to ${short(e.computed)}, but the log records ${short(e.hash)}.`),
      );
    }
    if (append && parseUtcTimestamp(e.ts) === null) {
      this.push(
        finding(
          'bad-timestamp',
          e.seq,
          e.line,
          `Event ${e.seq} (line ${e.line}) is timestamped ${JSON.stringify(e.ts.slice(0, 60))}, which is not ${TIMESTAMP_RULE}: no time can be judged against it, so no checkpoint by a revoked key can be shown to predate it.`,
        ),
      );
    }
    if (this.linkUnknown) {
      this.linkUnknown = false;
    } else if (this.prevHash !== null && e.prevHash !== this.prevHash) {
      const what =
        this.prev === null
          ? `the export's genesis is ${short(this.prevHash)}: the head of the chain was cut or replaced`
          : `the event before it (seq ${this.prev.seq}, line ${this.prev.line}) has hash ${short(this.prevHash)}: events were deleted, inserted or reordered here`;
      this.push(finding('broken-link', e.seq, e.line, `Event ${e.seq} (line ${e.line}) points back to ${short(e.prevHash)}, but ${what}.`));
    }
    this.checkSeq(e);
    if (this.prev && e.ts < this.prev.ts && Date.parse(e.ts) < Date.parse(this.prev.ts)) {
      this.push(
        finding(
          'ts-regression',
          e.seq,
          e.line,
          `Event ${e.seq} (line ${e.line}) is timestamped ${e.ts}, earlier than the event before it (${this.prev.ts}). Clocks can drift; on its own this is not tampering.`,
        ),
      );
    }
    if (this.firstSeq === null) this.firstSeq = e.seq;
    // A run appends its events' leaves itself, all at once.
    if (!append) return;
    this.noteSeq(this.count, e.seq);
    // An edited event's time is not the one its recorded hash vouches for: it says nothing of when checkpoints were signed.
    this.noteTime(this.count, e.computed === e.hash ? e.ts : null, 1);
    this.appendLeaf(e.hash, e.line, e.leaf);
    this.prev = e;
    this.prevHash = e.hash;
  }

  /** Remember seq at event index i when it does not continue the one before. */
  private noteSeq(i: number, seq: number): void {
    if (this.seqAt(i) !== seq) this.seqBreaks.push([i, seq]);
  }

  /** The seq of the event at index i (as recorded). */
  seqAt(i: number): number {
    let lo = 0;
    let hi = this.seqBreaks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqBreaks[mid][0] <= i) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return (this.header?.first_seq ?? 0) + i;
    return this.seqBreaks[found][1] + (i - this.seqBreaks[found][0]);
  }

  /** Fold the time of events [i, i + n) into the latest time (null: nothing to fold), chunk by chunk. */
  private noteTime(i: number, ts: string | null, n: number): void {
    if (ts !== null) {
      const ms = parseUtcTimestamp(ts);
      this.latestMs = ms === null ? NaN : Math.max(this.latestMs, ms);
    }
    const last = (i + n - 1) >> 8;
    this.growChunks(last);
    for (let c = i >> 8; c <= last; c++) this.chunkLatest[c] = this.latestMs;
  }

  /** Room for the latest time of chunk `last`. */
  private growChunks(last: number): void {
    if (last < this.chunkLatest.length) return;
    const grown = new Float64Array(Math.max(last + 1, this.chunkLatest.length * 2));
    grown.set(this.chunkLatest);
    this.chunkLatest = grown;
  }

  /**
   * Fold the times of a run's events, starting at index i, as noteTime would one by one: a
   * checkpoint lagging behind the run is judged on the latest time it really covers, not on the
   * run's first (found by a revoked key's backdated checkpoint inside a long run).
   */
  private noteTimes(i: number, times: Float64Array): void {
    this.growChunks((i + times.length - 1) >> 8);
    let latest = this.latestMs;
    for (let k = 0; k < times.length; k++) {
      latest = Math.max(latest, times[k]);
      const at = i + k;
      if ((at & 255) === 255 || k === times.length - 1) this.chunkLatest[at >> 8] = latest;
    }
    this.latestMs = latest;
  }

  /**
   * The latest time among the first `size` events, or an upper bound on it (the latest of their
   * chunk of 256), or NaN when some event's time did not parse. Upper bounds only make revocation
   * and backdating checks stricter.
   */
  private latestTimeOf(size: number): number {
    if (size >= this.count) return this.latestMs;
    return this.chunkLatest[(size - 1) >> 8];
  }

  private checkSeq(e: EventSummary): void {
    const expected = this.prev ? this.prev.seq + 1 : (this.header?.first_seq ?? e.seq);
    if (e.seq === expected) return;
    if (this.prev && e.seq === this.prev.seq) {
      this.push(finding('seq-duplicate', e.seq, e.line, `Event number ${e.seq} appears twice (lines ${this.prev.line} and ${e.line}).`));
    } else if (e.seq < expected) {
      this.push(finding('seq-regression', e.seq, e.line, `Event number ${e.seq} (line ${e.line}) comes after ${expected - 1}: numbering went backwards, so events were reordered or replayed.`));
    } else {
      const missingCount = e.seq - expected;
      this.push(finding('seq-gap', e.seq, e.line, `Event numbers jump from ${expected - 1} to ${e.seq} at line ${e.line}: ${missingCount} event${missingCount === 1 ? ' is' : 's are'} missing.`));
    }
  }

  /** Room for `events` leaves and line numbers. */
  private growTo(events: number): void {
    if (events * 32 <= this.leaves.length) return;
    let size = this.leaves.length / 32;
    while (size < events) size *= 2;
    const grown = new Uint8Array(size * 32);
    grown.set(this.leaves);
    this.leaves = grown;
    const lines = new Int32Array(size);
    lines.set(this.lineNumbers);
    this.lineNumbers = lines;
  }

  private appendLeaf(hashHex: string, line: number, leafHex: string | undefined): void {
    this.growTo(this.count + 1);
    const bytes = fromHex(hashHex);
    this.leaves.set(bytes, this.count * 32);
    this.lineNumbers[this.count] = line;
    this.count++;
    this.tree.appendLeafHash(leafHex ? fromHex(leafHex) : leafHash(this.options.sha256, bytes));
  }

  private rootAt(size: number): Uint8Array {
    if (size === this.tree.size) return this.tree.root();
    return this.prefixRoots.root(size);
  }

  private acceptCheckpoint(s: CheckpointSummary): void {
    const cp = s.checkpoint;
    const where = `The checkpoint at line ${s.line} (events up to seq ${cp.seq_hi})`;
    const result: CheckpointResult = {
      line: s.line,
      seqHi: cp.seq_hi,
      treeSize: cp.tree_size,
      keyId: cp.key_id,
      final: cp.final,
      ts: cp.ts,
      merkleRoot: cp.merkle_root,
      headHash: cp.head_hash,
      status: this.signatureStatus(s, where),
      holds: null,
    };
    this.checkpoints.push(result);
    if (parseUtcTimestamp(cp.ts) === null) {
      this.push(finding('bad-timestamp', cp.seq_hi, s.line, `${where} is dated ${JSON.stringify(cp.ts.slice(0, 60))}, which is not ${TIMESTAMP_RULE}.`));
    }
    // A signature that verifies under no key: the finding says so, and nothing it claims about
    // the tree is worth recomputing (a flood of forged checkpoints costs one signature check each).
    if (result.status === 'bad-signature') return;

    const seq = cp.seq_hi;
    const firstSeq = this.header?.first_seq ?? this.firstSeq ?? 0;
    const problems: string[] = [];
    if (cp.tree_size !== cp.seq_hi - firstSeq + 1) {
      problems.push(`its tree size ${cp.tree_size} does not fit seq ${firstSeq}..${cp.seq_hi}`);
    }
    if (cp.tree_size > this.count || cp.tree_size < 1) {
      problems.push(`it covers ${cp.tree_size} events, but only ${this.count} precede it`);
    } else {
      const head = toHex(this.leaf(cp.tree_size - 1));
      if (head !== cp.head_hash) problems.push(`its head hash ${short(cp.head_hash)} is not the hash of event ${cp.tree_size - 1 + firstSeq} (${short(head)})`);
      const root = toHex(this.rootAt(cp.tree_size));
      if (root !== cp.merkle_root) problems.push(`its Merkle root ${short(cp.merkle_root)} is not the root of the events (${short(root)})`);
    }
    result.holds = problems.length === 0;
    if (problems.length > 0) {
      if (result.status === 'valid' || result.status === 'self-signed') result.status = 'mismatch';
      this.push(finding('checkpoint-mismatch', seq, s.line, `${where} does not match the events: ${problems.join('; ')}. The chain was rewritten or events removed after it was signed.`));
      return;
    }
    this.checkTimes(result, where);
    if (result.status === 'valid') this.anchored = Math.max(this.anchored, cp.tree_size);
  }

  /**
   * Who signed this checkpoint, judged against the reviewer's trust store (never the export's
   * own header, which only says which key to try): valid, untrusted-key (including a header that
   * names a trusted key_id with another public key), revoked-key, self-signed, or bad-signature.
   */
  private signatureStatus(s: CheckpointSummary, where: string): CheckpointStatus {
    const cp = s.checkpoint;
    const seq = cp.seq_hi;
    const message = utf8(s.signed);
    const verify = this.options.verifySignature ?? verifyPure;
    const named = this.named.get(cp.key_id);
    if (!this.options.trust) {
      if (named && !verify(cp.sig, message, named)) {
        this.push(finding('bad-signature', seq, s.line, `${where} does not carry a valid signature by key "${cp.key_id}" that the export names: the checkpoint was altered or forged.`));
        return 'bad-signature';
      }
      return 'self-signed';
    }
    const trusted = this.trusted.get(cp.key_id);
    if (trusted && verify(cp.sig, message, trusted.public_key)) return this.revocationStatus(s, where, trusted);
    if (named && named !== trusted?.public_key && verify(cp.sig, message, named)) {
      const why = trusted
        ? `the export's header gives key "${cp.key_id}" the public key ${named}, but your trust store holds another public key under that name (${trusted.public_key}): the key was substituted`
        : `key "${cp.key_id}" (public key ${named}, as the export's header gives it) is not in your trust store`;
      this.push(finding('untrusted-key', seq, s.line, `${where} is signed by a key you do not trust: ${why}. Its content may be intact, but nobody you trust vouches for it.`));
      return 'untrusted-key';
    }
    if (!trusted && !named) {
      this.push(finding('untrusted-key', seq, s.line, `${where} is signed with key "${cp.key_id}", which neither your trust store nor the export names: nobody you trust vouches for it.`));
      return 'untrusted-key';
    }
    this.push(
      finding(
        'bad-signature',
        seq,
        s.line,
        `${where} does not carry a valid signature by key "${cp.key_id}" (neither the key your trust store holds nor the one the export names): the checkpoint was altered or forged.`,
      ),
    );
    return 'bad-signature';
  }

  /**
   * A signature by a revoked key counts only when it was made before the revocation: the
   * checkpoint's own time and the latest time among the events it covers (it cannot have been
   * signed before them) must both parse and both be earlier than revoked_at. Anything else fails closed.
   */
  private revocationStatus(s: CheckpointSummary, where: string, key: TrustedKey): CheckpointStatus {
    const cp = s.checkpoint;
    if (key.revoked_at === undefined) return 'valid';
    const signedAt = parseUtcTimestamp(cp.ts);
    const revokedAt = parseUtcTimestamp(key.revoked_at);
    const latest = cp.tree_size >= 1 && cp.tree_size <= this.count ? this.latestTimeOf(cp.tree_size) : NaN;
    let why: string | null = null;
    if (revokedAt === null) why = `your trust store's revoked_at ${JSON.stringify(key.revoked_at)} is not a time`;
    else if (signedAt === null) why = `its date is not a time, so it cannot be shown to predate the revocation`;
    else if (signedAt >= revokedAt) why = `it is dated ${cp.ts}, after the revocation`;
    else if (Number.isNaN(latest)) why = `an event it covers has a time that does not parse, so it cannot be shown to predate the revocation`;
    else if (latest >= revokedAt) why = `it covers events timestamped up to ${new Date(latest).toISOString()}, after the revocation, so it was signed after it whatever date it gives`;
    if (why === null) return 'valid';
    this.push(finding('revoked-key', cp.seq_hi, s.line, `${where} is signed with key "${cp.key_id}", which your trust store says was revoked at ${key.revoked_at}: ${why}.`));
    return 'revoked-key';
  }

  /** A checkpoint cannot have been signed before the events it covers. */
  private checkTimes(result: CheckpointResult, where: string): void {
    const signedAt = parseUtcTimestamp(result.ts);
    const latest = this.latestTimeOf(result.treeSize);
    if (signedAt === null || Number.isNaN(latest) || signedAt >= latest) return;
    // With a revoked key, a date that cannot be true cannot show the signature predates the revocation.
    const revocable = result.status === 'valid' && this.trusted.get(result.keyId)?.revoked_at !== undefined;
    if (revocable) result.status = 'revoked-key';
    else if (result.status === 'valid' || result.status === 'self-signed') result.status = 'backdated';
    this.push(
      finding(
        'checkpoint-predates-events',
        result.seqHi,
        result.line,
        `${where} is dated ${result.ts}, before events it covers (timestamped up to ${new Date(latest).toISOString()}): a checkpoint cannot be signed before its events, so it vouches for nothing.`,
      ),
    );
  }

  finish(end: { lastLineTerminated: boolean; lines: number }): ChainResult {
    const malformed = this.header === null;
    if (malformed) {
      this.push(finding('malformed-line', null, 1, `This is not an ${EXPORT_FORMAT} export: ${this.headerProblem ?? (this.seenFirstLine ? 'no header' : 'the file is empty')}.`));
    } else {
      const cutMidWrite = !end.lastLineTerminated && end.lines > 0;
      const last = this.lastLine;
      const lastCp = last?.t === 'checkpoint' ? last.checkpoint : null;
      if (!lastCp || !lastCp.final) {
        this.push(
          finding(
            'truncated',
            null,
            end.lines,
            cutMidWrite
              ? `The last line (${end.lines}) has no line end and the export does not end with a final checkpoint: the file was cut off in the middle of a write.`
              : `The export does not end with a final checkpoint: it was cut short, or its end was removed.`,
          ),
        );
      } else if (cutMidWrite) {
        this.push(finding('truncated', null, end.lines, `The last line (${end.lines}) has no line end: the file was cut off in the middle of a write.`));
      } else if (this.prev && lastCp.seq_hi !== this.prev.seq) {
        this.push(finding('truncated', null, end.lines, `The final checkpoint covers events up to seq ${lastCp.seq_hi}, but the last event is seq ${this.prev.seq}.`));
      }
      if (this.count > this.anchored) {
        const leafIndex = this.anchored;
        const firstSeq = this.header!.first_seq;
        const why = this.options.trust
          ? 'no valid checkpoint signed by a key in your trust store covers them'
          : 'no trust store was given, so no signature can anchor them (anyone could recompute these hashes)';
        this.push(
          finding(
            'unanchored-tail',
            leafIndex + firstSeq,
            this.lineOf(leafIndex),
            `${this.count - this.anchored} of ${this.count} events, from seq ${leafIndex + firstSeq} on, are not anchored: ${why}.`,
          ),
        );
      }
    }
    // The findings not listed are folded into one per kind; every kind keeps findings listed, so the answers are those of all.
    const { findings, folded } = this.findings.result();
    const integrity = this.integrityAnswer(findings, malformed);
    const signer = this.signerAnswer();
    const complete = this.lastLine?.t === 'checkpoint' && this.lastLine.checkpoint.final;
    let verdict = verdictFromAnswers(malformed, integrity, signer);
    // Anything else not proven (an earlier export this one continues, a backdated checkpoint) keeps it from intact.
    if (verdict === 'intact' && (!complete || findings.some((f) => f.severity === 'anchor'))) verdict = 'unanchored';
    return {
      verdict,
      integrity,
      signer,
      events: this.count,
      findings,
      folded,
      firstFailure: findings.find((f) => f.severity === 'integrity') ?? null,
      header: this.header,
      firstSeq: this.firstSeq,
      lastSeq: this.prev?.seq ?? null,
      headHash: this.prev?.hash ?? null,
      checkpoints: this.checkpoints,
      anchoredEvents: this.anchored,
      complete,
      lines: end.lines,
    };
  }

  /** Events [from, to) as a stretch. */
  private stretch(from: number, to: number, why: string): Stretch {
    return { from_seq: this.seqAt(from), to_seq: this.seqAt(to - 1), from_line: this.lineOf(from), to_line: this.lineOf(to - 1), why };
  }

  /**
   * Integrity: the prefix that a checkpoint with a good signature (by any key: who signed is the
   * signer's question) and matching roots covers is consistent; every event beyond it is in an
   * unproven stretch, cut at each checkpoint that fails, and an edited event inside it is a stretch
   * of its own.
   */
  private integrityAnswer(findings: readonly Finding[], malformed: boolean): IntegrityAnswer {
    if (malformed) return { status: 'unknown', unproven: [], sentence: findings[0]?.message ?? 'The file cannot be read as an audit export.' };
    const holding = this.checkpoints.filter((c) => c.holds === true);
    const consistent = Math.min(this.count, Math.max(0, ...holding.map((c) => c.treeSize)));
    const lastGood = holding.find((c) => c.treeSize === consistent);
    const since = lastGood ? `the last checkpoint that holds (line ${lastGood.line}) covers up to seq ${lastGood.seqHi}` : 'no checkpoint before them holds';
    const unproven: Stretch[] = [];
    for (const i of this.editedEvents) {
      if (i < consistent) {
        unproven.push(this.stretch(i, i + 1, `its content does not hash to the hash the log records: it was edited after it was recorded (the chain around it still holds)`));
      }
    }
    const failing = this.checkpoints.filter((c) => c.holds !== true && c.treeSize > consistent && c.treeSize <= this.count).sort((a, b) => a.treeSize - b.treeSize || a.line - b.line);
    let from = consistent;
    for (const c of failing) {
      if (c.treeSize <= from) continue;
      const what = c.status === 'bad-signature' ? 'carries no valid signature' : 'does not match them';
      unproven.push(this.stretch(from, c.treeSize, `the checkpoint on line ${c.line} ${what}; ${since}`));
      from = c.treeSize;
    }
    if (from < this.count) {
      const why = this.checkpoints.some((c) => c.treeSize > from)
        ? `no checkpoint that holds covers them (a checkpoint claims more events than precede it); ${since}`
        : `no checkpoint covers them: the export ends without one after them; ${since}`;
      unproven.push(this.stretch(from, this.count, why));
    }
    unproven.sort((a, b) => a.from_line - b.from_line);
    const altered = findings.some((f) => f.severity === 'integrity');
    if (!altered) {
      return {
        status: 'intact',
        unproven: [],
        sentence: `All ${this.count} events hash to their recorded hashes, link to the one before, are numbered in order, and every checkpoint's Merkle root matches them.`,
      };
    }
    const first = findings.find((f) => f.severity === 'integrity')!;
    const lead = unproven.length ? `${describeRange(unproven[0])} cannot be proven: ${unproven[0].why}` : first.message;
    const more = unproven.length > 1 ? ` (${unproven.length} unproven stretches in all)` : '';
    return { status: 'altered', unproven, sentence: `The record was altered: ${lead}${more}.` };
  }

  /** Signer: the trust store's view of the checkpoints' signatures, apart from whether their roots hold. */
  private signerAnswer(): SignerAnswer {
    const unvouched: Stretch[] = this.count > this.anchored ? [this.stretch(this.anchored, this.count, 'no checkpoint signed by a key in your trust store covers them')] : [];
    const named = (keyId: string) => this.named.get(keyId) ?? null;
    if (!this.options.trust) {
      const keyId = this.checkpoints.find((c) => c.status !== 'bad-signature')?.keyId ?? null;
      return {
        status: 'none',
        key_id: keyId,
        public_key: keyId ? named(keyId) : null,
        unvouched,
        sentence: 'No trust store was given, so no signature can vouch for this record: anyone could have recomputed its hashes and signed it with a key of their own.',
        advice: 'Verify again with your trust store (the public keys you hold for this exporter).',
      };
    }
    const revoked = this.checkpoints.find((c) => c.status === 'revoked-key');
    const untrusted = this.checkpoints.find((c) => c.status === 'untrusted-key');
    const other = revoked ?? untrusted;
    if (other) {
      const key = other.keyId;
      const pub = revoked ? (this.trusted.get(key)?.public_key ?? null) : named(key);
      const status = revoked ? 'revoked' : 'untrusted';
      const sentence = revoked
        ? `Signed by key "${key}", which your trust store says was revoked at ${this.trusted.get(key)?.revoked_at}; its signatures cannot be shown to predate the revocation.`
        : `Signed by key "${key}", which is not a key in your trust store${this.trusted.has(key) ? ': your trust store holds another public key under that name (the key was substituted)' : ''}.`;
      return { status, key_id: key, public_key: pub, unvouched, sentence, advice: UNTRUSTED_ADVICE };
    }
    const valid = this.checkpoints.filter((c) => c.status === 'valid');
    if (valid.length > 0) {
      const keys = [...new Set(valid.map((c) => c.keyId))];
      const key = keys[keys.length - 1];
      return {
        status: 'trusted',
        key_id: key,
        public_key: this.trusted.get(key)?.public_key ?? null,
        unvouched,
        sentence: `Signed by ${keys.map((k) => `"${k}"`).join(', ')}, in your trust store${unvouched.length ? `, up to seq ${this.seqAt(this.anchored - 1)}` : ''}.`,
        advice: null,
      };
    }
    return {
      status: 'none',
      key_id: null,
      public_key: null,
      unvouched,
      sentence: this.checkpoints.some((c) => c.status === 'backdated')
        ? 'The checkpoints are dated before the events they cover, so they vouch for nothing.'
        : this.checkpoints.length
          ? 'No checkpoint carries a signature that holds, so nothing vouches for this record.'
          : 'The export has no checkpoints, so nothing vouches for this record.',
      advice: null,
    };
  }
}
