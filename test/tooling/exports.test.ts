/** The unused-exports check finds an export used nowhere, and only that. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { unusedExports } from '../../scripts/check-exports.mjs';

const scratch = mkdtempSync(path.join(tmpdir(), 'check-exports-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('lists an export nobody imports and its own file never uses, and nothing else', () => {
  mkdirSync(path.join(scratch, 'src/a'), { recursive: true });
  mkdirSync(path.join(scratch, 'test'), { recursive: true });
  writeFileSync(
    path.join(scratch, 'src/a/hashes.ts'),
    [
      'export const imported = 1;',
      'export interface UsedInFile { n: number }',
      'export function signature(x: UsedInFile): number { return x.n; }',
      'export function dead(): number { return 2; }',
      'export type DeadType = string;',
    ].join('\n'),
  );
  writeFileSync(path.join(scratch, 'src/b.ts'), "import { imported } from './a/hashes';\nexport const b = imported;\n");
  writeFileSync(path.join(scratch, 'test/b.test.ts'), "import { b } from '../src/b';\nimport type { signature } from '../src/a/hashes';\nvoid b;\n");
  expect(unusedExports(scratch)).toEqual(['src/a/hashes.ts: dead', 'src/a/hashes.ts: DeadType']);
});

it('finds none in this repository', () => {
  expect(unusedExports(path.resolve(__dirname, '../..'))).toEqual([]);
});
