/**
 * Streams a file (plain or gzip) as batches of complete lines, as bytes, with
 * their 1-based line numbers. Memory stays flat: one read buffer plus the
 * batches in flight, whatever the file size. The file is opened read-only.
 */
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { pipeline, Transform, type Readable } from 'node:stream';
import { InputError } from '../errors/errors';
import { openRegularFile } from './files';

/**
 * Limits on what a hostile file can make the reader hold or do. A line longer
 * than this is not an audit record anyone wrote by hand or by a sane exporter;
 * holding it would cost several times its size once decoded, parsed and kept.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/**
 * Gzip may inflate this much before the ratio check below applies. Small on
 * purpose: every inflated line costs a parse and perhaps a finding, so a bomb
 * of empty lines must be stopped after a megabyte, not a gigabyte.
 */
export const GZIP_RATIO_GRACE_BYTES = 1024 * 1024;
/**
 * Inflated bytes per compressed byte consumed, over the whole file so far.
 * Exports compress 5-30x (every line carries random hashes); deflate's
 * ceiling is about 1032x. Past this ratio the file is a decompression bomb.
 */
export const MAX_GZIP_RATIO = 200;
/** Whatever the ratio, never inflate more than this from one file. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024 * 1024;
/**
 * Lines in one batch, whatever their bytes: a 4 MiB batch of blank lines is
 * four million lines, each a result to build and post back from a worker.
 * Honest exports (hundreds of bytes a line) fill their batches by bytes long
 * before this.
 */
export const MAX_BATCH_LINES = 65536;

/** A line longer than MAX_LINE_BYTES: reading stops there, naming the file and line. */
export class LineTooLongError extends InputError {
  constructor(file: string, line: number, limit = MAX_LINE_BYTES) {
    super(`this line is longer than ${formatBytes(limit)}, the longest line Audit Replay reads: the file is not a usable export (corrupted, or made to exhaust memory); reading stopped`, file, line);
  }
}

