/**
 * The map half of distributed verification, free of any queue: cut an
 * export into byte ranges at line ends (planSegments), count a range's
 * events cheaply (countSegment) so every range knows the event index it
 * starts at, and verify a range (verifySegment) with the same line reader
 * and summarizer as `verify`, returning a small summary: the runs of clean
 * events with their Merkle compact ranges, and the checkpoints as they were
 * read. Everything else (a changed event, an unreadable line) makes the
 * range "dirty": the reduce reads that range itself with the ordinary
 * verifier, so its findings are the local command's by construction.
 */
import type { FileHandle } from 'node:fs/promises';
import type { CheckpointSummary } from '../../../shared/export/parse-line';
import { compactRange, type RangeNode } from '../../../shared/verify/merkle';
import { InputError } from '../errors/errors';
import { checkRegularFile, openRegularFile } from '../read/files';
import { fileIsGzip, lineBatches, type ByteRange } from '../read/line-batches';
import { nodeSha256 } from '../read/hashes';
import { runBatchTask } from '../formats/batch-task';
import type { BatchItem } from '../formats/summarize-batch';
import { nativeScan } from '../formats/native-scan';

/** What a job needs to find its bytes, and to tell that the file is still the one planned. */
export interface SegmentRef {
  path: string;
  /** Size and modification time of the file when the run was planned. */
  size: number;
  mtimeMs: number;
  start: number;
  end: number;
}

export interface Plan {
  path: string;
  size: number;
  mtimeMs: number;
  /** Bytes of line 1 (the header), read by the reduce itself. */
  headerEnd: number;
  segments: { start: number; end: number }[];
}

/** A hex compact-range node, as it travels in a job result. */
export interface WireNode {
  size: number;
  hash: string;
}

export type SegmentPiece =
  | {
      t: 'run';
      /** Line of the first event, counted from the segment's first line (0-based). */
      lineOffset: number;
      count: number;
      first: { seq: number; ts: string; prevHash: string; hash: string };
      last: { seq: number; ts: string; hash: string };
      range: WireNode[];
    }
  | { t: 'checkpoint'; lineOffset: number; summary: Omit<CheckpointSummary, 'line' | 'raw'> };

export interface SegmentSummary {
  /** Lines in the range, and whether its last one ended with a newline. */
  lines: number;
  lastLineTerminated: boolean;
  /** Events in the range (as read, whatever the count job guessed). */
  events: number;
  /** Event index the compact ranges were computed at. */
  startIndex: number;
  /** Something in the range is not a clean run or a checkpoint: the reduce reads it itself. */
  dirty: boolean;
  pieces: SegmentPiece[];
}

/** A canonical event line ends with this (keys are sorted, "type" last): cheap to count, checked by the reduce. */
const EVENT_END = Buffer.from('"type":"event"}\n');

const SCAN = 1 << 16;

/** The offset just past the first newline at or after `from` (or the file's end). */
async function nextLineStart(fh: FileHandle, from: number, size: number): Promise<number> {
  const buf = Buffer.alloc(SCAN);
  for (let at = from; at < size; at += SCAN) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(SCAN, size - at), at);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) return at + nl + 1;
  }
  return size;
}

/**
 * Byte ranges of about `segmentBytes`, each ending just after a newline
 * (the last at the file's end), after line 1. Reads a few kilobytes around
 * each cut, never the file. Null when the file cannot be cut (gzip).
 */
export async function planSegments(path: string, segmentBytes: number): Promise<Plan | null> {
  const st = await checkRegularFile(path, 'export');
  if (await fileIsGzip(path)) return null;
  const fh = await openRegularFile(path, 'export');
  try {
    const size = st.size;
    const headerEnd = await nextLineStart(fh, 0, size);
    const segments: { start: number; end: number }[] = [];
    let start = headerEnd;
    while (start < size) {
      const end = start + segmentBytes >= size ? size : await nextLineStart(fh, start + segmentBytes - 1, size);
      segments.push({ start, end });
      start = end;
    }
    return { path, size, mtimeMs: st.mtimeMs, headerEnd, segments };
  } finally {
    await fh.close();
  }
}

