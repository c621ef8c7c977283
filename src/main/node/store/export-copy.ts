/**
 * The case's own copy of its export: written once at ingest, verbatim (a
 * gzip export decompressed once, so any line can be read by byte offset),
 * with the SHA-256 of the bytes as stored taken on the way, and the start
 * of every line. The store keeps each event's byte offset and length in it
 * instead of the line; the desk reads a line back on demand.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fileIsGzip } from '../read/line-batches';

/** Byte offsets of line starts, growing as lines are found. */
export class LineStarts {
  private starts = new Float64Array(1 << 16);
  count = 0;
  /** Total bytes of the copy. */
  end = 0;

  push(offset: number): void {
    if (this.count === this.starts.length) {
      const next = new Float64Array(this.starts.length * 2);
      next.set(this.starts);
      this.starts = next;
    }
    this.starts[this.count++] = offset;
  }

  /** Start offset of a 1-based line, or null past the end. */
  start(line: number): number | null {
    return line >= 1 && line <= this.count ? this.starts[line - 1] : null;
  }
}

export interface CopiedExport {
  /** SHA-256 (hex) and size of the export as stored (compressed for gzip). */
  sha256: string;
  bytes: number;
  gzip: boolean;
  lines: LineStarts;
}

/** Copy an export to `dest` (decompressed when gzip), fsynced; its digest as stored, and where each line starts. */
export async function copyExport(src: string, dest: string, signal?: AbortSignal): Promise<CopiedExport> {
  const gzip = await fileIsGzip(src);
  const hash = createHash('sha256');
  let bytes = 0;
  const lines = new LineStarts();
  let pos = 0;
  let atLineStart = true;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const scan = new Transform({
    transform(chunk: Buffer, _enc, done) {
      let from = 0;
      for (;;) {
        if (atLineStart && from < chunk.length) {
          lines.push(pos + from);
          atLineStart = false;
        }
        const nl = chunk.indexOf(10, from);
        if (nl < 0) break;
        from = nl + 1;
        atLineStart = true;
      }
      pos += chunk.length;
      done(null, chunk);
    },
  });
  if (gzip) await pipeline(createReadStream(src), tap, createGunzip(), scan, createWriteStream(dest), { signal });
  else await pipeline(createReadStream(src), tap, scan, createWriteStream(dest), { signal });
  lines.end = pos;
  const fh = await open(dest, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { sha256: hash.digest('hex'), bytes, gzip, lines };
}

/**
 * Writes the copy from the batches of whole lines the verification reads
 * (the one pass over the export): their bytes, where each line starts, and
 * the SHA-256 of what was written.
 */
export class ExportCopyWriter {
  readonly lines = new LineStarts();
  private fd: number | null;
  private readonly hash = createHash('sha256');
  /** Whether any batch came (only audit-export/1 is read in line batches). */
  used = false;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  /** A batch's bytes and its line starts (offsets within bytes, plus the end). */
  add(bytes: Uint8Array, offsets: Uint32Array): void {
    if (this.fd === null) throw new Error('the export copy is closed');
    this.used = true;
    const base = this.lines.end;
    for (let i = 0; i + 1 < offsets.length; i++) this.lines.push(base + offsets[i]);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.hash.update(bytes);
    this.lines.end = base + bytes.length;
  }

  /** Durable and closed; the SHA-256 (hex) of what was written. */
  finish(): string {
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
    return this.hash.digest('hex');
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** Reads spans of a case's export copy by byte offset (opened on first use). */
export class ExportCopy {
  private fd: number | null = null;

  constructor(readonly file: string) {}

  read(offset: number, length: number): string {
    return this.readBytes(offset, length).toString('utf8');
  }

  readBytes(offset: number, length: number): Buffer {
    if (this.fd === null) this.fd = openSync(this.file, 'r');
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }

  /**
   * The text of 1-based line `target`, found by reading forward from the
   * start of line `line` at byte `offset` (without its line end); null past
   * the end, or when it lies more than `maxScan` bytes on.
   */
  lineFrom(offset: number, line: number, target: number, maxScan = 64 << 20): string | null {
    if (target < line) return null;
    const chunk = 64 << 10;
    let at = line;
    let pos = offset;
    let start = target === line ? offset : -1;
    const parts: Buffer[] = [];
    while (pos - offset < maxScan) {
      const buf = this.readBytes(pos, chunk);
      if (buf.length === 0) return start >= 0 ? Buffer.concat(parts).toString('utf8') : null;
      let from = 0;
      for (;;) {
        const nl = buf.indexOf(10, from);
        if (start >= 0) {
          if (nl < 0) {
            parts.push(buf.subarray(from));
            break;
          }
          parts.push(buf.subarray(from, nl));
          return Buffer.concat(parts).toString('utf8');
        }
        if (nl < 0) break;
        at++;
        from = nl + 1;
        if (at === target) start = pos + from;
      }
      pos += buf.length;
    }
    return null;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
