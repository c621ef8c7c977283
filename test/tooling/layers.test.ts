/**
 * The layer rules fail loudly: the repo's own ESLint config refuses a back
 * import between capability folders and node:* in the preload, and the loop
 * check finds folder-level loops (and prints them) on made-up trees.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { checkRepo, findLoops, unitGraph } from '../../scripts/check-layers.mjs';

const repo = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: repo });

async function lintMessages(file: string, text: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(repo, file) });
  return result.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

describe('lint with the repo config', () => {
  it('refuses a back import from formats to verify, naming both and what formats may import', async () => {
    const messages = await lintMessages('src/main/node/formats/probe.ts', "import { verifyFile } from '../verify/verify-file';\nexport const probe = verifyFile;\n");
    expect(messages).toEqual([
      {
        ruleId: 'local/layers',
        message: "src/main/node/formats may not import verify ('../verify/verify-file'): formats may import only errors, read. Layers go one way (docs/architecture.md).",
      },
    ]);
  });

  it('lets the same import go the other way, from verify to formats', async () => {
    expect(await lintMessages('src/main/node/verify/probe.ts', "import { detectFormat } from '../formats/registry';\nexport const probe = detectFormat;\n")).toEqual([]);
  });

  it('counts a worker entry (new URL(…, import.meta.url)) and a type import as imports', async () => {
    const worker = await lintMessages('src/main/node/read/probe.ts', "export const probe = new URL('../service/case-reader-worker.mjs', import.meta.url);\n");
    expect(worker.map((m) => m.ruleId)).toEqual(['local/layers']);
    const types = await lintMessages('src/shared/replay/probe.ts', "import type { AuditApi } from '../api/audit-api';\nexport type Probe = AuditApi;\n");
    expect(types.map((m) => m.message)).toEqual([expect.stringContaining('src/shared/replay may not import api')]);
  });

  it('refuses a root file of src/shared importing a folder above it', async () => {
    const messages = await lintMessages('src/shared/crypto.ts', "import type { IncrementalMerkleTree } from './verify/merkle';\nexport type Probe = IncrementalMerkleTree;\n");
    expect(messages.map((m) => m.message)).toEqual([expect.stringContaining('src/shared/crypto may not import verify')]);
  });

  it('asks for a place in the map for a new folder', async () => {
    const messages = await lintMessages('src/main/node/helpers/probe.ts', 'export const probe = 1;\n');
    expect(messages.map((m) => m.message)).toEqual([expect.stringContaining('src/main/node/helpers has no place in the layer map')]);
  });

  it('refuses node:* in the preload, like the bare builtin names', async () => {
    for (const name of ['node:fs', 'fs']) {
      const messages = await lintMessages('src/preload/probe.ts', `import { readFileSync } from '${name}';\nexport const probe = readFileSync;\n`);
      expect(
        messages.map((m) => m.ruleId),
        name,
      ).toEqual(['no-restricted-imports']);
    }
  });
});

describe('folder-level loop check', () => {
  const files = (entries: Record<string, string>) => Object.entries(entries).map(([file, text]) => ({ file, text }));

  it('finds a three-folder loop and one concrete path through it', () => {
    const graph = unitGraph(
      files({ 'a/x.ts': "import { y } from '../b/y';", 'b/y.ts': "export * from '../c/z';", 'c/z.ts': "const w = new URL('../a/w.mjs', import.meta.url);", 'd/top.ts': "import '../a/x';" }),
    );
    expect(findLoops(graph)).toEqual([{ units: ['a', 'b', 'c'], loop: ['a', 'b', 'c', 'a'] }]);
  });

  it('finds none in a one-way graph, and treats a root file as its own unit', () => {
    expect(findLoops(unitGraph(files({ 'crypto.ts': "import { h } from './hex';", 'hex.ts': '', 'verify/m.ts': "import type { S } from '../crypto';" })))).toEqual([]);
    expect(findLoops(unitGraph(files({ 'crypto.ts': "import type { T } from './verify/merkle';", 'verify/m.ts': "import type { S } from '../crypto';" })))).toEqual([
      { units: ['crypto', 'verify'], loop: ['crypto', 'verify', 'crypto'] },
    ]);
  });

  it('finds no loop in this repository', () => {
    expect(checkRepo(repo).problems).toEqual([]);
  });

  const scratch = mkdtempSync(path.join(tmpdir(), 'check-layers-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('as a script, exits 1 and prints the loop with the imports that make it', () => {
    mkdirSync(path.join(scratch, 'src/main/node/formats'), { recursive: true });
    mkdirSync(path.join(scratch, 'src/main/node/verify'), { recursive: true });
    writeFileSync(path.join(scratch, 'src/main/node/formats/registry.ts'), "import { r } from '../verify/audit-export-reader';\n");
    writeFileSync(path.join(scratch, 'src/main/node/verify/audit-export-reader.ts'), "import type { FormatReader } from '../formats/reader';\n");
    const run = spawnSync(process.execPath, [path.join(repo, 'scripts/check-layers.mjs'), scratch], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain('src/main/node: 2 units import one another in a loop (formats, verify); one loop is formats → verify → formats:');
    expect(run.stderr).toContain("src/main/node/formats/registry.ts imports '../verify/audit-export-reader' (formats → verify)");
    expect(run.stderr).toContain("src/main/node/verify/audit-export-reader.ts imports '../formats/reader' (verify → formats)");
  });
});
