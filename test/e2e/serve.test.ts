/**
 * The desk through the real `audit-replay serve` process in Chromium: --open
 * lands on the case, a selection goes into the address, and a reload of that
 * address restores case and selection. Screenshots land in test-results/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { openBrowser, startServe, type ServeProcess } from './serve-process';

const available = chromiumAvailable();
const SAMPLE = join(REPO_ROOT, 'resources/sample');

describe.skipIf(!available)('audit-replay serve in Chromium', () => {
  let dir: string;
  let serve: ServeProcess;
  let link: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-replay-serve-e2e-'));
    serve = await startServe([
      '--cases',
      join(dir, 'cases'),
      '--ui',
      buildRenderer(),
      '--open',
      join(SAMPLE, 'export.jsonl'),
      '--trust',
      join(SAMPLE, 'trust.json'),
      '--policies',
      join(SAMPLE, 'policies'),
    ]);
    link = serve.link;
    ({ browser, page } = await openBrowser(problems));
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the page without the token', async () => {
    const bare = new URL(link);
    bare.search = '';
    bare.hash = '';
    const response = await page.goto(bare.href);
    expect(response?.status()).toBe(401);
    await expect(page.locator('body').textContent()).resolves.toMatch(/only from the link audit-replay serve printed/);
  });

  it('opens the --open case from the printed link, and a reload of a selection restores it', async () => {
    expect(link).toMatch(/#case=[0-9a-f-]{36}$/);
    // The refused page above (and the browser's favicon try on it) logged its own 401/404.
    problems.length = 0;
    await page.goto(link);
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.verdict-word').textContent()).resolves.toBe('INTACT');
    await expect(page.locator('.case-name').textContent()).resolves.toBe('export.jsonl');

    // Pick the fifth row: its seq goes into the address.
    const row = page.locator('.grid-spacer .row:not(.loading)').nth(4);
    await row.waitFor();
    const seq = Number(await row.locator('[role="gridcell"]').first().textContent());
    await row.click();
    await expect.poll(() => page.evaluate<string>('location.hash')).toMatch(new RegExp(`&seq=${seq}$`));
    await page.getByRole('heading', { name: `Event seq ${seq}`, exact: false }).waitFor();
    const withSelection = page.url();
    expect(withSelection).toContain('?token=');

    // A fresh page on that address (a reload or a shared link) lands on the same case and event.
    await page.goto('about:blank');
    await page.goto(withSelection);
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: new RegExp(`^Event seq ${seq}\\b`) }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('.grid-spacer .row.selected [role="gridcell"]').first().textContent()).toBe(String(seq));
    await page.reload();
    await page.getByRole('heading', { name: new RegExp(`^Event seq ${seq}\\b`) }).waitFor({ timeout: 20_000 });
    expect(page.url()).toBe(withSelection);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'serve-1-deep-link.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("finds a request by its id and tells its story beside the inspector; Agent = ap-payment-agent + deny lists the engine's denials", async () => {
    await page.getByLabel('Find an event').fill('req-INV-100003-pay_invoice');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('region', { name: 'Search events' });
    await expect.poll(() => results.getByRole('listitem').count()).toBeGreaterThan(3);
    await results
      .getByRole('button', { name: /approval\.granted/ })
      .first()
      .click();
    const story = page.getByRole('region', { name: 'Request from start to end' });
    await story.waitFor();
    await expect(story.textContent()).resolves.toContain('req-INV-100003-pay_invoice');
    await expect(story.textContent()).resolves.toMatch(/approved by \S+@/);
    const stages = await story.locator('.story-steps > li > button').allTextContents();
    expect(stages.slice(0, 3)).toEqual(['requested', 'decision', 'approval asked']);
    // A step selects its event: the inspector follows.
    await story.getByRole('button', { name: /^Select the decision step, seq (\d+)$/ }).click();
    const decisionSeq = /seq (\d+)/.exec((await story.locator('li[aria-current="step"] button').getAttribute('aria-label')) ?? '')?.[1];
    await page.getByRole('heading', { name: new RegExp(`^Event seq ${decisionSeq}\\b`) }).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'serve-2-request-story.png'), fullPage: true });

    const filters = page.getByRole('form', { name: 'Event filters' });
    await filters.getByRole('combobox', { name: /^Agent(?!')/ }).selectOption('ap-payment-agent');
    await filters.getByLabel('Outcome').selectOption('deny');
    // Before this change the table said "0 events": the denials are recorded by policy-engine, about the agent.
    const actorCells = page.locator('.grid-spacer .row:not(.loading) [role="gridcell"]:nth-child(4)');
    await expect.poll(async () => [...new Set(await actorCells.allTextContents())]).toEqual(['policy-engine']);
    const outcomes = await page.locator('.grid-spacer .row:not(.loading) .outcome').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes).size).toBe(1);
    await page.locator('.work-left').screenshot({ path: join(REPO_ROOT, 'test-results', 'serve-3-subject-filter.png') });
    expect(problems).toEqual([]);
  });

  it("downloads the selected entry's proof, which verify-proof re-checks as INTACT with the sample's trust store", async () => {
    const row = page.locator('.grid-spacer .row:not(.loading)').first();
    await row.waitFor();
    const seq = Number(await row.locator('[role="gridcell"]').first().textContent());
    await row.click();
    await page.getByRole('heading', { name: new RegExp(`^Event seq ${seq}\\b`) }).waitFor();
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    const proof = inspector.getByRole('group', { name: "This entry's proof" });
    await expect(proof.getByLabel('Command that re-checks the proof').textContent()).resolves.toBe(`audit-replay verify-proof export.seq-${seq}.proof.json --trust trust.json`);
    const downloading = page.waitForEvent('download', { timeout: 20_000 });
    await proof.getByRole('button', { name: "Export this entry's proof" }).click();
    await proof.getByRole('status').waitFor();
    expect(await proof.getByRole('status').textContent()).toMatch(/^Downloaded /);
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`export.seq-${seq}.proof.json`);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    await expect(proof.getByRole('status').textContent()).resolves.toMatch(new RegExp(`^Downloaded export\\.seq-${seq}\\.proof\\.json \\(\\d+ bytes; SHA-256 [0-9a-f]{64}\\)\\.$`));
    await proof.screenshot({ path: join(REPO_ROOT, 'test-results', 'serve-4-entry-proof.png') });
    const checked = await new Promise<{ code: number | null; out: string }>((ok) => {
      const p = spawn(process.execPath, [join(REPO_ROOT, 'bin/audit-replay.mjs'), 'verify-proof', saved, '--trust', join(SAMPLE, 'trust.json')], { cwd: REPO_ROOT });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.once('exit', (code) => ok({ code, out }));
    });
    expect(checked.out).toMatch(/: INTACT\n/);
    expect(checked.code).toBe(0);
    expect(problems).toEqual([]);
  });

  it('exports the evidence report from the served desk (an optional argument left out still passes the door)', async () => {
    const group = page.getByRole('group', { name: 'Evidence report' });
    await group.getByLabel('Report format').selectOption('json');
    await group.getByRole('button', { name: 'Export report' }).click();
    await group.getByRole('status').waitFor({ timeout: 60_000 });
    await expect(group.getByRole('status').textContent()).resolves.toMatch(/^Saved .*\.json \(\d+ bytes\); report SHA-256 [0-9a-f]{64}\.$/);
    expect(problems).toEqual([]);
  });
});
