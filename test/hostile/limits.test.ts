/**
 * The limits added for hostile input, at the stream level: the line splitters
 * (audit-export/1 batches and the other formats' lines) agree with a plain
 * split on any input, and stop at the first line over the limit naming it;
 * gzip bombs stop after a bounded amount of inflation; documents read whole
 * are bounded; an empty file says it is empty.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecompressionBombError, GZIP_RATIO_GRACE_BYTES, LineTooLongError, MAX_BATCH_LINES, streamLineBatches } from '../../src/main/node/read/line-batches';
import { DocumentTooLargeError, MAX_DOCUMENT_BYTES, readLines, readText } from '../../src/main/node/formats/source';
import { detectFormat } from '../../src/main/node/formats/registry';
import { verifyFile } from '../../src/main/node/verify/verify-file';
import { InputError } from '../../src/main/node/errors/errors';
import { gzipBomb, HEADER } from './big-inputs';
import { runs } from './fuzz-config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-limits-'));
let n = 0;
const write = (content: string | Buffer, gz = false): string => {
  const file = path.join(dir, `f${n++}${gz ? '.gz' : ''}`);
  writeFileSync(file, gz ? gzipSync(content) : content);
  return file;
};

async function batchLines(file: string, max: number, batchBytes: number): Promise<{ lines: string[]; error: unknown }> {
  const lines: string[] = [];
  try {
    await streamLineBatches(
      file,
      (b) => {
        for (let i = 0; i + 1 < b.offsets.length; i++) lines.push(Buffer.from(b.bytes.subarray(b.offsets[i], b.offsets[i + 1])).toString('latin1'));
      },
      { maxLineBytes: max, batchBytes },
    );
    return { lines, error: null };
  } catch (error) {
    return { lines, error };
  }
}

/** What the splitter must do: every line (with its \n), or an error at the first line longer than max. */
function expected(text: string, max: number): { lines: string[]; tooLong: number | null } {
  const parts = text.split('\n');
  const lines = parts.map((p, i) => (i < parts.length - 1 ? p + '\n' : p)).filter((l) => l !== '');
  const bad = parts.findIndex((p) => p.length > max);
  return { lines, tooLong: bad === -1 ? null : bad + 1 };
}

const lineText = fc.array(fc.oneof(fc.string({ unit: fc.constantFrom('a', '{', '"', '\r', ' '), maxLength: 40 }), fc.constant('')), { maxLength: 30 }).map((ls) => ls.join('\n'));

describe('streamLineBatches (audit-export/1)', () => {
  it('splits any input exactly like a split on \\n, and stops at the first over-long line, naming it', async () => {
    await fc.assert(
      fc.asyncProperty(lineText, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), async (text, max, batchBytes, gz) => {
        const file = write(Buffer.from(text, 'latin1'), gz);
        const got = await batchLines(file, max, batchBytes);
        const want = expected(text, max);
        if (want.tooLong === null) {
          expect(got.error).toBeNull();
          expect(got.lines).toEqual(want.lines);
        } else {
          expect(got.error).toBeInstanceOf(LineTooLongError);
          expect((got.error as LineTooLongError).line).toBe(want.tooLong);
          expect((got.error as LineTooLongError).file).toBe(file);
        }
      }),
      runs(150),
    );
  });

  it('batches hold at most batchLines lines, whatever their bytes, and still split exactly like a split on \\n', async () => {
    await fc.assert(
      fc.asyncProperty(lineText, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 64 }), fc.boolean(), async (text, batchLines, batchBytes, gz) => {
        const file = write(Buffer.from(text, 'latin1'), gz);
        const lines: string[] = [];
        let largest = 0;
        await streamLineBatches(
          file,
          (b) => {
            largest = Math.max(largest, b.offsets.length - 1);
            for (let i = 0; i + 1 < b.offsets.length; i++) lines.push(Buffer.from(b.bytes.subarray(b.offsets[i], b.offsets[i + 1])).toString('latin1'));
          },
          { batchBytes, batchLines, maxLineBytes: 1000 },
        );
        expect(lines).toEqual(expected(text, 1000).lines);
        expect(largest).toBeLessThanOrEqual(batchLines);
      }),
      runs(150),
    );
  });

  it('a 4 MiB batch of blank lines is not four million lines: by default a batch holds at most MAX_BATCH_LINES', async () => {
    const file = write(HEADER + '\n'.repeat(300_000));
    const sizes: number[] = [];
    const end = await streamLineBatches(file, (b) => void sizes.push(b.offsets.length - 1), { batchBytes: 4 << 20 });
    expect(end.lines).toBe(300_001);
    expect(Math.max(...sizes)).toBe(MAX_BATCH_LINES);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300_001);
  });

  it('a line far longer than the chunk size is refused without holding it (the 1 MiB chunks of a 40 MiB line)', async () => {
    const file = write(Buffer.concat([Buffer.from('{"a":1}\n{"b":2}\n'), Buffer.alloc(40 << 20, 'x'), Buffer.from('\n')]));
    const got = await batchLines(file, 16 << 20, 1 << 20);
    expect(got.error).toBeInstanceOf(LineTooLongError);
    expect((got.error as LineTooLongError).line).toBe(3);
    expect((got.error as Error).message).toMatch(/longer than 16 MiB/);
  });

  it('a gzip bomb stops after about the grace allowance, naming the file', async () => {
    const bomb = gzipBomb(dir, 'bomb.jsonl.gz', '\n', 64, 16, HEADER);
    let inflated = 0;
    const err = await streamLineBatches(bomb, (b) => {
      inflated += b.bytes.length;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecompressionBombError);
    expect((err as DecompressionBombError).file).toBe(bomb);
    expect(inflated).toBeLessThanOrEqual(GZIP_RATIO_GRACE_BYTES + (2 << 20));
  });

  it('an honest gzip export is read in full (the ratio check does not fire on real data)', async () => {
    const file = path.resolve('resources/sample/export.jsonl');
    const plain = await verifyFile({ path: file, trustPath: path.resolve('resources/sample/trust.json'), workers: 0 });
    const { readFileSync } = await import('node:fs');
    const gz = write(readFileSync(file), true);
    const zipped = await verifyFile({ path: gz, trustPath: path.resolve('resources/sample/trust.json'), workers: 0 });
    expect(zipped.verdict).toBe(plain.verdict);
    expect(zipped.events).toBe(plain.events);
  });

  it('damaged or cut gzip is an error naming the file, not an internal error', async () => {
    const gz = gzipSync(Buffer.from(HEADER.repeat(2000)));
    const cut = write(gz.subarray(0, gz.length >> 1));
    const err = await streamLineBatches(cut, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe(cut);
    expect((err as Error).message).toMatch(/cut off/);
  });
});