/** A gzip file that inflates past MAX_GZIP_RATIO or MAX_DECOMPRESSED_BYTES. */
export class DecompressionBombError extends InputError {
  constructor(file: string, inflated: number, compressed: number, line?: number) {
    super(
      `the gzip data inflates to more than ${formatBytes(inflated)} from ${formatBytes(compressed)} (over ${MAX_GZIP_RATIO}:1 or ${formatBytes(MAX_DECOMPRESSED_BYTES)}): a decompression bomb, not an export; reading stopped`,
      file,
      line,
    );
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${Math.floor(n / 1024 ** 3)} GiB`;
  if (n >= 1024 ** 2) return `${Math.floor(n / 1024 ** 2)} MiB`;
  if (n >= 1024) return `${Math.floor(n / 1024)} KiB`;
  return `${n} bytes`;
}

/**
 * Gunzips `raw` on the fly, stopping with a DecompressionBombError as soon as
 * the output outgrows the input by more than MAX_GZIP_RATIO (after a grace
 * allowance) or MAX_DECOMPRESSED_BYTES. Nothing inflated is kept: memory
 * stays at one chunk whatever the bomb.
 */
export function boundedGunzip(raw: Readable, file: string, lineNow: () => number | undefined = () => undefined): Readable {
  const gunzip = createGunzip();
  let inflated = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      inflated += chunk.length;
      // Compressed bytes the inflater has consumed, not read ahead from disk: the true ratio so far.
      const compressed = gunzip.bytesWritten;
      if (inflated > MAX_DECOMPRESSED_BYTES || (inflated > GZIP_RATIO_GRACE_BYTES && inflated > compressed * MAX_GZIP_RATIO)) {
        raw.destroy();
        gunzip.destroy();
        done(new DecompressionBombError(file, inflated, compressed, lineNow()));
        return;
      }
      done(null, chunk);
    },
  });
  raw.on('error', (err) => guard.destroy(err));
  gunzip.on('error', (err) => guard.destroy(gzipError(err, file, lineNow()) as Error));
  // The reader destroys what it reads from; the file and inflater go with it.
  guard.on('close', () => {
    gunzip.destroy();
    raw.destroy();
  });
  raw.pipe(gunzip).pipe(guard);
  return guard;
}

/** zlib's errors as a sentence naming the file; others unchanged. */
export function gzipError(err: unknown, file: string, line?: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    const cut = code === 'Z_BUF_ERROR' || /unexpected end/i.test((err as Error).message);
    return new InputError(cut ? 'the gzip data is cut off before its end: the file was truncated' : `the gzip data is damaged (${(err as Error).message})`, file, line);
  }
  return err;
}

export interface LineBatch {
  /** Line number of the first line in the batch. */
  firstLine: number;
  /** The lines' bytes, each ended by \n except perhaps the file's last. */
  bytes: Uint8Array;
  /** Offsets of each line start within bytes, plus a final end offset. */
  offsets: Uint32Array;
}

export interface LineStreamResult {
  lines: number;
  lastLineTerminated: boolean;
  bytesRead: number;
}

/** Whether bytes (a file's start) begin with the gzip magic: the one sniff, for streams and whole files alike. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function startsWithGzipMagic(fh: FileHandle): Promise<boolean> {
  const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
  return isGzip(buffer.subarray(0, bytesRead));
}

/** Whether the export at `path` is gzip by its first bytes (not its name). */
export async function fileIsGzip(path: string): Promise<boolean> {
  const fh = await openRegularFile(path, 'export');
  try {
    return await startsWithGzipMagic(fh);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a file for reading only, gunzipping when it starts with the gzip
 * magic. onRaw sees the bytes as stored (for the file's SHA-256), in order.
 * Anything but a regular file (a FIFO, a folder) is refused with an
 * InputError, without blocking; the magic and the stream are read from the
 * one descriptor that was checked.
 */
export async function openText(path: string, onRaw?: (chunk: Buffer) => void, lineNow?: () => number | undefined, range?: ByteRange): Promise<Readable> {
  const fh = await openRegularFile(path, 'export');
  let gzip: boolean;
  try {
    gzip = await startsWithGzipMagic(fh);
  } catch (err) {
    await fh.close();
    throw err;
  }
  if (gzip && range) {
    await fh.close();
    throw new InputError('a gzip export cannot be read from the middle; decompress it first', path);
  }
  const raw = fh.createReadStream({ start: range?.start ?? 0, end: range ? range.end - 1 : undefined, highWaterMark: 1 << 20 });
  if (!gzip) {
    if (!onRaw) return raw;
    const seen = new Transform({
      transform(chunk: Buffer, _enc, done) {
        onRaw(chunk);
        done(null, chunk);
      },
    });
    // Unlike pipe(), a read error reaches the reader, and the reader stopping early closes the file.
    pipeline(raw, seen, () => {});
    return seen;
  }
  // Attached in the same tick as pipe(), so no chunk flows past unseen.
  if (onRaw) raw.on('data', (chunk) => onRaw(chunk as Buffer));
  return boundedGunzip(raw, path, lineNow);
}

/** Bytes [start, end) of a plain file, cut at line ends, whose first line is line `firstLine` of the file. */
export interface ByteRange {
  start: number;
  end: number;
  firstLine: number;
}

export interface LineBatchOptions {
  /** Read only this part of the file (plain files only); line numbers count from range.firstLine. */
  range?: ByteRange;
  /** About how many bytes of whole lines make a batch (1 MiB by default). */
  batchBytes?: number;
  /** At most this many lines make a batch (MAX_BATCH_LINES by default). */
  batchLines?: number;
  /** Sees the bytes as stored (compressed for gzip), in order: for the file's SHA-256 and progress. */
  onRawChunk?: (chunk: Buffer) => void;
  signal?: AbortSignal;
  maxLineBytes?: number;
}

/**
 * The one streaming line reader, for every format: batches of about
 * batchBytes of whole lines (a single line longer than that makes a batch of
 * its own) and at most batchLines lines, pulled one at a time so memory stays at a batch or two. A line
 * longer than maxLineBytes stops the reading with a LineTooLongError naming
 * the line; a gzip bomb with a DecompressionBombError; damaged gzip with an
 * InputError. Returns (as the generator's value) the line count and whether
 * the last line ended with a newline. Stopping early closes the file.
 */
export async function* lineBatches(path: string, options: LineBatchOptions = {}): AsyncGenerator<LineBatch, LineStreamResult, void> {
  const batchBytes = options.batchBytes ?? 1 << 20;
  const batchLines = Math.max(1, options.batchLines ?? MAX_BATCH_LINES);
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  let bytesRead = 0;
  const firstLine = options.range?.firstLine ?? 1;
  let nextLine = firstLine;
  let pendingLines = 0;
  const stream = await openText(
    path,
    (chunk) => {
      bytesRead += chunk.length;
      options.onRawChunk?.(chunk);
    },
    () => nextLine + pendingLines,
    options.range,
  );
  // The unfinished line so far, as the chunks it came in: concatenating on
  // every chunk would copy a long line over and over (quadratic).
  let carry: Buffer[] = [];
  let carryLen = 0;
  let lastChar = -1;
  let pending: Buffer[] = [];
  let pendingLen = 0;

  // Where each line of the pending batch starts (after the first, at 0), found once while checking lengths.
  let starts: number[] = [];

  const take = (): LineBatch | null => {
    if (pendingLen === 0) return null;
    const bytes = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
    // A final line without "\n" ends the batch; otherwise the last start recorded is the end.
    if (starts.length && starts[starts.length - 1] === bytes.length) starts.pop();
    const offsets = new Uint32Array(starts.length + 2);
    offsets.set(starts, 1);
    offsets[starts.length + 1] = bytes.length;
    pending = [];
    pendingLen = 0;
    pendingLines = 0;
    starts = [];
    const batch: LineBatch = { firstLine: nextLine, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), offsets };
    nextLine += offsets.length - 1;
    return batch;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new DOMException('The operation was cancelled.', 'AbortError');
      if (chunk.length === 0) continue;
      lastChar = chunk[chunk.length - 1];
      const lastNl = chunk.lastIndexOf(0x0a);
      if (lastNl === -1) {
        carry.push(chunk);
        carryLen += chunk.length;
        if (carryLen > maxLineBytes) throw new LineTooLongError(path, nextLine + pendingLines, maxLineBytes);
        continue;
      }
      // The chunk's whole lines, cut where a batch reaches batchLines lines.
      let head = chunk.subarray(0, lastNl + 1);
      while (head.length > 0) {
        const piece = checkLineLengths(head, carryLen, maxLineBytes, path, nextLine + pendingLines, starts, pendingLen + carryLen, batchLines - pendingLines);
        const ended = head.subarray(0, piece.end);
        // A view into the chunk (the stream reads each into a new buffer); take() copies once into the batch.
        const whole = carryLen ? Buffer.concat([...carry, ended], carryLen + ended.length) : ended;
        carry = [];
        carryLen = 0;
        pending.push(whole);
        pendingLen += whole.length;
        pendingLines += piece.lines;
        head = head.subarray(piece.end);
        if (pendingLen >= batchBytes || pendingLines >= batchLines) yield take()!;
      }
      const tail = chunk.subarray(lastNl + 1);
      carry = tail.length ? [Buffer.from(tail)] : [];
      carryLen = tail.length;
      if (carryLen > maxLineBytes) throw new LineTooLongError(path, nextLine + pendingLines, maxLineBytes);
    }
    if (carryLen) {
      const last = carry.length === 1 ? carry[0] : Buffer.concat(carry, carryLen);
      pending.push(last);
      pendingLen += last.length;
    }
    const final = take();
    if (final) yield final;
  } catch (err) {
    throw gzipError(err, path, nextLine + pendingLines);
  } finally {
    stream.destroy();
  }
  return { lines: nextLine - firstLine, lastLineTerminated: lastChar === -1 || lastChar === 0x0a, bytesRead };
}

/**
 * lineBatches with a callback: onBatch may return a promise to apply
 * back-pressure; if it throws, reading stops and the file is closed.
 */
export async function streamLineBatches(path: string, onBatch: (batch: LineBatch) => void | Promise<void>, options: LineBatchOptions = {}): Promise<LineStreamResult> {
  const batches = lineBatches(path, options);
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    try {
      await onBatch(next.value);
    } catch (err) {
      await batches.return(undefined as never);
      throw err;
    }
  }
}

/**
 * Reads the lines `head` ends (its first continuing `carryLen` earlier
 * bytes), at most `room` of them: throws for the first longer than `max`,
 * records where each next line starts (offset `base` is head's start), and
 * returns how many lines it read and the offset just after the last.
 */
function checkLineLengths(head: Buffer, carryLen: number, max: number, file: string, firstLine: number, starts: number[], base: number, room: number): { lines: number; end: number } {
  let start = -carryLen;
  let line = firstLine;
  for (let i = head.indexOf(0x0a); i !== -1 && line - firstLine < room; i = head.indexOf(0x0a, i + 1)) {
    // The length counts the line's bytes without its \n.
    if (i - start > max) throw new LineTooLongError(file, line, max);
    start = i + 1;
    starts.push(base + start);
    line++;
  }
  return { lines: line - firstLine, end: Math.max(start, 0) };
}
