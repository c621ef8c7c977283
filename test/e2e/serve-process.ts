/** A real `audit-replay serve` child process for the Chromium tests: its printed link, and a clean stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_PATH, REPO_ROOT } from '../../scripts/browser-shell';

export interface ServeProcess {
  child: ChildProcess;
  /** The first stdout line: `http://127.0.0.1:PORT/?token=…[#case=…]`. */
  link: string;
  stop(): Promise<void>;
}

export async function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/audit-replay.mjs'), 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const link = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
  return {
    child,
    link,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((ok) => child.once('exit', ok));
      }
    },
  };
}

/** Debian's Chromium with the flags this machine needs, and a page that collects console errors into `problems`. */
export async function openBrowser(problems: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return { browser, page };
}
