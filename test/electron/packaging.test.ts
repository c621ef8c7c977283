/**
 * The native-module rule: better-sqlite3 is rebuilt for Electron only when
 * packaging, never on install. The one install script builds our own N-API
 * addon (the verification fast path) for Node, and nothing else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '../..');

it('npm install never rebuilds native modules for Electron', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const hook of ['preinstall', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
  expect(pkg.scripts.install).toBe('node scripts/build-native.mjs');
  const script = readFileSync(join(root, 'scripts/build-native.mjs'), 'utf8');
  expect(script).toMatch(/\[gyp, 'rebuild'\], \{ cwd: root/);
  expect(script).not.toMatch(/electron|better-sqlite3|--target/i);
});

it('electron-builder leaves rebuilding to the beforePack hook, which exists', () => {
  const config = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
  expect(config).toMatch(/^npmRebuild: false$/m);
  const hook = /^beforePack: (.+)$/m.exec(config)?.[1];
  expect(hook).toBe('packaging/before-pack.cjs');
  expect(existsSync(join(root, hook!))).toBe(true);
  expect(readFileSync(join(root, hook!), 'utf8')).toContain("onlyModules: ['better-sqlite3']");
  // Fuses that would let anyone run the packaged binary as plain Node stay off.
  expect(config).toMatch(/^ {2}runAsNode: false$/m);
  expect(config).toMatch(/^ {2}enableNodeOptionsEnvironmentVariable: false$/m);
});
