#!/usr/bin/env node
/* global process */
// Builds the optional native fast path for verification (native/event-scan.cc)
// with node-gyp, as `npm install` runs it. Without a C++ compiler the build
// fails, this says so, and the install goes on: verification then runs in
// JavaScript with the same results, only slower. AUDIT_REPLAY_REQUIRE_NATIVE=1
// (set by .ci/run) makes a failed build fail the install instead.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const required = process.env.AUDIT_REPLAY_REQUIRE_NATIVE === '1';

// npm hands its own node-gyp to scripts; otherwise look beside npm.
function nodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  try {
    return createRequire(path.join(path.dirname(process.execPath), '../lib/node_modules/npm/package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

const gyp = nodeGyp();
let ok = false;
let why = 'node-gyp was not found (it comes with npm)';
if (gyp) {
  const run = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  ok = run.status === 0 && existsSync(path.join(root, 'build/Release/event_scan.node'));
  why =
    (run.stderr || run.stdout || '')
      .split('\n')
      .filter((l) => /error|not found|fail/i.test(l))
      .slice(0, 5)
      .join('\n') || `node-gyp exited with ${run.status}`;
}
if (ok) {
  process.stdout.write('audit-replay: built the native verification fast path (build/Release/event_scan.node)\n');
} else if (required) {
  process.stderr.write(`audit-replay: the native verification fast path did not build, and AUDIT_REPLAY_REQUIRE_NATIVE=1:\n${why}\n`);
  process.exit(1);
} else {
  process.stderr.write(`audit-replay: the native verification fast path did not build; verification will run in JavaScript (same results, slower).\n${why}\n`);
}
