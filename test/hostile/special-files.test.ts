/**
 * Special files given where a file is read, built the way an attacker
 * would: a FIFO (made at test time: it cannot be committed), a folder, a
 * device. Every case must end at once with exit 2 and a sentence naming
 * the file and what it is. A FIFO or an endless device is tried in a child
 * process that is killed if it does not finish, the rest in this process
 * against a timer, and every FIFO is opened afterwards to wake anything stuck
 * on it: a regression fails these tests, it does not hang them.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, cpSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/node/cli/main';
import { cliWithin } from '../core/run-cli';

const root = path.join(os.tmpdir(), `special-files-${process.pid}-${Date.now()}`);
const SAMPLE = path.resolve(import.meta.dirname, '../../resources/sample');
const fifos: string[] = [];
let exportPath: string;
let trustPath: string;
let keyPath: string;

function fifo(name: string): string {
  const file = path.join(root, name);
  execFileSync('mkfifo', [file]);
  fifos.push(file);
  return file;
}

/**
 * Wakes whatever is stuck opening a FIFO (a reader waits for a writer, a
 * writer for a reader): it then sees end of file, or EPIPE.
 */
function unblock(file: string): void {
  for (const flags of [constants.O_WRONLY | constants.O_NONBLOCK, constants.O_RDONLY | constants.O_NONBLOCK]) {
    try {
      closeSync(openSync(file, flags));
    } catch {
      // ENXIO: no reader waiting on it
    }
  }
}

/** The command in this process, bounded: 'hung' when it has not finished in time. */
async function run(args: string[], ms = 5000): Promise<{ code: number | 'hung'; out: string }> {
  let out = '';
  const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WriteStream;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  const code = await Promise.race([runCli(args, { stdout: sink, stderr: sink }), hung]);
  clearTimeout(timer);
  return { code, out };
}

async function refused(args: string[], sentence: RegExp): Promise<string> {
  const r = await run(args);
  expect(r.code, `${args.join(' ')}\n${r.out}`).toBe(2);
  expect(r.out).toMatch(sentence);
  expect(r.out).not.toMatch(/internal error|\n\s+at /);
  return r.out;
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  exportPath = path.join(root, 'export.jsonl');
  trustPath = path.join(root, 'trust.json');
  keyPath = path.join(root, 'key.json');
  const r = await run(['generate', '--events', '40', '--seed', '7', '--out', exportPath, '--key-out', keyPath, '--trust-out', trustPath, '--checkpoint-every', '10'], 30_000);
  expect(r.code, r.out).toBe(0);
}, 60_000);

afterEach(() => {
  for (const f of fifos) unblock(f);
});

afterAll(() => {
  for (const f of fifos) unblock(f);
  rmSync(root, { recursive: true, force: true });
});

/*
 * A read of a FIFO (or of /dev/zero) can block a thread for good, even this
 * process's main thread (SQLite opens --notes synchronously), where no timer
 * fires: these run the real command in a child process, killed after
 * CHILD_MS. Each `it` runs its cases side by side.
 */
const CHILD_MS = 10_000;

