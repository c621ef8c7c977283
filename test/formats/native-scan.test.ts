/**
 * The native fast path (native/event-scan.cc) against the JavaScript
 * reference. It may only take lines the reference reads as clean events, and
 * whatever it takes or leaves, verification must say exactly the same. (Every
 * case in verify-tampering.test.ts also runs both ways.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { nativeScanStatus } from '../../src/main/node/formats/native-scan';
import { summarizeBatch } from '../../src/main/node/formats/summarize-batch';
import { verifyAuditExport } from '../../src/main/node/formats/audit-export-reader';
import { nodeSha256 } from '../../src/main/node/read/hashes';
import { streamLineBatches, type LineBatch } from '../../src/main/node/read/line-batches';
import { IncrementalMerkleTree } from '../../src/shared/verify/merkle';
import { summarizeLine } from '../../src/shared/export/parse-line';
import { canonicalize } from '../../src/shared/json/canonical';
import { buildLines, hashEvent, specs, tmpDir, toText, trustFor, type Line } from '../support/export-builder';
import { applyEdits, exportEdit } from '../support/export-edits';

const REPO = path.resolve(__dirname, '../..');
const status = nativeScanStatus();
const native = status.scan;
const runs = (n: number) => n * Number(process.env.FUZZ_RUNS ?? 1);

it('is built where it is required (CI builds it with npm install)', () => {
  if (process.env.AUDIT_REPLAY_REQUIRE_NATIVE === '1') expect(status.reason).toBe('loaded');
  else if (!native) console.warn(`The native fast path is not used: ${status.reason}. Its tests are skipped; verification runs in JavaScript.`);
});

function batchOf(lines: string[], firstLine = 1): LineBatch {
  const text = lines.map((l) => `${l}\n`).join('');
  const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
  const offsets = new Uint32Array(lines.length + 1);
  let at = 0;
  lines.forEach((l, i) => {
    offsets[i] = at;
    at += Buffer.byteLength(l, 'utf8') + 1;
  });
  offsets[lines.length] = at;
  return { firstLine, bytes, offsets };
}

function scan(lines: string[]) {
  const b = batchOf(lines);
  const n = lines.length;
  const out = { status: new Uint8Array(n), seq: new Float64Array(n), hashes: new Uint8Array(32 * n), prevs: new Uint8Array(32 * n), leaves: new Uint8Array(32 * n), ts: new Uint32Array(2 * n) };
  const taken = native!.scanEvents(b.bytes, b.offsets, out.status, out.seq, out.hashes, out.prevs, out.leaves, out.ts);
  return { ...out, taken };
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe.skipIf(!native)('native scan', () => {
  it('takes honest events with their hash, link, number, time and RFC 6962 leaf; leaves header and checkpoints to JavaScript', () => {
    const lines = buildLines([{ data: { note: 'Zürich — 東京 — 😀', n: -12, ok: true, none: null, list: [1, 'two', {}] } }, {}, {}], { every: 2 }).map((l) => canonicalize(l));
    const r = scan(lines);
    // header, e0, e1, checkpoint, e2, final checkpoint
    expect([...r.status]).toEqual([0, 2, 1, 0, 2, 0]);
    expect(r.taken).toBe(3);
    const e1 = JSON.parse(lines[2]) as Line;
    expect(r.seq[2]).toBe(1);
    expect(Buffer.from(r.hashes.subarray(64, 96)).toString('hex')).toBe(e1.hash);
    expect(Buffer.from(r.prevs.subarray(64, 96)).toString('hex')).toBe(e1.prev_hash);
    expect(Buffer.from(r.leaves.subarray(64, 96)).toString('hex')).toBe(
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(e1.hash as string, 'hex')]))
        .digest('hex'),
    );
    expect(Buffer.from(lines.join('\n') + '\n').toString('utf8', r.ts[4], r.ts[4] + r.ts[5])).toBe(e1.ts);
  });

  it('leaves to JavaScript what it does not read itself, and every line with something to say', () => {
    const ok = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      canonicalize(hashEvent({ type: 'event', seq: 5, ts: '2026-11-25T03:00:00.000Z', kind: 'k', actor: { id: 'a', type: 'agent' }, data, prev_hash: '0'.repeat(64), ...extra }));
    const cases: [string, string][] = [
      ['a fraction', ok({ amount: 1.5 })],
      ['an exponent', ok({ amount: 1e21 })],
      ['a long integer', ok({ amount: 9007199254740991 })],
      ['a non-ASCII member name', ok({ Zürich: 1 })],
      ['an escaped member name', ok({ 'a\nb': 1 })],
      ['an escaped timestamp', ok({}, { ts: '2026-11-25T03:00:00.000Z\t' })],
      ['a recorded hash that does not match', ok({ a: 1 }).replace('"a":1', '"a":2')],
      ['a non-canonical member order', JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(ok({ a: 1 }))).reverse()))],
      ['a space', ok({ a: 1 }).replace('"a":1', '"a": 1')],
      ['a duplicate member', ok({ a: 1 }).replace('"a":1', '"a":1,"a":1')],
      ['uppercase hex', ok({}).replace(/"prev_hash":"0+"/, `"prev_hash":"${'A'.repeat(64)}"`)],
      ['a seq that is a string', ok({}, { seq: '5' })],
      ['an actor without id', ok({}, { actor: { type: 'agent' } })],
      ['data that is a list', ok({}, { data: [] as unknown as Record<string, unknown> })],
      ['a CR at the end', `${ok({ a: 1 })}\r`],
      ['nesting deeper than 64', ok(JSON.parse('{"x":'.repeat(70) + '1' + '}'.repeat(70)) as Record<string, unknown>)],
    ];
    const plain = ok({ a: 1 });
    expect([...scan([plain]).status], 'the control line').toEqual([2]);
    for (const [what, line] of cases) expect([...scan([line]).status], what).toEqual([0]);
  });

  it('breaks a run where the link, the number or the time does not follow, for JavaScript to explain', () => {
    const events = buildLines(specs(6), { every: 100 }).filter((l) => l.type === 'event');
    const text = (ls: Line[]) => ls.map((l) => canonicalize(l));
    expect([...scan(text(events)).status]).toEqual([2, 1, 1, 1, 1, 1]);
    // e2 does not follow e0: left. e1 then starts a run (the verifier checks a run's first link
    // itself, and finds this one broken); e3 does not follow e1: left.
    const swapped = [events[0], events[2], events[1], events[3]];
    expect([...scan(text(swapped)).status]).toEqual([2, 0, 2, 0]);
    const back = events.map((e, i) => (i === 3 ? hashEvent({ ...e, ts: '2026-11-25T02:00:00.000Z' }) : e));
    // Event 2 edited and re-hashed alone: its number and time follow, but event 3 no longer links to it.
    const relinked = events.map((e, i) => (i === 2 ? hashEvent({ ...e, data: { edited: true } }) : e));
    expect([...scan(text(relinked)).status]).toEqual([2, 1, 1, 0, 2, 1]);
    // Event 3 goes back in time: left. Event 4 (which no longer links to the re-hashed event 3)
    // starts a new run, whose first link the verifier checks and finds broken.
    expect([...scan(text(back)).status]).toEqual([2, 1, 1, 0, 2, 1]);
  });

  it('summarizeBatch turns taken lines into runs, and every other line into the JavaScript summary', () => {
    const lines = buildLines(specs(25), { every: 10 }).map((l) => canonicalize(l));
    const items = summarizeBatch(batchOf(lines), false);
    expect(items.map((s) => (s.t === 'run' ? `run@${s.line}x${s.count}` : `${s.t}@${s.line}`))).toEqual([
      'header@1',
      'run@2x10',
      'checkpoint@12',
      'run@13x10',
      'checkpoint@23',
      'run@24x5',
      'checkpoint@29',
    ]);
    // Kept raw lines (ingest) or no native: one summary per line, as before.
    expect(summarizeBatch(batchOf(lines), true).every((s) => s.t !== 'run')).toBe(true);
    expect(summarizeBatch(batchOf(lines), false, false).every((s) => s.t !== 'run')).toBe(true);
    // A run never starts the file: an event on line 1 is the JavaScript path's to judge.
    const headless = lines.filter((l) => !l.includes('"header"'));
    expect(summarizeBatch(batchOf(headless), false)[0]).toMatchObject({ t: 'event', line: 1 });
  });

  it('what it takes, the JavaScript reference reads as the same clean event', () => {
    const lines = buildLines(
      specs(8).map((_, i) => ({ data: { i, s: `x${'é'.repeat(i)}`, nested: { z: [i, { y: null }] } } })),
      { every: 3 },
    ).map((l) => canonicalize(l));
    const r = scan(lines);
    lines.forEach((line, i) => {
      if (!r.status[i]) return;
      const s = summarizeLine(line, i + 1, sha);
      expect(s.t).toBe('event');
      if (s.t !== 'event') return;
      expect(s.computed).toBe(s.hash);
      expect(Buffer.from(r.hashes.subarray(32 * i, 32 * i + 32)).toString('hex')).toBe(s.hash);
      expect(r.seq[i]).toBe(s.seq);
    });
  });

  it('merkleAppend grows the same tree as appending leaf by leaf', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), (chunks) => {
        const one = new IncrementalMerkleTree(nodeSha256);
        const bulk = new IncrementalMerkleTree(nodeSha256);
        let k = 0;
        for (const n of chunks) {
          const leaves = new Uint8Array(32 * n);
          for (let i = 0; i < n; i++) leaves.set(nodeSha256(new Uint8Array([k & 255, k >> 8, i])), 32 * i);
          k++;
          bulk.appendLeafHashes(leaves, native!.merkleAppend);
          one.appendLeafHashes(leaves);
          expect(bulk.size).toBe(one.size);
          expect(Buffer.from(bulk.root()).toString('hex')).toBe(Buffer.from(one.root()).toString('hex'));
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it('verification says the same with and without it, whatever is done to an export (random edits)', async () => {
    const dir = tmpDir();
    const base = toText(
      buildLines(
        specs(30).map((_, i) => ({ data: { i, note: i % 7 ? 'plain' : 'Zürich 😀', amount: i * 101 } })),
        { every: 8 },
      ),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(exportEdit, { minLength: 1, maxLength: 3 }), fc.boolean(), async (edits, withTrust) => {
        const bytes = applyEdits(Buffer.from(base, 'utf8'), edits);
        const file = path.join(dir, `fuzz-${n++}.jsonl`);
        writeFileSync(file, bytes);
        const trust = withTrust ? trustFor() : null;
        const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0, native: false });
        const fast = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0, native: true });
        expect(JSON.stringify(fast.verification)).toBe(JSON.stringify(reference.verification));
      }),
      { numRuns: runs(150) },
    );
  }, 120_000);

  it('the bundled sample and its tampered copy: the same results both ways, on worker threads, with most lines taken natively', async () => {
    for (const name of ['export.jsonl', 'export-tampered.jsonl']) {
      const file = path.join(REPO, 'resources/sample', name);
      const trust = JSON.parse(readFileSync(path.join(REPO, 'resources/sample/trust.json'), 'utf8'));
      const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 2, native: false });
      const fast = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 2, native: true });
      expect(JSON.stringify(fast.verification), name).toBe(JSON.stringify(reference.verification));
      let taken = 0;
      let events = 0;
      await streamLineBatches(file, (b) => {
        for (const s of summarizeBatch(b, false)) {
          if (s.t === 'run') taken += s.count;
          if (s.t === 'run' || s.t === 'event') events += s.t === 'run' ? s.count : 1;
        }
      });
      expect(events).toBe(reference.chain.events);
      expect(taken / events, name).toBeGreaterThan(0.95);
    }
  }, 60_000);
});
