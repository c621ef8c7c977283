/** Runs the real `audit-replay` command in a child process, as a user would, and returns its exit code and output. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/audit-replay.mjs');

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * cli() killed after `ms`: code 'killed' if it had not finished. For inputs
 * that could block a read for good (a FIFO): a test of them fails, never hangs.
 */
export async function cliWithin(ms: number, ...args: string[]): Promise<{ code: number | 'killed'; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20, timeout: ms, killSignal: 'SIGKILL' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; killed?: boolean; stdout: string; stderr: string };
    return { code: e.killed ? 'killed' : e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
