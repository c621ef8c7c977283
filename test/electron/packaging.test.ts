/** The native-module rule: better-sqlite3 is rebuilt for Electron only when packaging, never on install. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '../..');

it('npm install never rebuilds native modules for Electron', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
});

it('electron-builder leaves rebuilding to the beforePack hook, which exists', () => {
  const config = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
  expect(config).toMatch(/^npmRebuild: false$/m);
  const hook = /^beforePack: (.+)$/m.exec(config)?.[1];
  expect(hook).toBe('build/before-pack.cjs');
  expect(existsSync(join(root, hook!))).toBe(true);
  expect(readFileSync(join(root, hook!), 'utf8')).toContain("onlyModules: ['better-sqlite3']");
  // Fuses that would let anyone run the packaged binary as plain Node stay off.
  expect(config).toMatch(/^ {2}runAsNode: false$/m);
  expect(config).toMatch(/^ {2}enableNodeOptionsEnvironmentVariable: false$/m);
});
