/**
 * Reading a log file as the readers need it: line by line with flat memory
 * (gzip undone on the fly), or whole for the single-document formats.
 * Lines split on "\n" only, so U+2028 inside a string stays inside its line.
 */
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { InputError } from '../errors/errors';
import { openRegularFile } from '../read/files';
import { formatBytes, gzipError, isGzip, lineBatches, type LineBatch } from '../read/line-batches';

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

export interface FileLine {
  text: string;
  /** 1-based line number. */
  line: number;
  /** False only for a last line that does not end with "\n". */
  terminated: boolean;
}

/**
 * The lines of one batch as the readers of other formats see them: decoded
 * as UTF-8, a byte order mark at the start of the file and a CR before each
 * "\n" dropped.
 */
export function* linesOfBatch(batch: LineBatch): Generator<FileLine> {
  const { bytes, offsets, firstLine } = batch;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i + 1 < offsets.length; i++) {
    let start = offsets[i];
    let end = offsets[i + 1];
    const terminated = buf[end - 1] === 0x0a;
    if (terminated) end -= buf[end - 2] === 0x0d && end - 1 > start ? 2 : 1;
    if (firstLine + i === 1 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf && end - start >= 3) start += 3;
    yield { text: buf.toString('utf8', start, end), line: firstLine + i, terminated };
  }
}

/**
 * The lines of a (possibly gzipped) text file, streamed, for the readers of
 * other formats: the batches of lineBatches (the same bounds on line length
 * and gzip inflation, the same errors naming file and line) cut into lines by
 * linesOfBatch.
 */
export async function* readLines(path: string, opts: { signal?: AbortSignal; onBytes?: (bytesRead: number) => void; maxLineBytes?: number } = {}): AsyncGenerator<FileLine> {
  let read = 0;
  const batches = lineBatches(path, { signal: opts.signal, maxLineBytes: opts.maxLineBytes, onRawChunk: (chunk) => (read += chunk.length) });
  for await (const batch of batches) {
    yield* linesOfBatch(batch);
    opts.onBytes?.(read);
  }
}

/**
 * The whole file as text, gunzipped when it starts with the gzip magic. A file
 * (or its inflated content) over MAX_DOCUMENT_BYTES is refused before it is
 * held: a DocumentTooLargeError naming the file.
 */
export async function readText(path: string): Promise<string> {
  const fh = await openRegularFile(path, 'export');
  let buf: Buffer;
  try {
    if ((await fh.stat()).size > MAX_DOCUMENT_BYTES) throw new DocumentTooLargeError(path, 'the file');
    buf = await fh.readFile();
  } finally {
    await fh.close();
  }
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
  return (await readHeadWhole(path, limit)).text;
}

/** readHead, and whether the text is the whole (decompressed) file rather than its first `limit` bytes. */
export async function readHeadWhole(path: string, limit = 64 * 1024): Promise<{ text: string; whole: boolean }> {
  const fh = await openRegularFile(path, 'export');
  let head: Buffer;
  let whole: boolean;
  try {
    const buf = Buffer.alloc(limit);
    const { bytesRead } = await fh.read(buf, 0, limit, 0);
    head = buf.subarray(0, bytesRead);
    whole = bytesRead < limit;
  } finally {
    await fh.close();
  }
  if (isGzip(head)) {
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: limit * 2048 });
    } catch (err) {
      // The start of the file cannot be inflated: say so, rather than "unknown format".
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError)
        throw new InputError('the gzip data inflates past any bound: a decompression bomb, not an export; reading stopped', path);
      throw gzipError(err, path);
    }
    if (head.length > limit) {
      head = head.subarray(0, limit);
      whole = false;
    }
  }
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, whole };
}
