/**
 * Reading a log file as the readers need it: line by line with flat memory
 * (gzip undone on the fly), or whole for the single-document formats.
 * Lines split on "\n" only, so U+2028 inside a string stays inside its line.
 */
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createHash, createHmac } from 'node:crypto';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Sha256Hex } from '../../../shared/formats/agt/hashing';
import { InputError } from '../cli/errors';
import { boundedGunzip, formatBytes, gzipError, LineTooLongError, MAX_LINE_BYTES } from '../ingest/line-batches';

/**
 * The largest single-document file (JSON array or object) read whole. Parsing
 * keeps every value with its lexeme and offset, several times the text's
 * size; AGT exports and receipt files are far smaller.
 */
export const MAX_DOCUMENT_BYTES = 128 * 1024 * 1024;

export class DocumentTooLargeError extends InputError {
  constructor(file: string, what: string) {
    super(`${what} is larger than ${formatBytes(MAX_DOCUMENT_BYTES)}, the largest single JSON document Audit Replay reads whole; it was not read`, file);
  }
}

export const nodeSha256Hex: Sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

export function hmacSha256Hex(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export interface FileLine {
  text: string;
  /** 1-based line number. */
  line: number;
  /** False only for a last line that does not end with "\n". */
  terminated: boolean;
}

async function startsWithGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return isGzip(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * The lines of a (possibly gzipped) text file, streamed. A line longer than
 * MAX_LINE_BYTES stops with a LineTooLongError, a gzip bomb with a
 * DecompressionBombError, damaged gzip with an InputError naming the file.
 */
export async function* readLines(path: string, opts: { signal?: AbortSignal; onBytes?: (bytesRead: number) => void; maxLineBytes?: number } = {}): AsyncGenerator<FileLine> {
  const maxLineBytes = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const gz = await startsWithGzip(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  let line = 0;
  const stream: Readable = gz ? boundedGunzip(raw, path, () => line + 1) : raw;
  // The unfinished line so far, as the chunks it came in (no quadratic re-copying of a long line).
  let parts: Buffer[] = [];
  let partsLen = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) throw new Error('verification cancelled');
      if (chunk.indexOf(10) === -1) {
        parts.push(chunk);
        partsLen += chunk.length;
        if (partsLen > maxLineBytes) throw new LineTooLongError(path, line + 1, maxLineBytes);
        opts.onBytes?.(raw.bytesRead);
        continue;
      }
      let buf: Buffer = partsLen ? Buffer.concat([...parts, chunk], partsLen + chunk.length) : chunk;
      parts = [];
      partsLen = 0;
      let start = 0;
      if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      first = false;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (nl - start > maxLineBytes) throw new LineTooLongError(path, line + 1, maxLineBytes);
        const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        yield { text: buf.toString('utf8', start, end), line: ++line, terminated: true };
        start = nl + 1;
      }
      if (start < buf.length) {
        parts = [buf.subarray(start)];
        partsLen = buf.length - start;
        if (partsLen > maxLineBytes) throw new LineTooLongError(path, line + 1, maxLineBytes);
      }
      buf = Buffer.alloc(0);
      opts.onBytes?.(raw.bytesRead);
    }
    if (partsLen > 0) {
      let text = Buffer.concat(parts, partsLen).toString('utf8');
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      yield { text, line: ++line, terminated: false };
    }
  } catch (err) {
    throw gzipError(err, path, line + 1);
  } finally {
    stream.destroy();
    raw.destroy();
  }
}

/**
 * The whole file as text, gunzipped when it starts with the gzip magic. A file
 * (or its inflated content) over MAX_DOCUMENT_BYTES is refused before it is
 * held: a DocumentTooLargeError naming the file.
 */
export async function readText(path: string): Promise<string> {
  if ((await stat(path)).size > MAX_DOCUMENT_BYTES) throw new DocumentTooLargeError(path, 'the file');
  let buf = await readFile(path);
  if (isGzip(buf)) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: MAX_DOCUMENT_BYTES });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new DocumentTooLargeError(path, 'the inflated gzip content');
      throw gzipError(err, path);
    }
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** Up to `limit` bytes of the start of the file, gunzipped when needed, as text. */
export async function readHead(path: string, limit = 64 * 1024): Promise<string> {
  const fh = await open(path, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(limit);
    const { bytesRead } = await fh.read(buf, 0, limit, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (isGzip(head)) {
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: limit * 2048 });
    } catch (err) {
      // The start of the file cannot be inflated: say so, rather than "unknown format".
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new InputError('the gzip data inflates past any bound: a decompression bomb, not an export; reading stopped', path);
      throw gzipError(err, path);
    }
    if (head.length > limit) head = head.subarray(0, limit);
  }
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** The first line of the head that holds something other than whitespace. */
export function firstLine(head: string): string {
  for (const l of head.split('\n')) if (l.trim() !== '') return l.trim();
  return '';
}