async function childRefuses(cases: [string[], RegExp][]): Promise<void> {
  const results = await Promise.all(cases.map(([args]) => cliWithin(CHILD_MS, ...args)));
  results.forEach((r, i) => {
    const [args, sentence] = cases[i];
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(sentence);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
}

describe('a FIFO given as an input is refused at once, never read', () => {
  const IS_FIFO = (role: string) => new RegExp(`pipe-\\w+: is a FIFO \\(named pipe\\), not a regular file, so it cannot be the ${role}`);

  it('as the export, to every command that reads one', { timeout: 40_000 }, async () => {
    const pipe = fifo('pipe-export');
    await childRefuses([
      [['verify', pipe], IS_FIFO('export')],
      [['replay', pipe, '--policies', path.join(SAMPLE, 'policies'), '--workers', '1'], IS_FIFO('export')],
      [['report', pipe, '--out', path.join(root, 'r-fifo.json')], IS_FIFO('export')],
    ]);
    await childRefuses([
      [['export-events', pipe, '--ocel', path.join(root, 'o-fifo.json')], IS_FIFO('export')],
      [['check-report', trustPath, pipe], IS_FIFO('export')],
    ]);
    expect(existsSync(path.join(root, 'r-fifo.json'))).toBe(false);
  });

  it('as the trust store, the HMAC key file, and the earlier export of --continues', { timeout: 40_000 }, async () => {
    const pipe = fifo('pipe-trust');
    await childRefuses([
      [['verify', exportPath, '--trust', pipe], IS_FIFO('trust store')],
      [['report', exportPath, '--trust', pipe, '--out', path.join(root, 'r-trust.json')], IS_FIFO('trust store')],
      [['verify-report', trustPath, '--trust', pipe], IS_FIFO('trust store')],
    ]);
    await childRefuses([
      [['verify', exportPath, '--hmac-key-file', fifo('pipe-hmac')], IS_FIFO('HMAC key file')],
      [['verify', exportPath, '--continues', fifo('pipe-continues')], IS_FIFO('earlier export this one continues')],
    ]);
  });

  it('as either side of compare', { timeout: 30_000 }, async () => {
    const pipe = fifo('pipe-compare');
    await childRefuses([
      [['compare', exportPath, pipe], IS_FIFO('newer export')],
      [['compare', pipe, exportPath], IS_FIFO('older export')],
    ]);
  });

  it('as --notes, the signing key, and the report checked', { timeout: 40_000 }, async () => {
    await childRefuses([
      [['report', exportPath, '--notes', fifo('pipe-notes'), '--out', path.join(root, 'r-notes.json')], IS_FIFO('case store holding the notes')],
      [['report', exportPath, '--sign-key', fifo('pipe-sign'), '--out', path.join(root, 'r-sign.json')], IS_FIFO('signing key file')],
    ]);
    await childRefuses([
      [['check-report', fifo('pipe-report'), exportPath], IS_FIFO('report')],
      [['verify-report', fifo('pipe-report2'), '--trust', trustPath], IS_FIFO('report')],
    ]);
  });

  it('as a file of a policy bundle', { timeout: 30_000 }, async () => {
    const policies = path.join(root, 'policies-fifo');
    cpSync(path.join(SAMPLE, 'policies'), policies, { recursive: true });
    const cedar = path.join(policies, 'ap-policy-v7', 'policies.cedar');
    rmSync(cedar);
    execFileSync('mkfifo', [cedar]);
    fifos.push(cedar);
    await childRefuses([
      [['replay', path.join(SAMPLE, 'export.jsonl'), '--policies', policies, '--workers', '1'], /policies\.cedar: is a FIFO \(named pipe\), not a regular file/],
      // The policy folder itself must be a folder.
      [['replay', path.join(SAMPLE, 'export.jsonl'), '--policies', fifo('pipe-policies'), '--workers', '1'], /pipe-policies: is a FIFO \(named pipe\), not a folder of policy bundles/],
    ]);
  });

  it('/dev/zero (endless) is refused as a character device, not read', { timeout: 30_000 }, async () => {
    await childRefuses([
      [['verify', '/dev/zero'], /\/dev\/zero: is a character device, not a regular file, so it cannot be the export/],
      [['verify', exportPath, '--hmac-key-file', '/dev/zero'], /is a character device, not a regular file, so it cannot be the HMAC key file/],
    ]);
  });
});

describe('a folder given as an input', () => {
  it('a folder is "a folder", not "internal error: EISDIR"', { timeout: 15_000 }, async () => {
    const dir = path.join(root, 'a-folder');
    mkdirSync(dir);
    const IS_FOLDER = (role: string) => new RegExp(`a-folder: is a folder, not a regular file, so it cannot be the ${role}`);
    await refused(['verify', dir], IS_FOLDER('export'));
    await refused(['verify', exportPath, '--trust', dir], IS_FOLDER('trust store'));
    await refused(['verify', exportPath, '--hmac-key-file', dir], IS_FOLDER('HMAC key file'));
    await refused(['verify', exportPath, '--continues', dir], IS_FOLDER('earlier export this one continues'));
    await refused(['compare', exportPath, dir], IS_FOLDER('newer export'));
    await refused(['report', exportPath, '--notes', dir, '--out', path.join(root, 'r-dir.json')], IS_FOLDER('case store holding the notes'));
    await refused(['check-report', dir, exportPath], IS_FOLDER('report'));
  });
});
