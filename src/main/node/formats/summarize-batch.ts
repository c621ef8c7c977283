/**
 * The parallel half of verification: decode a batch of lines and recompute
 * every hash. Runs in worker threads (summarize-worker) or inline.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { summarizeLine, type LineSummary } from '../../../shared/export/parse-line';
import { parseUtcTimestamp } from '../../../shared/export/timestamp';
import type { LineBatch } from '../read/line-batches';
import type { EventRun } from '../../../shared/verify/chain-verifier';
import { nativeScan, type NativeScan } from './native-scan';
import { nodeSha256Hex } from '../read/hashes';

/** What a batch becomes for the chain verifier: line summaries, and runs of clean events where the native scan took them. */
export type BatchItem = LineSummary | EventRun;

const LEAF_PREFIX = Buffer.from([0]);
const leafOf = (hashHex: string): string => nodeSha256Hex(Buffer.concat([LEAF_PREFIX, Buffer.from(hashHex, 'hex')]));
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Appends a line's summary, folding it into the one before when both are
 * unreadable for the same reason on consecutive lines: a batch of a million
 * blank or `{}` lines becomes one summary with a count, not a million objects
 * to post from the worker, and the verifier lists the same findings. Line 1
 * (the header's place) never starts such a run.
 */
function push(out: BatchItem[], s: LineSummary): void {
  const last = out.length ? out[out.length - 1] : undefined;
  if (s.t === 'malformed' && last?.t === 'malformed' && last.line !== 1 && last.reason === s.reason && last.line + (last.count ?? 1) === s.line) {
    last.count = (last.count ?? 1) + 1;
    return;
  }
  out.push(s);
}

export function summarizeBatch(batch: LineBatch, keepRaw: boolean, useNative = true): BatchItem[] {
  const { bytes, offsets, firstLine } = batch;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  // isAscii/isUtf8 are SIMD checks in Node; toString is much faster than a fatal TextDecoder.
  const ascii = isAscii(buf);
  const native = useNative && !keepRaw ? nativeScan() : null;
  if (native && (ascii || isUtf8(buf))) return withNative(native, batch, buf);
  const text: string | null = ascii ? buf.toString('latin1') : isUtf8(buf) ? buf.toString('utf8') : null;
  const out: BatchItem[] = [];
  if (ascii && text !== null) {
    // Byte offsets equal string offsets only for pure ASCII batches.
    for (let i = 0; i + 1 < offsets.length; i++) push(out, one(text.slice(offsets[i], offsets[i + 1]), firstLine + i, keepRaw));
    return out;
  }
  if (text !== null) {
    const lines = text.split('\n');
    const n = offsets.length - 1;
    for (let i = 0; i < n; i++) push(out, one(lines[i], firstLine + i, keepRaw, true));
    return out;
  }
  for (let i = 0; i + 1 < offsets.length; i++) {
    const slice = bytes.subarray(offsets[i], offsets[i + 1]);
    let lineText: string;
    try {
      lineText = decoder.decode(slice);
    } catch {
      push(out, { t: 'malformed', line: firstLine + i, reason: 'the line is not valid UTF-8' });
      continue;
    }
    push(out, one(lineText, firstLine + i, keepRaw));
  }
  return out;
}

/** One line's summary on the JavaScript path (the reference). */
export function one(text: string, line: number, keepRaw: boolean, stripped = false): LineSummary {
  const body = stripped ? text : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body.length > 0 && body.charCodeAt(body.length - 1) === 0x0d) {
    return { t: 'malformed', line, reason: 'the line ends with a carriage return (CRLF); JSON Lines uses \\n alone' };
  }
  if (line === 1 && body.charCodeAt(0) === 0xfeff) {
    return { t: 'malformed', line, reason: 'the file starts with a byte order mark, which UTF-8 JSON Lines does not allow' };
  }
  return summarizeLine(body, line, nodeSha256Hex, keepRaw, leafOf);
}

/**
 * The native scan takes the clean event lines (native/event-scan.cc) and they
 * become runs; every other line (header, checkpoints, anything unusual or
 * wrong) gets its summary from the JavaScript path, which explains it. The
 * batch is valid UTF-8 here.
 */
function withNative(native: NativeScan, batch: LineBatch, buf: Buffer): BatchItem[] {
  const { bytes, offsets, firstLine } = batch;
  const n = offsets.length - 1;
  const status = new Uint8Array(n);
  const seq = new Float64Array(n);
  const hashes = new Uint8Array(32 * n);
  const prevs = new Uint8Array(32 * n);
  const leaves = new Uint8Array(32 * n);
  const ts = new Uint32Array(2 * n);
  native.scanEvents(bytes, offsets, status, seq, hashes, prevs, leaves, ts);
  const out: BatchItem[] = [];
  const tsOf = (i: number) => buf.toString('utf8', ts[2 * i], ts[2 * i] + ts[2 * i + 1]);
  let run: { start: number; end: number } | null = null;
  const close = () => {
    if (!run) return;
    const { start, end } = run;
    out.push({
      t: 'run',
      line: firstLine + start,
      count: end - start,
      first: { seq: seq[start], ts: tsOf(start), prevHash: Buffer.from(prevs.buffer, prevs.byteOffset + 32 * start, 32).toString('hex') },
      last: { seq: seq[end - 1], ts: tsOf(end - 1), hash: Buffer.from(hashes.buffer, hashes.byteOffset + 32 * (end - 1), 32).toString('hex') },
      times: timesOf(bytes, ts, start, end),
      hashes: hashes.subarray(32 * start, 32 * end),
      leaves: leaves.subarray(32 * start, 32 * end),
    });
    run = null;
  };
  for (let i = 0; i < n; i++) {
    // Line 1 is the header's place: whatever stands there, the JavaScript path says what it is.
    const taken = status[i] !== 0 && firstLine + i !== 1;
    if (taken && run && status[i] === 1 && run.end === i) {
      run.end = i + 1;
      continue;
    }
    close();
    if (taken) {
      run = { start: i, end: i + 1 };
      continue;
    }
    const line = buf.toString('utf8', offsets[i], offsets[i + 1]);
    push(out, one(line.endsWith('\n') ? line.slice(0, -1) : line, firstLine + i, false, true));
  }
  close();
  return out;
}

/**
 * The times of events [start, end) in milliseconds. The scan took only the spec's
 * YYYY-MM-DDTHH:MM:SS.sssZ naming a real instant, so the digits are read in place; years
 * before 100 go through parseUtcTimestamp (Date.UTC reads them as 19xx).
 */
function timesOf(bytes: Uint8Array, ts: Uint32Array, start: number, end: number): Float64Array {
  const out = new Float64Array(end - start);
  for (let i = start; i < end; i++) {
    const at = ts[2 * i];
    const num = (from: number, len: number) => {
      let v = 0;
      for (let k = 0; k < len; k++) v = v * 10 + bytes[at + from + k] - 48;
      return v;
    };
    const year = num(0, 4);
    out[i - start] =
      year >= 100
        ? Date.UTC(year, num(5, 2) - 1, num(8, 2), num(11, 2), num(14, 2), num(17, 2), num(20, 3))
        : (parseUtcTimestamp(Buffer.from(bytes.buffer, bytes.byteOffset + at, 24).toString('latin1')) ?? NaN);
  }
  return out;
}
