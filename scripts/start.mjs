#!/usr/bin/env node
/* global process, console */
// `npm start`: build with electron-vite and open the desktop app on the bundled
// sample export (or on `npm start -- --open <export> [--trust <file>] [--policies <dir>]`).
//
// Where the desktop app cannot run here, it says why in one paragraph and runs
// the same verification through the command line instead, so the command still
// shows the main job. That happens when:
//   - the Electron binary is absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, as on CI);
//   - there is no display (Linux without DISPLAY / WAYLAND_DISPLAY);
//   - the process runs as root on Linux (Chromium's sandbox refuses; we never pass --no-sandbox);
//   - better-sqlite3 in node_modules is compiled for Node, not Electron (see docs/security.md,
//     "Native modules": it is rebuilt for Electron only when packaging).
// `npm start -- --cli` forces the command-line path.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const options = {
    open: 'resources/sample/export.jsonl',
    trust: 'resources/sample/trust.json',
    policies: 'resources/sample/policies',
    cli: false,
  };
  // npm runs scripts from the package root; paths the user typed are relative to where they typed them.
  const userCwd = process.env.INIT_CWD ?? process.cwd();
  const given = new Set();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cli') options.cli = true;
    else if (arg === '--open' || arg === '--trust' || arg === '--policies') {
      const value = argv[++i];
      if (!value) fail(`${arg} needs a path after it.`);
      options[arg.slice(2)] = value;
      given.add(arg.slice(2));
    } else fail(`Unknown argument ${JSON.stringify(arg)}. Usage: npm start -- [--open <export>] [--trust <file>] [--policies <dir>] [--cli]`);
  }
  for (const key of ['open', 'trust', 'policies']) options[key] = resolve(given.has(key) ? userCwd : root, options[key]);
  return options;
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(2);
}

/** Why the desktop app cannot start here, or null when it can; plus the binary's path. */
function desktopBlocker() {
  let electronPath;
  try {
    // In plain Node, the 'electron' package exports the path of its binary, and throws when it was never downloaded.
    electronPath = require('electron');
  } catch {
    return { reason: 'the Electron binary is not installed (node_modules was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)' };
  }
  if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
    return { reason: `the Electron binary is missing (expected at ${electronPath})` };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)', electronPath };
  }
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    return { reason: "this runs as root, and Chromium's sandbox refuses to start as root (the app never disables its sandbox)", electronPath };
  }
  // The case store needs better-sqlite3 compiled for Electron's ABI; node_modules keeps the Node build for tests and the CLI.
  const probe = spawnSync(electronPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status !== 0) {
    return {
      reason:
        'better-sqlite3 in node_modules is compiled for Node, not for Electron. To run the desktop app from the source tree, ' +
        'run `npx @electron/rebuild -f -o better-sqlite3`, and afterwards `npm rebuild better-sqlite3` so the tests and the CLI work again',
      electronPath,
    };
  }
  return null;
}

function runCli(options, why) {
  console.log(
    [
      '',
      `The desktop app cannot start here: ${why}.`,
      'Running the same verification and replay with the command line instead (see docs/security.md, "npm start without Electron"):',
      `  node bin/audit-replay.mjs verify ${rel(options.open)} --trust ${rel(options.trust)}`,
      `  node bin/audit-replay.mjs replay ${rel(options.open)} --policies ${rel(options.policies)}`,
      '',
    ].join('\n'),
  );
  for (const [what, path] of [
    ['export', options.open],
    ['trust store', options.trust],
  ]) {
    if (!existsSync(path)) fail(`the ${what} ${rel(path)} does not exist.`);
  }
  const cli = spawnSync(process.execPath, [join(root, 'bin/audit-replay.mjs'), 'verify', options.open, '--trust', options.trust], {
    cwd: root,
    stdio: 'inherit',
  });
  const code = cli.status ?? 1;
  console.log(`\n(audit-replay verify exited with ${code}: 0 intact, 1 tampered, 2 malformed or unusable input, 3 unanchored.)\n`);
  if (existsSync(options.policies)) {
    const replay = spawnSync(process.execPath, [join(root, 'bin/audit-replay.mjs'), 'replay', options.open, '--policies', options.policies], { cwd: root, stdio: 'inherit' });
    console.log(`\n(audit-replay replay exited with ${replay.status ?? 1}: 0 every decision matched, 1 divergences or sequence findings, 2 unusable input.)`);
  }
  // The verdict is the main job's answer; replay findings are shown above.
  process.exit(code);
}

function rel(path) {
  return path.startsWith(root + '/') ? path.slice(root.length + 1) : path;
}

function runDesktop(options, electronPath) {
  const bin = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  console.log('Building with electron-vite…');
  const build = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('the electron-vite build failed (see above).');
  const args = ['.', '--open', options.open, '--trust', options.trust];
  if (existsSync(options.policies)) args.push('--policies', options.policies);
  console.log(`Opening Audit Replay on ${rel(options.open)}…`);
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electronPath, args, { cwd: root, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const options = parseArgs(process.argv.slice(2));
if (options.cli) runCli(options, 'the command line was asked for with --cli');
else {
  const blocker = desktopBlocker();
  if (blocker) runCli(options, blocker.reason);
  else runDesktop(options, require('electron'));
}
