/**
 * The generator writes the same bytes for the same seed and options: these
 * digests were computed with the generator as it was before it was made
 * faster (commit ed553a4), so a speed-up that changes one byte fails here.
 */
import { expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../support/run-cli';
import { tmpDir } from '../support/export-builder';

const CASES: { args: string[]; sha256: string }[] = [
  { args: ['--events', '20000', '--seed', '7', '--checkpoint-every', '1000'], sha256: '483069ccdc4dac02270ac52ad61c82ce1352f5da0270f1d1f810bc5bd6b09a18' },
  { args: ['--events', '5000', '--seed', 'x9', '--checkpoint-every', '37'], sha256: 'f592c52f0a2a7c75866c2fb0d75ba7acb549bfb7446bb44df01f9f82a35d8e20' },
  { args: ['--events', '4000', '--seed', '3', '--plant-divergences', '5', '--plant-conduct', '3'], sha256: 'ec2690955af92287084f397eaa81490ad0ca64429f35bd2102b54365241672a1' },
];

it('writes the bytes the generator wrote before, for each set of options', async () => {
  const dir = tmpDir();
  for (const [i, c] of CASES.entries()) {
    const out = path.join(dir, `g${i}.jsonl`);
    const r = await cli('generate', ...c.args, '--out', out, '--key-out', path.join(dir, `k${i}.json`));
    expect(r.code, r.stderr).toBe(0);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex'), c.args.join(' ')).toBe(c.sha256);
  }
}, 300_000);
