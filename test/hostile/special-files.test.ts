/**
 * Special files given where a file is read, and outputs named over inputs,
 * built the way an attacker would: a FIFO (made at test time: it cannot be
 * committed), a folder, a device, and symbolic and hard links from an output
 * to an input. Every case must end at once with exit 2 and a sentence naming
 * the file and what it is. A FIFO or an endless device is tried in a child
 * process that is killed if it does not finish, the rest in this process
 * against a timer, and every FIFO is opened afterwards to wake anything stuck
 * on it: a regression fails these tests, it does not hang them. Full-disk and
 * read-only outputs: test/faults/disk.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, copyFileSync, cpSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/main/node/cli/main';
import { cli, cliWithin } from '../support/run-cli';

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

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

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

describe('an output that is an input is refused before anything is written (exit 2)', () => {
  // Each test its own copies: a regression overwrites them, not the next test's inputs.
  let work: string;
  let ex: string;
  let tr: string;
  let ky: string;
  let n = 0;
  beforeEach(() => {
    work = path.join(root, `outputs-${++n}`);
    mkdirSync(work);
    ex = path.join(work, 'export.jsonl');
    tr = path.join(work, 'trust.json');
    ky = path.join(work, 'key.json');
    copyFileSync(exportPath, ex);
    copyFileSync(trustPath, tr);
    copyFileSync(keyPath, ky);
  });

  function sameAfter(files: string[]): () => void {
    const before = files.map(sha);
    return () => expect(files.map(sha)).toEqual(before);
  }

  it('report --out: a symbolic link and a hard link to the export, and the export itself', { timeout: 30_000 }, async () => {
    const unchanged = sameAfter([ex]);
    const soft = path.join(work, 'soft.json');
    symlinkSync(ex, soft);
    const hard = path.join(work, 'hard.json');
    linkSync(ex, hard);
    await refused(['report', ex, '--out', soft], /--out \S*soft\.json is the export being examined; choose another file/);
    await refused(['report', ex, '--out', hard], /--out \S*hard\.json is the export being examined; choose another file/);
    // An export whose name ends in .json (formats are detected by content): report X --out X.
    const jsonExport = path.join(work, 'export-named.json');
    copyFileSync(ex, jsonExport);
    const unchangedJson = sameAfter([jsonExport]);
    await refused(['report', jsonExport, '--out', jsonExport], /is the export being examined; choose another file/);
    // Named through a linked folder: the same file by another path.
    const alias = path.join(work, 'alias');
    symlinkSync(work, alias);
    await refused(['report', jsonExport, '--out', path.join(alias, 'export-named.json')], /alias\/export-named\.json is the export being examined/);
    unchanged();
    unchangedJson();
  });

  it('report --out naming the trust store, signing key, HMAC key, notes, or a file in the policy folder', { timeout: 30_000 }, async () => {
    const notes = path.join(work, 'case.db');
    writeFileSync(notes, 'not read: refused first');
    const notesLink = path.join(work, 'notes-link.json');
    linkSync(notes, notesLink);
    const hmac = path.join(work, 'hmac.json');
    writeFileSync(hmac, 'secret');
    const policies = path.join(work, 'policies-out');
    cpSync(path.join(SAMPLE, 'policies'), policies, { recursive: true });
    const unchanged = sameAfter([tr, ky, notes, hmac, path.join(policies, 'ap-policy-v7', 'manifest.json')]);
    await refused(['report', ex, '--trust', tr, '--out', tr], /--out \S*trust\.json is the trust store given with --trust; choose another file/);
    await refused(['report', ex, '--sign-key', ky, '--out', ky], /is the signing key given with --sign-key; choose another file/);
    await refused(['report', ex, '--hmac-key-file', hmac, '--out', hmac], /is the HMAC key file given with --hmac-key-file; choose another file/);
    await refused(['report', ex, '--notes', notes, '--out', notesLink], /is the case store given with --notes; choose another file/);
    await refused(['report', ex, '--policies', policies, '--out', path.join(policies, 'ap-policy-v7', 'manifest.json')], /is inside the policy folder given with --policies; choose another file/);
    unchanged();
    expect(readdirSync(work).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('export-events --ocel / --xes over the export, and over each other', { timeout: 15_000 }, async () => {
    const unchanged = sameAfter([ex]);
    const soft = path.join(work, 'soft.xes');
    symlinkSync(ex, soft);
    await refused(['export-events', ex, '--ocel', ex], /--ocel \S*export\.jsonl is the export being examined; choose another file/);
    await refused(['export-events', ex, '--xes', soft], /--xes \S*soft\.xes is the export being examined; choose another file/);
    const both = path.join(work, 'both.out');
    await refused(['export-events', ex, '--ocel', both, '--xes', both], /--xes \S*both\.out and --ocel \S*both\.out name the same file; choose another file/);
    expect(existsSync(both)).toBe(false);
    unchanged();
  });

  it('generate: --out, --key-out and --trust-out must be three files', { timeout: 15_000 }, async () => {
    const a = path.join(work, 'gen-a.jsonl');
    const k = path.join(work, 'gen-k.json');
    await refused(['generate', '--events', '5', '--out', a, '--key-out', a], /--key-out \S*gen-a\.jsonl and --out \S*gen-a\.jsonl name the same file; choose another file/);
    await refused(['generate', '--events', '5', '--out', a, '--key-out', k, '--trust-out', k], /--trust-out \S*gen-k\.json and --key-out \S*gen-k\.json name the same file/);
    await refused(['generate', '--events', '5', '--out', ex, '--key-out', k, '--trust-out', ex], /--trust-out \S*export\.jsonl and --out \S*export\.jsonl name the same file/);
    expect(existsSync(a) || existsSync(k)).toBe(false);
  });

  it('an output that is a folder, a FIFO or /dev/full is refused as not a regular file', { timeout: 30_000 }, async () => {
    const dir = path.join(work, 'out-folder.json');
    mkdirSync(dir);
    await refused(['report', ex, '--out', dir], /--out \S*out-folder\.json is a folder, not a regular file; choose another file/);
    const full = path.join(work, 'full.json');
    symlinkSync('/dev/full', full);
    await refused(['report', ex, '--out', full], /--out \S*full\.json is a character device, not a regular file; choose another file/);
    await refused(['export-events', ex, '--xes', '/dev/full'], /--xes \/dev\/full is a character device, not a regular file; choose another file/);
    // Opening a FIFO to write blocks until a reader comes: in a child.
    await childRefuses([[['export-events', ex, '--ocel', fifo('pipe-out')], /--ocel \S*pipe-out is a FIFO \(named pipe\), not a regular file; choose another file/]]);
  });

  it('through the real command: report X --out X exits 2 and X is unchanged', { timeout: 20_000 }, async () => {
    const soft = path.join(work, 'soft-child.json');
    symlinkSync(ex, soft);
    const before = sha(ex);
    const r = await cli('report', ex, '--out', soft);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out \S*soft-child\.json is the export being examined; choose another file/);
    expect(sha(ex)).toBe(before);
  });

  it('an ordinary report is still written, whole, with no temporary file left beside it', { timeout: 30_000 }, async () => {
    const out = path.join(work, 'fine.json');
    writeFileSync(out, 'an older report');
    const r = await run(['report', ex, '--trust', tr, '--out', out], 30_000);
    expect(r.code, r.out).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).report_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(work).filter((f) => f.includes('.partial'))).toEqual([]);
  });
});
