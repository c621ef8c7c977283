/**
 * Streams a file (plain or gzip) as batches of complete lines, as bytes, with
 * their 1-based line numbers. Memory stays flat: one read buffer plus the
 * batches in flight, whatever the file size. The file is opened read-only.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';

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

const GZIP_MAGIC = [0x1f, 0x8b];

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/**
 * Opens a file for reading only, gunzipping when it starts with the gzip
 * magic. onRaw sees the bytes as stored (for the file's SHA-256), in order.
 */
export async function openText(path: string, onRaw?: (chunk: Buffer) => void): Promise<Readable> {
  const gzip = await isGzip(path);
  const raw = createReadStream(path, { flags: 'r', highWaterMark: 1 << 20 });
  if (!gzip) {
    if (!onRaw) return raw;
    return raw.pipe(
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          onRaw(chunk);
          done(null, chunk);
        },
      }),
    );
  }
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  // Attached in the same tick as pipe(), so no chunk flows past unseen.
  if (onRaw) raw.on('data', (chunk) => onRaw(chunk as Buffer));
  return raw.pipe(gunzip);
}

/**
 * Calls onBatch for each batch of about batchBytes of whole lines (a single
 * line longer than that makes a batch of its own). onBatch may return a
 * promise to apply back-pressure.
 */
export async function streamLineBatches(
  path: string,
  onBatch: (batch: LineBatch) => void | Promise<void>,
  options: { batchBytes?: number; onRawChunk?: (chunk: Buffer) => void; signal?: AbortSignal } = {},
): Promise<LineStreamResult> {
  const batchBytes = options.batchBytes ?? 1 << 20;
  let bytesRead = 0;
  const stream = await openText(path, (chunk) => {
    bytesRead += chunk.length;
    options.onRawChunk?.(chunk);
  });
  let carry: Buffer = Buffer.alloc(0);
  let nextLine = 1;
  let lastChar = -1;
  let pending: Buffer[] = [];
  let pendingLen = 0;

  const flush = async (final: boolean): Promise<void> => {
    if (pendingLen === 0) return;
    const bytes = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    const starts: number[] = [0];
    for (let i = bytes.indexOf(0x0a); i !== -1 && i < bytes.length - 1; i = bytes.indexOf(0x0a, i + 1)) starts.push(i + 1);
    const offsets = new Uint32Array(starts.length + 1);
    offsets.set(starts);
    offsets[starts.length] = bytes.length;
    const batch: LineBatch = { firstLine: nextLine, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), offsets };
    nextLine += starts.length;
    await onBatch(batch);
    void final;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw new DOMException('The operation was cancelled.', 'AbortError');
      if (chunk.length === 0) continue;
      lastChar = chunk[chunk.length - 1];
      const lastNl = chunk.lastIndexOf(0x0a);
      if (lastNl === -1) {
        carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
        continue;
      }
      const head = chunk.subarray(0, lastNl + 1);
      const whole = carry.length ? Buffer.concat([carry, head]) : Buffer.from(head);
      carry = Buffer.from(chunk.subarray(lastNl + 1));
      pending.push(whole);
      pendingLen += whole.length;
      if (pendingLen >= batchBytes) await flush(false);
    }
    if (carry.length) {
      pending.push(carry);
      pendingLen += carry.length;
    }
    await flush(true);
  } finally {
    stream.destroy();
  }
  return { lines: nextLine - 1, lastLineTerminated: lastChar === -1 || lastChar === 0x0a, bytesRead };
}
