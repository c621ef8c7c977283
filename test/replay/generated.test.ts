import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveKey, writeExport } from '../../src/main/node/generate/generate-export';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { replayExport } from '../../src/main/node/replay/replay-service';
import { SAMPLE_POLICIES, tempDir, V7 } from './helpers';

async function generate(events: number, plant: number): Promise<string> {
  const decide = createCedarDecider(V7);
  const file = path.join(tempDir(), `gen-${plant}.jsonl`);
  await writeExport(file, { events, seed: 'replay-test', key: deriveKey('replay-test'), policy: decide.policy, decide, plantDivergences: plant });
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
});
