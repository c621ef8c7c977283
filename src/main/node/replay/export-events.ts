/**
 * The events of an audit-export/1 file, streamed line by line (gzip when the
 * name ends in .gz), reduced to what replay reads. Verification belongs to
 * the verify service: replay takes the events as they are and only counts
 * the lines it could not read, so nothing is skipped silently.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ReplayEvent } from '../../../shared/replay/types';
import { InputError } from '../cli/errors';

export interface ExportReading {
  events: AsyncIterable<ReplayEvent>;
  /** Filled in once `events` has been read to the end. */
  done(): { sha256: string; unreadableLines: number[]; lines: number };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readExportEvents(file: string): ExportReading {
  const hash = createHash('sha256');
  const unreadable: number[] = [];
  let lines = 0;
  let finished = false;
  let digest = '';
  async function* generate(): AsyncGenerator<ReplayEvent> {
    const raw = createReadStream(file);
    raw.on('data', (chunk) => hash.update(chunk as Buffer));
    const source: Readable = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    raw.on('error', (err) => source.destroy(err));
    const rl = createInterface({ input: source, crlfDelay: Infinity });
    let index = 0;
    try {
      for await (const text of rl) {
        lines++;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          if (lines === 1) throw new InputError('is not an audit-export/1 file: line 1 is not JSON', file, 1);
          unreadable.push(lines);
          continue;
        }
        if (lines === 1) {
          if (!isObject(value) || value.type !== 'header') throw new InputError('is not an audit-export/1 file: line 1 is not a header', file, 1);
          continue;
        }
        if (!isObject(value)) {
          unreadable.push(lines);
          continue;
        }
        if (value.type !== 'event') continue;
        const actor = value.actor;
        if (typeof value.seq !== 'number' || typeof value.kind !== 'string' || !isObject(actor) || !isObject(value.data)) {
          unreadable.push(lines);
          continue;
        }
        yield {
          index: index++,
          seq: value.seq,
          line: lines,
          kind: value.kind,
          actor: { type: String(actor.type), id: String(actor.id) },
          data: value.data,
        };
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && code.startsWith('Z_')) throw new InputError(`is not valid gzip: ${(err as Error).message}`, file);
      throw err;
    }
    if (lines === 0) throw new InputError('is empty', file);
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
