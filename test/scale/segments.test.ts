/**
 * The map and the ordered reduce without a queue: count and verify every
 * segment of an export, reduce them, and get exactly what verify says,
 * whatever is done to the export (random edits) and however it is cut.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { verifyAuditExport } from '../../src/main/node/formats/audit-export-reader';
import { toVerification } from '../../src/main/node/formats/audit-export-reader';
import { countSegment, planSegments, verifySegment, type Plan, type SegmentRef } from '../../src/main/node/scale/segments';
import { reduceSegments } from '../../src/main/node/scale/reduce';
import { SegmentLeavesNeeded } from '../../src/shared/verify/chain-verifier';
import { buildLines, specs, tmpDir, toText, trustFor } from '../support/export-builder';
import { applyEdits, exportEdit } from '../support/export-edits';

const refOf = (plan: Plan, k: number): SegmentRef => ({ path: plan.path, size: plan.size, mtimeMs: plan.mtimeMs, start: plan.segments[k].start, end: plan.segments[k].end });

async function distributed(file: string, segmentBytes: number, trust: ReturnType<typeof trustFor> | null) {
  const plan = (await planSegments(file, segmentBytes))!;
  const counts = await Promise.all(plan.segments.map((_, k) => countSegment(refOf(plan, k))));
  const starts: number[] = [];
  let n = 0;
  for (const c of counts) {
    starts.push(n);
    n += c.events;
  }
  const summaries = await Promise.all(plan.segments.map((_, k) => verifySegment(refOf(plan, k), starts[k])));
  const { chain, stats } = await reduceSegments(plan, trust, summaries);
  return { verification: toVerification(chain, 'the first line is an audit-export/1 header'), stats, plan, summaries };
}

describe('segments verified apart, reduced in order', () => {
  const dir = tmpDir();
  const base = toText(
    buildLines(
      specs(60).map((_, i) => ({ data: { i, note: i % 7 ? 'plain' : 'Zürich 😀', amount: i * 101 } })),
      { every: 8 },
    ),
  );

  it('a clean export: every segment merged from its summary, the verdict and findings those of verify', async () => {
    const file = path.join(dir, 'clean.jsonl');
    writeFileSync(file, base);
    for (const trust of [trustFor(), null]) {
      const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0 });
      const got = await distributed(file, 700, trust);
      expect(got.plan.segments.length).toBeGreaterThan(10);
      expect(got.stats.readHere).toBe(0);
      expect(got.summaries.every((s) => !s.dirty && s.pieces.some((p) => p.t === 'run'))).toBe(true);
      expect(JSON.stringify(got.verification)).toBe(JSON.stringify(reference.verification));
    }
  });

  it('says what verify says whatever is done to the export (random edits), however it is cut', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(exportEdit, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.integer({ min: 200, max: 5000 }), async (edits, withTrust, segmentBytes) => {
        const bytes = applyEdits(Buffer.from(base, 'utf8'), edits);
        const file = path.join(dir, `fuzz-${n++}.jsonl`);
        writeFileSync(file, bytes);
        const trust = withTrust ? trustFor() : null;
        const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0 }).catch((err: Error) => err);
        const got = await distributed(file, segmentBytes, trust).catch((err: Error) => err);
        if (got instanceof SegmentLeavesNeeded) return; // the run then verifies the file locally
        if (reference instanceof Error || got instanceof Error) {
          expect(String(got)).toBe(String(reference));
          return;
        }
        expect(JSON.stringify(got.verification)).toBe(JSON.stringify(reference.verification));
      }),
      { numRuns: 120 },
    );
  }, 300_000);

  it('a checkpoint that lags behind its events needs leaves no segment brought: SegmentLeavesNeeded, not a wrong answer', async () => {
    const lines = buildLines(specs(40), { every: 8 });
    // Move the checkpoint after event 16 two events later: it now covers fewer events than precede it.
    const cpAt = lines.findIndex((l, i) => i > 0 && l.type === 'checkpoint' && l.tree_size === 16);
    const [cp] = lines.splice(cpAt, 1);
    lines.splice(cpAt + 2, 0, cp);
    const file = path.join(dir, 'lagging.jsonl');
    writeFileSync(file, toText(lines));
    const reference = await verifyAuditExport({ path: file, trust: trustFor(), hmacKey: null, workers: 0 });
    expect(reference.chain.checkpoints.find((c) => c.treeSize === 16)?.holds).toBe(true);
    await expect(distributed(file, 400, trustFor())).rejects.toBeInstanceOf(SegmentLeavesNeeded);
  });
});
