/**
 * The desk's index of an audit-export/1 case, one batch of lines of the
 * case's export copy at a time, in the hash workers: what a row of the case
 * store needs for each event. Clean canonical event lines (the ones the
 * native scan takes, as verification does) are parsed once for their kind,
 * actor, outcome and ids; every other line goes through the JavaScript path
 * (summarizeLine, the reference), so the rows are those the line-by-line
 * ingest wrote.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { CaseEvent } from '../../../shared/formats/case-model';
import { describeEvent } from '../../../shared/export/describe-event';
import type { LineBatch } from '../read/line-batches';
import { nativeScan } from './native-scan';
import { one } from './summarize-batch';
import { eventKeys, toCaseEvent } from './audit-export-reader';

/**
 * One event of the batch, without its position among the events (the
 * caller counts them in file order). `inPlace` is the entry's length in
 * bytes when the line as written is exactly the entry (`raw` is then '' and
 * the row names the line by offset in the copy), else null.
 */
export type IndexedEvent = Omit<CaseEvent, 'index'> & { t: 'row'; inPlace: number | null };

const ACTOR_TYPES = new Set(['agent', 'human', 'system']);

export function indexBatch(batch: LineBatch): IndexedEvent[] {
  const { bytes, offsets, firstLine } = batch;
  const n = offsets.length - 1;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: IndexedEvent[] = [];
  const valid = isAscii(buf) || isUtf8(buf);
  const native = valid ? nativeScan() : null;
  const status = new Uint8Array(n);
  const seq = new Float64Array(n);
  const hashes = new Uint8Array(32 * n);
  const prevs = new Uint8Array(32 * n);
  if (native) native.scanEvents(bytes, offsets, status, seq, hashes, prevs, new Uint8Array(32 * n), new Uint32Array(2 * n));
  for (let i = 0; i < n; i++) {
    const line = firstLine + i;
    const end = offsets[i + 1] - (bytes[offsets[i + 1] - 1] === 10 ? 1 : 0);
    if (status[i] !== 0 && line !== 1) {
      // A clean canonical event whose hash holds: its members are as the scan read them.
      const text = buf.toString('utf8', offsets[i], end);
      const e = JSON.parse(text) as { ts: string; kind: string; actor: { type: string; id: string }; data?: Record<string, unknown> };
      const data = e.data ?? {};
      const described = describeEvent(e.kind, data);
      const recorded = Buffer.from(hashes.buffer, hashes.byteOffset + 32 * i, 32).toString('hex');
      out.push({
        t: 'row',
        inPlace: end - offsets[i],
        seq: seq[i],
        line,
        ts: e.ts,
        kind: e.kind,
        actorType: (ACTOR_TYPES.has(e.actor.type) ? e.actor.type : 'unknown') as CaseEvent['actorType'],
        actorId: e.actor.id,
        outcome: described.outcome,
        summary: described.summary,
        raw: '',
        canonical: null,
        recordedHash: recorded,
        // The scan took only lines whose hash holds.
        computedHash: recorded,
        prevHash: Buffer.from(prevs.buffer, prevs.byteOffset + 32 * i, 32).toString('hex'),
        unauthenticated: [],
        ...eventKeys(data),
      });
      continue;
    }
    // Anything else: the JavaScript path says what the line is, as the line-by-line ingest did.
    const text = valid ? buf.toString('utf8', offsets[i], end) : null;
    let summary;
    if (text === null) {
      // A batch that is not UTF-8: decode this line alone (a line that is not UTF-8 is no event).
      try {
        summary = one(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offsets[i], end)), line, true, true);
      } catch {
        continue;
      }
    } else summary = one(text, line, true, true);
    if (summary.t !== 'event') continue;
    const { index: _index, ...event } = toCaseEvent(summary, 0);
    const inPlace = Buffer.from(event.raw, 'utf8').equals(bytes.subarray(offsets[i], end)) ? end - offsets[i] : null;
    out.push({ t: 'row', ...event, inPlace, raw: inPlace !== null ? '' : event.raw });
  }
  return out;
}
