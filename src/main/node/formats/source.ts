/**
 * Reading a log file as the readers need it: line by line with flat memory
 * (gzip undone on the fly), or whole for the single-document formats.
 * Lines split on "\n" only, so U+2028 inside a string stays inside its line.
 */
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createHash, createHmac } from 'node:crypto';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Sha256Hex } from '../../../shared/formats/agt/hashing';

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

/** The lines of a (possibly gzipped) text file, streamed. */
export async function* readLines(path: string, opts: { signal?: AbortSignal; onBytes?: (bytesRead: number) => void } = {}): AsyncGenerator<FileLine> {
  const gz = await startsWithGzip(path);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream: Readable = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  let rest: Buffer | null = null;
  let line = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (opts.signal?.aborted) throw new Error('verification cancelled');
      let buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      if (first && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = 3;
      first = false;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
        yield { text: buf.toString('utf8', start, end), line: ++line, terminated: true };
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : null;
      buf = Buffer.alloc(0);
      opts.onBytes?.(raw.bytesRead);
    }
    if (rest && rest.length > 0) yield { text: rest.toString('utf8'), line: ++line, terminated: false };
  } finally {
    raw.destroy();
  }
}

/** The whole file as text, gunzipped when it starts with the gzip magic. */
export async function readText(path: string): Promise<string> {
  let buf = await readFile(path);
  if (isGzip(buf)) buf = gunzipSync(buf);
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
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      head = Buffer.alloc(0);
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
