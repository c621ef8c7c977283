/** `audit-replay serve` as a process: the first stdout line is the link, --open puts the case in it, SIGTERM stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SAMPLE = join(ROOT, 'resources/sample');
const dirs: string[] = [];
const children: ChildProcess[] = [];

function serve(args: string[]): { child: ChildProcess; firstLine: Promise<string>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/audit-replay.mjs'), 'serve', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const firstLine = new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    void exit.then((code) => fail(new Error(`serve exited ${code} before printing a link: ${err}`)));
  });
  // Tests that expect no link never await it.
  firstLine.catch(() => undefined);
  return { child, firstLine, stderr: () => err, exit };
}

function ui(): string {
  const dir = mkdtempSync(join(tmpdir(), 'audit-replay-serve-cmd-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'ui'));
  writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>desk</title>');
  return dir;
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('audit-replay serve', () => {
  it('opens the case named by --open and prints its deep link first; the link answers with the token only', async () => {
    const dir = ui();
    const run = serve(['--cases', join(dir, 'cases'), '--ui', join(dir, 'ui'), '--open', join(SAMPLE, 'export.jsonl'), '--trust', join(SAMPLE, 'trust.json'), '--policies', join(SAMPLE, 'policies')]);
    const line = await run.firstLine;
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})#case=([0-9a-f-]{36})$/.exec(line);
    expect(m, line).not.toBeNull();
    const [, port, token, caseId] = m!;
    const ask = (auth: string | null) =>
      fetch(`http://127.0.0.1:${port}/api/getCaseSummary`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        body: JSON.stringify([caseId]),
      });
    expect((await ask(null)).status).toBe(401);
    const reply = (await (await ask(token!)).json()) as { ok: boolean; value: { verdict: string; exportName: string; trustPath: string; replay: unknown } };
    expect(reply.ok).toBe(true);
    expect(reply.value.exportName).toBe('export.jsonl');
    expect(reply.value.trustPath).toBe(join(SAMPLE, 'trust.json'));
    expect(reply.value.verdict).toBe('intact');
    expect(reply.value.replay).not.toBeNull();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('says in one sentence why an --open export cannot be opened, and prints no link', async () => {
    const dir = ui();
    const run = serve(['--cases', join(dir, 'cases'), '--ui', join(dir, 'ui'), '--open', join(dir, 'missing.jsonl')]);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/missing\.jsonl/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('refuses a folder without a built desk, and --trust without --open', async () => {
    const dir = ui();
    const noUi = serve(['--cases', join(dir, 'cases'), '--ui', join(dir, 'nothing-here'), '--open', join(SAMPLE, 'export.jsonl')]);
    expect(await noUi.exit).toBe(2);
    expect(noUi.stderr()).toMatch(/There is no built desk in .*nothing-here/);
    // Said before any ingest starts.
    expect(noUi.stderr()).not.toMatch(/Opening/);
    const usage = serve(['--trust', join(SAMPLE, 'trust.json')]);
    expect(await usage.exit).toBe(2);
    expect(usage.stderr()).toMatch(/--trust and --policies go with --open/);
  });
});
