import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKey, writeExport } from '../../src/main/node/generate/generate-export';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { replayExport } from '../../src/main/node/replay/replay-service';
import { SAMPLE_POLICIES, tempDir, V7 } from './helpers';

async function generate(events: number, plant: number, plantConduct = 0): Promise<string> {
  const decide = createCedarDecider(V7);
  const file = path.join(tempDir(), `gen-${plant}-${plantConduct}.jsonl`);
  await writeExport(file, { events, seed: 'replay-test', key: deriveKey('replay-test'), policy: decide.policy, decide, plantDivergences: plant, plantConduct });
  return file;
}

describe('generated exports', () => {
  it('an export generated with the Cedar decider replays clean', async () => {
    const { report } = await replayExport({ exportPath: await generate(3000, 0), policies: SAMPLE_POLICIES, workers: 1 });
    expect(report.decisions).toBeGreaterThan(500);
    expect(report.matched).toBe(report.decisions);
    expect(report.sequence_findings).toEqual([]);
  });

  it('--plant-divergences plants one of each anomaly and replay finds each', async () => {
    const { report } = await replayExport({ exportPath: await generate(3000, 5), policies: SAMPLE_POLICIES, workers: 1 });
    expect(report.diverged).toBe(1);
    expect(report.divergences[0].fields.map((f) => f.field)).toEqual(['effect', 'determining']);
    expect(report.divergences[0].fields[0]).toEqual({ field: 'effect', recorded: 'allow', replayed: 'deny' });
    expect(report.counts.sequence_findings_by_kind).toEqual({
      'executed-without-approval': 1,
      'action-after-killswitch': 1,
      'executed-after-deny': 1,
      'ring-forbids-action': 1,
    });
    expect(report.sequence_findings.every((f) => f.request_id?.startsWith('req-planted-'))).toBe(true);
  });

  it('writes conduct records (executed args, admissible projections, approval ids and expiry, terminated kill switches) that replay clean', async () => {
    const file = await generate(3000, 0);
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'event');
    const executed = events.filter((e) => e.kind === 'action.executed');
    expect(executed.length).toBeGreaterThan(100);
    expect(executed.every((e) => e.data.args !== undefined)).toBe(true);
    expect(events.filter((e) => e.kind === 'action.projected').length).toBeGreaterThan(0);
    const granted = events.filter((e) => e.kind === 'approval.granted');
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.every((e) => /^apr-\d{7}$/.test(e.data.approval_id) && e.data.expires_at > e.ts)).toBe(true);
    expect(events.filter((e) => e.kind === 'killswitch.engaged').every((e) => e.data.terminated === true)).toBe(true);
    expect(new Set(executed.map((e) => e.data.request_id)).size).toBe(executed.length);
  });

  it('--plant-conduct plants each conduct violation and replay finds each, with the events involved', async () => {
    const { report } = await replayExport({ exportPath: await generate(3000, 0, 6), policies: SAMPLE_POLICIES, workers: 1 });
    expect(report.diverged).toBe(0);
    expect(report.counts.sequence_findings_by_kind).toEqual({
      'executed-differs': 1,
      'projection-not-admissible': 1,
      // The execution on the inadmissible projection is held to the deny.
      'executed-after-deny': 1,
      'self-approval': 1,
      'approval-expired': 1,
      'duplicate-execution': 1,
      'killswitch-ineffective': 1,
    });
    expect(report.sequence_findings.filter((f) => f.kind !== 'killswitch-ineffective').every((f) => f.request_id?.startsWith('req-conduct-') && f.related_seqs.length > 0)).toBe(true);
    expect(report.sequence_findings.find((f) => f.kind === 'killswitch-ineffective')).toMatchObject({ severity: 'warning', related_seqs: [expect.any(Number)] });
    expect(report.conduct).toMatchObject({ status: 'violations', sequence_findings: 6, sequence_warnings: 1 });
  });
});
