/**
 * The browser test shell: the built renderer served by the desk server of
 * `audit-replay serve` (src/main/node/serve) over services running in this
 * Node process, opened in Debian's Chromium through playwright-core. The page
 * reaches exactly the AuditApi surface over HTTP with the per-run token, as a
 * reviewer's browser does.
 *
 *   node bin/run-ts.mjs scripts/browser-shell.ts --fake [--events N] [--shot file.png] [--dark]
 *   node bin/run-ts.mjs scripts/browser-shell.ts --export resources/sample/export.jsonl --trust … --policies … --shot file.png
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { AuditApi, PickKind } from '../src/shared/api/audit-api';
import { startDeskServer } from '../src/main/node/serve/desk-server';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** What the shell needs from the services: the lead's AuditService has this shape. */
export type ShellService = Omit<AuditApi, 'pickFile' | 'getDeskInfo'> & { close?(): Promise<void> };

export interface ShellOptions {
  service: ShellService;
  /** What the "Choose…" dialogs answer, since a browser has no native file dialog. */
  picks?: Partial<Record<PickKind, string>>;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Told how long each bridged call took in the service (benches use it to name slow calls). */
  onCall?(method: string, ms: number): void;
  /** Reuse an already built renderer folder. */
  rendererDir?: string;
}

export interface Shell {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  url: string;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

let built: string | null = null;
/** Builds the renderer once per process into a private folder (parallel test files must not share one). */
export function buildRenderer(): string {
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), 'audit-replay-ui-'));
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(REPO_ROOT, 'scripts', 'ui-vite.config.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, UI_SHELL_OUT: out },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`Building the renderer failed:\n${result.stdout}\n${result.stderr}`);
  built = out;
  process.once('exit', () => rmSync(out, { recursive: true, force: true }));
  return out;
}

export async function startShell(options: ShellOptions): Promise<Shell> {
  const dir = options.rendererDir ?? buildRenderer();
  // The real `audit-replay serve` door: token, Host/Origin checks, CSP, calls validated as over IPC.
  const server = await startDeskServer({ service: options.service, rendererDir: dir, pickFile: (kind) => options.picks?.[kind] ?? null, onCall: options.onCall });
  const url = server.url;
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 1000 }, colorScheme: options.colorScheme ?? 'light' });
  const problems: string[] = [];
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(url);
  return {
    browser,
    context,
    page,
    url,
    problems,
    async screenshot(name: string) {
      const file = join(REPO_ROOT, 'test-results', name.endsWith('.png') ? name : `${name}.png`);
      // From the top, so the sticky header sits where a person sees it.
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const flag = (name: string) => argv.includes(name);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  let service: ShellService;
  let casesDir: string | null = null;
  if (flag('--fake')) {
    const { createFakeAuditApi } = await import('../test/renderer/fake-audit-api');
    service = createFakeAuditApi({ events: Number(value('--events') ?? 1_000_000), progressDelayMs: 100 });
  } else {
    const mod = (await import(pathToFileURL(join(REPO_ROOT, 'src/main/node/service/audit-service.ts')).href)) as { createAuditService(o: { casesDir: string }): ShellService };
    casesDir = mkdtempSync(join(tmpdir(), 'audit-replay-cases-'));
    service = mod.createAuditService({ casesDir });
  }
  const shell = await startShell({ service, colorScheme: flag('--dark') ? 'dark' : 'light' });
  const exportPath = value('--export');
  if (exportPath) {
    await shell.page.getByLabel('Export file path').fill(resolve(exportPath));
    if (value('--trust')) await shell.page.getByLabel('Trust store (optional)').fill(resolve(value('--trust')!));
    if (value('--policies')) await shell.page.getByLabel('Policy folder (optional)').fill(resolve(value('--policies')!));
    await shell.page.getByRole('button', { name: 'Open', exact: true }).click();
  } else if (flag('--fake')) {
    await shell.page
      .getByRole('button', { name: /Open case/ })
      .first()
      .click();
  }
  await shell.page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 120_000 });
  await shell.page.waitForTimeout(800);
  const shot = value('--shot');
  if (shot) process.stdout.write(`${await shell.screenshot(shot)}\n`);
  if (shell.problems.length) process.stdout.write(`page problems:\n${shell.problems.join('\n')}\n`);
  await shell.close();
  await service.close?.();
  if (casesDir) rmSync(casesDir, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