/** Refuses a file that is not the one the run was planned on. */
async function checkUnchanged(ref: SegmentRef): Promise<void> {
  const st = await checkRegularFile(ref.path, 'export');
  if (st.size !== ref.size || st.mtimeMs !== ref.mtimeMs) {
    throw new InputError(`the export changed after the run was planned (${ref.size} bytes then, ${st.size} now), so its segments no longer fit it`, ref.path);
  }
}

/**
 * How many lines the range holds (exact) and how many of them are events, by
 * their canonical ending (a guess: verifySegment's ranges are computed at the
 * index it gives, and the reduce reads a segment itself when it was wrong).
 */
export async function countSegment(ref: SegmentRef): Promise<{ events: number; lines: number }> {
  await checkUnchanged(ref);
  const fh = await openRegularFile(ref.path, 'export');
  let events = 0;
  let newlines = 0;
  let lastByte = 0x0a;
  try {
    const keep = EVENT_END.length - 1;
    const buf = Buffer.alloc((1 << 22) + keep);
    // The last bytes of the read before stay in front, so a marker across two reads is seen once.
    let held = 0;
    for (let at = ref.start; at < ref.end;) {
      const { bytesRead } = await fh.read(buf, held, Math.min(buf.length - held, ref.end - at), at);
      if (bytesRead === 0) break;
      const view = buf.subarray(0, held + bytesRead);
      for (let i = view.indexOf(EVENT_END); i >= 0; i = view.indexOf(EVENT_END, i + EVENT_END.length)) events++;
      for (let i = view.indexOf(0x0a, held); i >= 0; i = view.indexOf(0x0a, i + 1)) newlines++;
      lastByte = view[view.length - 1];
      at += bytesRead;
      held = Math.min(keep, view.length);
      view.copy(buf, 0, view.length - held);
    }
  } finally {
    await fh.close();
  }
  return { events, lines: newlines + (ref.end > ref.start && lastByte !== 0x0a ? 1 : 0) };
}

const task = { kind: 'summarize', keepRaw: false, useNative: true } as const;
const BASE_LINE = 2;

/**
 * Verifies bytes [start, end) of an export whose events before them number
 * `startIndex`: the same summaries `verify` makes, reduced to runs with
 * compact ranges and checkpoints. Line offsets count from the range's first
 * line; the reduce knows where that is.
 */
export async function verifySegment(ref: SegmentRef, startIndex: number): Promise<SegmentSummary> {
  await checkUnchanged(ref);
  const merkleAppend = nativeScan()?.merkleAppend;
  // Numbered from 2, the first line a segment can be in reality (line 1 is the header, never in a segment), then stored as offsets.
  const range: ByteRange = { start: ref.start, end: ref.end, firstLine: BASE_LINE };
  const pieces: SegmentPiece[] = [];
  let events = 0;
  let dirty = false;
  const batches = lineBatches(ref.path, { range, batchBytes: 4 << 20 });
  let next = await batches.next();
  for (; !next.done; next = await batches.next()) {
    if (dirty) continue;
    for (const s of runBatchTask(task, next.value) as BatchItem[]) {
      if (s.t === 'run') {
        const nodes: RangeNode[] = compactRange(nodeSha256, startIndex + events, s.leaves, merkleAppend);
        pieces.push({
          t: 'run',
          lineOffset: s.line - BASE_LINE,
          count: s.count,
          first: { ...s.first, hash: Buffer.from(s.hashes.subarray(0, 32)).toString('hex') },
          last: s.last,
          range: nodes.map((n) => ({ size: n.size, hash: Buffer.from(n.hash).toString('hex') })),
        });
        events += s.count;
      } else if (s.t === 'checkpoint') {
        const { line, raw: _raw, ...summary } = s;
        pieces.push({ t: 'checkpoint', lineOffset: line - BASE_LINE, summary });
      } else {
        dirty = true;
        break;
      }
    }
  }
  const end = next.value;
  if (dirty) return { lines: end.lines, lastLineTerminated: end.lastLineTerminated, events: -1, startIndex, dirty, pieces: [] };
  return { lines: end.lines, lastLineTerminated: end.lastLineTerminated, events, startIndex, dirty, pieces };
}
