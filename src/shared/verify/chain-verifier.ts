/**
 * The ordered half of verification: given line summaries in file order
 * (hashes already recomputed, possibly in parallel), check links, sequence
 * numbers, timestamps, checkpoints (Merkle roots and Ed25519 signatures
 * against the reviewer's trust store) and the final checkpoint, and decide
 * the verdict. Memory grows by 32 bytes per event (the leaf hashes), which a
 * checkpoint that lags behind its events needs.
 */
import { fromHex, toHex, utf8 } from '../hex';
import { verifyEd25519 as verifyPure } from '../crypto';
import { EXPORT_FORMAT } from '../export/types';
import type { ExportHeader, TrustStore, TrustedKey } from '../export/types';
import type { CheckpointSummary, EventSummary, LineSummary } from '../export/parse-line';
import { finding, FindingCollector, verdictOf, type Finding, type FoldedCounts, type Verdict } from './findings';
import { IncrementalMerkleTree, leafHash, subtreeRoot, type MerkleAppend, type Sha256 } from './merkle';

export interface ChainVerifyOptions {
  sha256: Sha256;
  /** The reviewer's trust store; null means none was given, so nothing can be anchored. */
  trust: TrustStore | null;
  /** Ed25519 check; Node injects node:crypto's, which is far faster than the pure-JS default. */
  verifySignature?: (sigHex: string, message: Uint8Array, publicKeyHex: string) => boolean;
  /** Verify this export as the continuation of an earlier one of the same chain. */
  continues?: { headHash: string; lastSeq: number; exportId?: string };
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
  /** Recorded hashes, 32 bytes per event. */
  hashes: Uint8Array;
  /** Their RFC 6962 leaf hashes, 32 bytes per event. */
  leaves: Uint8Array;
}

export type CheckpointStatus = 'valid' | 'mismatch' | 'bad-signature' | 'untrusted-key' | 'revoked-key' | 'self-signed';

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
}

export interface ChainResult {
  verdict: Verdict;
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

  constructor(private readonly options: ChainVerifyOptions) {
    this.tree = new IncrementalMerkleTree(options.sha256);
    for (const key of options.trust?.keys ?? []) this.trusted.set(key.key_id, key);
  }

  get eventCount(): number {
    return this.count;
  }

  /** The recorded hash of the event at 0-based position i (for proofs). */
  leaf(i: number): Uint8Array {
    return this.leaves.subarray(i * 32, i * 32 + 32);
  }

  /** The 1-based file line of the event at 0-based position i. */
  lineOf(i: number): number {
    return this.lineNumbers[i];
  }

