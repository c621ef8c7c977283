/**
 * Random edits of an export's bytes, for property tests that compare two
 * ways of verifying the same damaged file: a byte changed, a hex digit
 * flipped, a line dropped, duplicated or swapped with the next, the file cut
 * short, and an attacker's edit (an event's data, number, time or link
 * changed and the event re-hashed alone).
 */
import fc from 'fast-check';
import { canonicalize } from '../../src/shared/json/canonical';
import { hashEvent, type Line } from './export-builder';

export const exportEdit = fc.oneof(
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), to: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('digit' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('dup-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap-lines' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('rehash' as const), at: fc.nat(), field: fc.constantFrom('data', 'seq', 'ts', 'prev_hash') }),
);

export type ExportEdit = typeof exportEdit extends fc.Arbitrary<infer T> ? T : never;

/** The bytes with the edits made in order (lines are handled as latin1, so any byte survives a split and a join). */
export function applyEdits(original: Buffer, edits: readonly ExportEdit[]): Buffer {
  let bytes = Buffer.from(original);
  for (const e of edits) {
    const lines = bytes.toString('latin1').split('\n');
    const li = 1 + (e.at % Math.max(1, lines.length - 2));
    if (e.op === 'byte') {
      if (bytes.length) bytes[e.at % bytes.length] = e.to;
    } else if (e.op === 'digit') {
      const digits = [...bytes.toString('latin1').matchAll(/[0-9a-f]/g)];
      if (!digits.length) continue;
      const at = digits[e.at % digits.length]!.index!;
      bytes[at] = bytes[at] === 0x30 ? 0x31 : 0x30;
    } else if (e.op === 'drop-line') bytes = Buffer.from(lines.filter((_, i) => i !== li).join('\n'), 'latin1');
    else if (e.op === 'dup-line') bytes = Buffer.from([...lines.slice(0, li + 1), ...lines.slice(li)].join('\n'), 'latin1');
    else if (e.op === 'swap-lines') bytes = Buffer.from(lines.map((l, i) => (i === li ? (lines[li + 1] ?? l) : i === li + 1 ? lines[li] : l)).join('\n'), 'latin1');
    else if (e.op === 'rehash') {
      const events = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('{"actor"'));
      if (!events.length) continue;
      const [l, i] = events[e.at % events.length]!;
      let event: Line;
      try {
        event = JSON.parse(Buffer.from(l, 'latin1').toString('utf8')) as Line;
      } catch {
        continue;
      }
      const changed = { data: { edited: e.at }, seq: Number(event.seq) + 1, ts: '2026-11-25T02:59:59.000Z', prev_hash: '1'.repeat(64) }[e.field];
      lines[i] = Buffer.from(canonicalize(hashEvent({ ...event, [e.field]: changed })), 'utf8').toString('latin1');
      bytes = Buffer.from(lines.join('\n'), 'latin1');
    } else bytes = bytes.subarray(0, e.at % bytes.length);
  }
  return bytes;
}
