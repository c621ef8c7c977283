/* global require, exports */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, as electron-builder loads hooks with require */
// Where better-sqlite3's compiled addon lives, and where the packaging hooks keep the Node build meanwhile.
const path = require('node:path');

exports.nativeBinary = (projectDir) => path.join(projectDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
exports.savedNodeBinary = (projectDir) => path.join(projectDir, 'node_modules/.cache/audit-replay/better_sqlite3.node-for-node');
