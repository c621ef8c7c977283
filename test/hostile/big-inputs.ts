/**
 * Big hostile inputs, made at test time in a temporary folder (never
 * committed): a 100 MB line, gzip bombs, a million tiny lines, nesting
 * 100,000 deep. Each writes in chunks, so making them is cheap in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync, constants as zlib } from 'node:zlib';
import { toText, buildLines, specs } from '../support/export-builder';

export const HEADER = toText(buildLines(specs(1))).split('\n')[0] + '\n';

function writeChunks(file: string, chunks: Iterable<Buffer | string>): string {
  const fd = openSync(file, 'w');
  try {
    for (const c of chunks) writeSync(fd, typeof c === 'string' ? Buffer.from(c) : c);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** A header, then one event-looking line of `mb` MiB (a string member), then a newline. */
export function hugeLineExport(dir: string, mb = 100): string {
  const block = Buffer.alloc(1 << 20, 'a');
  return writeChunks(
    path.join(dir, `huge-line-${mb}mb.jsonl`),
    (function* () {
      yield HEADER;
      yield '{"type":"event","seq":0,"data":{"blob":"';
      for (let i = 0; i < mb; i++) yield block;
      yield '"}}\n';
    })(),
  );
}

/**
 * A multi-member gzip file: `members` copies of one deflate stream of
 * `memberMiB` MiB of `fill`. 640 members of 16 MiB is about 10 MB of gzip
 * inflating to 10 GiB. The members are built by hand from a raw deflate
 * stream, so making the bomb never inflates it.
 */
export function gzipBomb(dir: string, name: string, fill: string, members = 640, memberMiB = 16, prefix = ''): string {
  const unit = Buffer.alloc(memberMiB << 20, fill);
  const body = deflateRawSync(unit, { level: 9, strategy: zlib.Z_DEFAULT_STRATEGY });
  const head = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(unit), 0);
  trailer.writeUInt32LE(unit.length >>> 0, 4);
  const member = Buffer.concat([head, body, trailer]);
  return writeChunks(
    path.join(dir, name),
    (function* () {
      if (prefix) yield Buffer.concat([head, deflateRawSync(Buffer.from(prefix)), crcTrailer(Buffer.from(prefix))]);
      for (let i = 0; i < members; i++) yield member;
    })(),
  );
}

function crcTrailer(data: Buffer): Buffer {
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc32(data), 0);
  t.writeUInt32LE(data.length >>> 0, 4);
  return t;
}

let table: Uint32Array | null = null;
function crc32(data: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A header and then a million tiny lines (`{}` by default, or empty), each a malformed line. */
export function millionTinyLines(dir: string, lines = 1_000_000, line = '{}'): string {
  const block = Buffer.from(`${line}\n`.repeat(100_000));
  return writeChunks(
    path.join(dir, `million-lines-${line.length}.jsonl`),
    (function* () {
      yield HEADER;
      for (let i = 0; i < lines / 100_000; i++) yield block;
    })(),
  );
}

/** A header and an event whose data nests `depth` arrays (or objects) deep. */
export function deepNesting(dir: string, depth = 100_000, kind: 'array' | 'object' = 'array'): string {
  const open = kind === 'array' ? '[' : '{"a":';
  const close = kind === 'array' ? ']' : '}';
  return writeChunks(path.join(dir, `deep-${kind}-${depth}.jsonl`), [HEADER, `{"type":"event","seq":0,"data":{"x":${open.repeat(depth)}1${close.repeat(depth)}}}\n`]);
}