  add(s: LineSummary): void {
    const first = !this.seenFirstLine;
    this.seenFirstLine = true;
    this.lastLine = s;
    if (first) {
      if (s.t !== 'header') {
        this.headerProblem =
          s.t === 'malformed' ? `line 1 is not a readable header: ${s.reason}` : `line 1 is a ${s.t}, not the header`;
        if (s.t === 'malformed') return;
      } else {
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
        this.findings.pushRun('malformed-line', s.count ?? 1, (i) => s.line + i, (i) => finding('malformed-line', null, s.line + i, `Line ${s.line + i} cannot be read: ${s.reason}.`));
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
    const first: EventSummary = { t: 'event', line: run.line, seq: run.first.seq, ts: run.first.ts, kind: '', actorType: '', actorId: '', prevHash: run.first.prevHash, hash: toHex(run.hashes.subarray(0, 32)), computed: '' };
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
    this.count += run.count;
    this.tree.appendLeafHashes(run.leaves, this.options.merkleAppend);
    const end: EventSummary = { t: 'event', line: last, seq: run.last.seq, ts: run.last.ts, kind: '', actorType: '', actorId: '', prevHash: '', hash: run.last.hash, computed: run.last.hash };
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
    this.prevHash = header.genesis;
    const cont = this.options.continues;
    if (cont) {
      if (header.genesis !== cont.headHash) {
        this.push(
          finding('broken-link', null, line, `This export does not continue the earlier one: its genesis is ${short(header.genesis)}, but the earlier export ends at ${short(cont.headHash)}.`),
        );
      }
      if (header.first_seq !== cont.lastSeq + 1) {
        this.push(
          finding('seq-gap', null, line, `This export starts at seq ${header.first_seq}, but the earlier export ends at seq ${cont.lastSeq}; it should start at ${cont.lastSeq + 1}.`),
        );
      }
    }
  }

  private acceptEvent(e: EventSummary, append = true): void {
    if (e.computed !== e.hash) {
      this.push(
        finding('hash-mismatch', e.seq, e.line, `Event ${e.seq} (line ${e.line}) was changed after it was recorded: its content hashes to ${short(e.computed)}, but the log records ${short(e.hash)}.`),
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
      this.push(finding('ts-regression', e.seq, e.line, `Event ${e.seq} (line ${e.line}) is timestamped ${e.ts}, earlier than the event before it (${this.prev.ts}). Clocks can drift; on its own this is not tampering.`));
    }
    if (this.firstSeq === null) this.firstSeq = e.seq;
    // A run appends its events' leaves itself, all at once.
    if (!append) return;
    this.appendLeaf(e.hash, e.line, e.leaf);
    this.prev = e;
    this.prevHash = e.hash;
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
    return subtreeRoot(this.options.sha256, (i) => leafHash(this.options.sha256, this.leaf(i)), 0, size);
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
      status: 'valid',
    };
    this.checkpoints.push(result);
    const seq = cp.seq_hi;

    // Signature first: an unsigned claim about the tree means nothing.
    const trusted = this.trusted.get(cp.key_id);
    const named = this.header?.keys?.find((k) => k.key_id === cp.key_id);
    const message = utf8(s.signed);
    const verifyEd25519 = this.options.verifySignature ?? verifyPure;
    if (this.options.trust) {
      if (!trusted) {
        result.status = 'untrusted-key';
        this.push(finding('untrusted-key', seq, s.line, `${where} is signed with key "${cp.key_id}", which is not in your trust store: anyone could have made it.`));
      } else if (!verifyEd25519(cp.sig, message, trusted.public_key)) {
        result.status = 'bad-signature';
        this.push(finding('bad-signature', seq, s.line, `${where} does not carry a valid signature by trusted key "${cp.key_id}": the checkpoint was altered or forged.`));
      } else if (trusted.revoked_at && Date.parse(cp.ts) > Date.parse(trusted.revoked_at)) {
        result.status = 'revoked-key';
        this.push(finding('revoked-key', seq, s.line, `${where} was signed at ${cp.ts} with key "${cp.key_id}", which your trust store says was revoked at ${trusted.revoked_at}.`));
      }
    } else if (named && !verifyEd25519(cp.sig, message, named.public_key)) {
      result.status = 'bad-signature';
      this.push(finding('bad-signature', seq, s.line, `${where} does not carry a valid signature by key "${cp.key_id}" that the export names: the checkpoint was altered or forged.`));
    } else {
      result.status = 'self-signed';
    }

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
    if (problems.length > 0) {
      if (result.status === 'valid' || result.status === 'self-signed') result.status = 'mismatch';
      this.push(finding('checkpoint-mismatch', seq, s.line, `${where} does not match the events: ${problems.join('; ')}. The chain was rewritten or events removed after it was signed.`));
      return;
    }
    if (result.status === 'valid') this.anchored = Math.max(this.anchored, cp.tree_size);
  }

  finish(end: { lastLineTerminated: boolean; lines: number }): ChainResult {
    const malformed = this.header === null;
    if (malformed) {
      this.push(
        finding('malformed-line', null, 1, `This is not an ${EXPORT_FORMAT} export: ${this.headerProblem ?? (this.seenFirstLine ? 'no header' : 'the file is empty')}.`),
      );
    } else {
      const cutMidWrite = !end.lastLineTerminated && end.lines > 0;
      const last = this.lastLine;
      const lastCp = last?.t === 'checkpoint' ? last.checkpoint : null;
      if (!lastCp || !lastCp.final) {
        this.push(
          finding('truncated', null, end.lines, cutMidWrite
            ? `The last line (${end.lines}) has no line end and the export does not end with a final checkpoint: the file was cut off in the middle of a write.`
            : `The export does not end with a final checkpoint: it was cut short, or its end was removed.`),
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
          finding('unanchored-tail', leafIndex + firstSeq, this.lineNumbers[leafIndex], `${this.count - this.anchored} of ${this.count} events, from seq ${leafIndex + firstSeq} on, are not anchored: ${why}.`),
        );
      }
    }
    // The findings not listed are folded into one per kind; every kind keeps findings listed, so the verdict is that of all.
    const { findings, folded } = this.findings.result();
    const verdict = verdictOf(findings, { malformed, anchored: this.count === this.anchored && this.checkpoints.some((c) => c.final && c.status === 'valid') });
    return {
      verdict,
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
      complete: this.lastLine?.t === 'checkpoint' && this.lastLine.checkpoint.final,
      lines: end.lines,
    };
  }
}

