/**
 * The agent-mesh JSON Lines reader parses and hashes on the hash workers and
 * checks the chain in file order. Whatever the number of workers, and whether
 * clean entries come back one by one (ingest) or as runs (verify), it must say
 * exactly what the line-by-line reading says.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { agtMeshJsonlReader } from '../../src/main/node/formats/agt-mesh-jsonl';
import { runLineJob } from '../../src/main/node/formats/line-jobs';
import type { CaseEvent } from '../../src/shared/formats/case-model';
import { tmpDir } from '../support/export-builder';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/agt');
const meshFiles = readdirSync(FIXTURES).filter((f) => /^mesh-.*\.jsonl$/.test(f));

async function verifyWith(file: string, workers: number, withEvents: boolean) {
  const events: CaseEvent[] = [];
  const v = await agtMeshJsonlReader.verify({ path: file, trust: null, hmacKey: null, workers, onEvent: withEvents ? (e) => events.push(e) : undefined });
  return { v: JSON.stringify(v), events };
}

describe('agt-mesh-jsonl on the hash workers', () => {
  it('has mesh fixtures to check', () => {
    expect(meshFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each(meshFiles)('%s: the same verdict, findings and events with 0, 1 and 2 workers, as runs or entry by entry', async (name) => {
    const file = path.join(FIXTURES, name);
    const reference = await verifyWith(file, 0, true);
    for (const workers of [0, 1, 2]) {
      for (const withEvents of [false, true]) {
        const r = await verifyWith(file, workers, withEvents);
        expect(r.v, `${workers} workers, events ${withEvents}`).toBe(reference.v);
        if (withEvents) expect(r.events).toEqual(reference.events);
      }
    }
    // Events are numbered in file order, from 0, whatever thread parsed them.
    expect(reference.events.map((e) => e.index)).toEqual(reference.events.map((_, i) => i));
  });

  it('a valid log comes back as one run per batch; a broken link or changed entry stands on its own', () => {
    const valid = readFileSync(path.join(FIXTURES, 'mesh-valid.jsonl'));
    const lines = valid.toString('utf8').split('\n').filter(Boolean);
    const batch = (text: string) => {
      const bytes = new Uint8Array(Buffer.from(text));
      const starts = [0];
      for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 10) starts.push(i + 1);
      return { firstLine: 1, bytes, offsets: Uint32Array.from([...starts, bytes.length]) };
    };
    const whole = runLineJob('agt-mesh-jsonl', batch(lines.join('\n') + '\n'), false);
    expect(whole.map((r) => [r.t, r.t === 'run' ? r.count : 1])).toEqual([['run', lines.length]]);
    // Drop the third line: the fourth no longer links, so it starts a new run the reader checks.
    const dropped = [...lines.slice(0, 2), ...lines.slice(3)];
    const parts = runLineJob('agt-mesh-jsonl', batch(dropped.join('\n') + '\n'), false);
    expect(parts.map((r) => [r.t, r.line, r.t === 'run' ? r.count : 1])).toEqual([
      ['run', 1, 2],
      ['run', 3, lines.length - 3],
    ]);
    // With case events wanted (ingest), one result per entry.
    expect(runLineJob('agt-mesh-jsonl', batch(lines.join('\n') + '\n'), true).every((r) => r.t === 'entry')).toBe(true);
  });

  it('random edits to a log: runs on 2 workers say what entry-by-entry reading says', async () => {
    const dir = tmpDir();
    const valid = readFileSync(path.join(FIXTURES, 'mesh-valid.jsonl'), 'utf8').split('\n').filter(Boolean);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'dup', 'blank', 'junk', 'digit')), { maxLength: 4 }), async (edits) => {
        const lines = [...valid];
        for (const [at, op] of edits) {
          const i = at % lines.length;
          if (op === 'drop') lines.splice(i, 1);
          else if (op === 'dup') lines.splice(i, 0, lines[i]!);
          else if (op === 'blank') lines.splice(i, 0, '');
          else if (op === 'junk') lines.splice(i, 0, '{"entry_hash": ');
          else lines[i] = lines[i]!.replace(/"amount": (\d)/, (_m, d: string) => `"amount": ${(Number(d) + 1) % 10}`);
          if (!lines.length) lines.push(valid[0]!);
        }
        const file = path.join(dir, `edited-${Math.random().toString(36).slice(2)}.jsonl`);
        writeFileSync(file, lines.join('\n') + '\n');
        // Entry by entry on this thread (case events wanted: no runs) against runs on two workers.
        const a = await verifyWith(file, 0, true);
        const b = await verifyWith(file, 2, false);
        expect(b.v).toBe(a.v);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
