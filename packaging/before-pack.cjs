/* global require, module, console */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, as electron-builder loads hooks with require */
// electron-builder beforePack hook: compile better-sqlite3 for the Electron
// version and architecture being packaged. The project's Node build is saved
// first and restored by after-pack.cjs, so tests and the CLI keep working.
const { copyFileSync, existsSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const { nativeBinary, savedNodeBinary } = require('./native-paths.cjs');

// electron-builder's Arch enum, by number.
const ARCH = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

module.exports = async function beforePack(context) {
  const projectDir = context.packager.projectDir;
  const arch = typeof context.arch === 'number' ? ARCH[context.arch] : String(context.arch);
  const electronVersion =
    context.packager.config.electronVersion ?? require(path.join(projectDir, 'node_modules/electron/package.json')).version;

  const binary = nativeBinary(projectDir);
  const saved = savedNodeBinary(projectDir);
  if (existsSync(binary) && !existsSync(saved)) {
    mkdirSync(path.dirname(saved), { recursive: true });
    copyFileSync(binary, saved);
  }

  let rebuild;
  try {
    ({ rebuild } = require('@electron/rebuild'));
  } catch {
    throw new Error('Packaging needs @electron/rebuild: npm install --no-save @electron/rebuild');
  }
  console.log(`  • rebuilding better-sqlite3 for Electron ${electronVersion} (${context.electronPlatformName}, ${arch})`);
  await rebuild({ buildPath: projectDir, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
};
