#!/usr/bin/env node
// The `audit-replay` command: the same services as the desktop app, under plain Node.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/main/node/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
