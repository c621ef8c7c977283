/**
 * The events of an audit-export/1 file, streamed line by line (gzip detected
 * by content, bounded like verification), reduced to what replay reads. Verification belongs to
 * the verify service: replay takes the events as they are and only counts
 * the lines it could not read, so nothing is skipped silently.
 */
import { createHash } from 'node:crypto';
import type { ReplayEvent } from '../../../shared/replay/types';
import { InputError } from '../errors/errors';
import { fileIsGzip, streamLineBatches, type ByteRange, type LineBatch } from '../read/line-batches';

export interface ExportReading {
  events: AsyncIterable<ReplayEvent>;
  /** Filled in once `events` has been read to the end. */
  done(): { sha256: string; unreadableLines: number[]; lines: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The lines of a file as text, through the same bounded reader verification
 * uses (gzip by content, decompression-bomb and line-length limits, the
 * stored bytes seen by onRaw), as an async iterable for replay.
 */
async function* boundedLines(file: string, onRaw: (chunk: Buffer) => void, range?: ByteRange): AsyncGenerator<{ text: string; line: number }> {
  const queue: LineBatch[] = [];
  const stop = new AbortController();
  let finished = false;
  let failure: unknown = null;
  // Held in an object: both are set inside callbacks, which flow analysis cannot follow.
  const waiters: { wake: (() => void) | null; resume: (() => void) | null } = { wake: null, resume: null };
  const reading = streamLineBatches(
    file,
    async (batch) => {
      queue.push(batch);
      waiters.wake?.();
      // Back-pressure: at most a few batches (about 1 MiB each) wait here.
      if (queue.length >= 4) await new Promise<void>((r) => (waiters.resume = r));
    },
    { onRawChunk: onRaw, signal: stop.signal, range },
  ).then(
    () => {
      finished = true;
      waiters.wake?.();
    },
    (err) => {
      failure = err;
      finished = true;
      waiters.wake?.();
    },
  );
  try {
    for (;;) {
      const batch = queue.shift();
      if (!batch) {
        if (finished) break;
        await new Promise<void>((r) => (waiters.wake = r));
        waiters.wake = null;
        continue;
      }
      waiters.resume?.();
      waiters.resume = null;
      const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.length);
      for (let i = 0; i + 1 < batch.offsets.length; i++) {
        let end = batch.offsets[i + 1];
        if (end > batch.offsets[i] && bytes[end - 1] === 0x0a) end--;
        if (end > batch.offsets[i] && bytes[end - 1] === 0x0d) end--;
        yield { text: bytes.toString('utf8', batch.offsets[i], end), line: batch.firstLine + i };
      }
    }
    if (failure) throw failure;
  } finally {
    if (!finished) {
      stop.abort();
      waiters.resume?.();
    }
    await reading;
  }
}

/**
 * `range`: only those bytes (plain files), whose first line is range.firstLine; a range
 * after line 1 holds no header, and its events are indexed from 0 within it.
 */
export function readExportEvents(file: string, range?: ByteRange): ExportReading {
  const hash = createHash('sha256');
  const unreadable: number[] = [];
  let lines = 0;
  let finished = false;
  let digest = '';
  async function* generate(): AsyncGenerator<ReplayEvent> {
    let index = 0;
    const misnamed = file.endsWith('.gz') && !(await fileIsGzip(file).catch(() => true));
    for await (const { text, line } of boundedLines(file, (chunk) => hash.update(chunk), range)) {
      lines = line;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (line === 1) {
          throw new InputError(misnamed ? 'is named .gz but is not gzip data, and line 1 is not JSON' : 'is not an audit-export/1 file: line 1 is not JSON', file, 1);
        }
        unreadable.push(line);
        continue;
      }
      if (line === 1) {
        if (!isObject(value) || value.type !== 'header') throw new InputError('is not an audit-export/1 file: line 1 is not a header', file, 1);
        continue;
      }
      if (!isObject(value)) {
        unreadable.push(line);
        continue;
      }
      if (value.type !== 'event') continue;
      const actor = value.actor;
      if (typeof value.seq !== 'number' || typeof value.kind !== 'string' || !isObject(actor) || !isObject(value.data)) {
        unreadable.push(line);
        continue;
      }
      yield {
        index: index++,
        seq: value.seq,
        line,
        kind: value.kind,
        actor: { type: String(actor.type), id: String(actor.id) },
        data: value.data,
        ts: typeof value.ts === 'string' ? value.ts : undefined,
      };
    }
    if (lines === 0 && !range) throw new InputError('is empty', file);
    digest = hash.digest('hex');
    finished = true;
  }
  return {
    events: generate(),
    done() {
      if (!finished) throw new Error('the export has not been read to the end');
      return { sha256: digest, unreadableLines: unreadable, lines };
    },
  };
}