describe('readLines (other formats)', () => {
  it('yields every line of any input (CR before \\n dropped), and stops at the first over-long line, naming it', async () => {
    await fc.assert(
      fc.asyncProperty(lineText, fc.integer({ min: 1, max: 50 }), fc.boolean(), async (text, max, gz) => {
        const file = write(Buffer.from(text, 'latin1'), gz);
        const got: string[] = [];
        let error: unknown = null;
        try {
          for await (const l of readLines(file, { maxLineBytes: max })) got.push(l.text);
        } catch (e) {
          error = e;
        }
        const parts = text.split('\n');
        const terminated = parts.length - 1;
        if (parts[parts.length - 1] === '') parts.pop();
        const bad = parts.findIndex((p) => p.length > max);
        if (bad === -1) {
          expect(error).toBeNull();
          // A CR before \n is dropped; an unterminated last line keeps its bytes.
          expect(got).toEqual(parts.map((p, i) => (i < terminated ? p.replace(/\r$/, '') : p)));
        } else {
          expect(error).toBeInstanceOf(LineTooLongError);
          expect((error as LineTooLongError).line).toBe(bad + 1);
        }
      }),
      runs(100),
    );
  });

  it('a gzip bomb stops with a DecompressionBombError', async () => {
    const bomb = gzipBomb(dir, 'bomb-lines.jsonl.gz', '{}\n', 64, 16);
    let count = 0;
    const err = await (async () => {
      for await (const _ of readLines(bomb)) count++;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecompressionBombError);
    expect(count).toBeLessThan(GZIP_RATIO_GRACE_BYTES);
  });
});

describe('readText (single-document formats)', () => {
  it('refuses a gzip document that inflates past MAX_DOCUMENT_BYTES before holding it', async () => {
    const bomb = gzipBomb(dir, 'doc-bomb.json.gz', ' ', 16, 16, '[');
    expect(16 * 16 * 2 ** 20).toBeGreaterThan(MAX_DOCUMENT_BYTES);
    await expect(readText(bomb)).rejects.toBeInstanceOf(DocumentTooLargeError);
  });

  it('refuses a plain document over MAX_DOCUMENT_BYTES without reading it', async () => {
    const big = path.join(dir, 'big.json');
    const { truncateSync } = await import('node:fs');
    writeFileSync(big, '[');
    truncateSync(big, MAX_DOCUMENT_BYTES + 1); // sparse: no disk used
    await expect(readText(big)).rejects.toThrow(/larger than 128 MiB/);
  });
});

describe('detection', () => {
  it('an empty file, a file of blank lines and damaged gzip each say so', async () => {
    await expect(detectFormat(write(''))).rejects.toThrow(/is empty/);
    await expect(detectFormat(write('\n\n  \n'))).rejects.toThrow(/only blank lines/);
    const gz = gzipSync(Buffer.from(HEADER));
    const damaged = write(Buffer.concat([gz.subarray(0, 12), Buffer.alloc(40, 0xa5), gz.subarray(52)]));
    await expect(detectFormat(damaged)).rejects.toThrow(/gzip data is damaged/);
  });
});
