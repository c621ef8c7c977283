/* global require, module, console */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, as electron-builder loads hooks with require */
// electron-builder afterPack hook: the packaged copy keeps its Electron build of
// better-sqlite3; the project's node_modules gets its Node build back.
const { copyFileSync, existsSync, rmSync } = require('node:fs');
const { nativeBinary, savedNodeBinary } = require('./native-paths.cjs');

module.exports = async function afterPack(context) {
  const projectDir = context.packager.projectDir;
  const saved = savedNodeBinary(projectDir);
  if (!existsSync(saved)) return;
  copyFileSync(saved, nativeBinary(projectDir));
  rmSync(saved);
  console.log('  • restored the Node build of better-sqlite3 in node_modules');
};
