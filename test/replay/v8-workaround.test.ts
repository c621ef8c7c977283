import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { V7 } from './helpers';

const runTs = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));
const repro = fileURLToPath(new URL('./fixtures/wasm-inline-repro.ts', import.meta.url));

describe('V8 JS-to-Wasm inlining workaround', () => {
  it('tens of thousands of kept Cedar answers do not abort the process', () => {
    const child = spawnSync(process.execPath, [runTs, repro, V7, '80000'], { encoding: 'utf8' });
    expect(child.stderr).not.toMatch(/Fatal error/);
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('evaluated 80000\n');
  });
});
