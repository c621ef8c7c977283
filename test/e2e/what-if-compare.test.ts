/**
 * What-if and compare in Chromium through the real `audit-replay serve`
 * process on the bundled sample: a copy of its policies with one policy
 * changed lists exactly the credit notes that policy no longer allows, each a
 * link to its event; the tampered twin as the earlier export is "altered" at
 * the first event that differs. Expected values come from the export's lines.
 * Screenshots land in test-results/.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { openBrowser, startServe, type ServeProcess } from './serve-process';

const available = chromiumAvailable();
const SAMPLE = join(REPO_ROOT, 'resources/sample');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const lines = readFileSync(join(SAMPLE, 'export.jsonl'), 'utf8').split('\n').filter(Boolean);

describe.skipIf(!available)('what-if and compare in the served desk', () => {
  let dir: string;
  let serve: ServeProcess;
  let link: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-replay-whatif-e2e-'));
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

  it('what-if against a copy with one policy changed lists the decisions it changes, each opening its event', async () => {
    const copy = join(dir, 'policies-copy');
    cpSync(join(SAMPLE, 'policies'), copy, { recursive: true });
    const file = join(copy, 'ap-policy-v7', 'policies.cedar');
    writeFileSync(file, readFileSync(file, 'utf8').replace('when { context.amount <= 50000 };', 'when { context.amount <= 20000 };'));
    const expected = lines
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'event' && e.kind === 'policy.decision' && e.data.request.action.id === 'issue_credit_note')
      .filter((e) => e.data.request.context.amount > 20000 && e.data.request.context.amount <= 50000 && e.data.outcome.effect === 'allow')
      .map((e) => e.seq as number);
    expect(expected.length).toBeGreaterThan(0);

    await page.goto(link);
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    const panel = page.getByRole('region', { name: /What if/ });
    await panel.getByLabel(/Policy bundle folder/).fill(copy);
    await panel.getByRole('button', { name: 'Run what-if' }).click();
    const sentence = panel.locator('.what-if-sentence');
    await sentence.waitFor({ timeout: 120_000 });
    await expect(sentence.textContent()).resolves.toMatch(new RegExp(`^${expected.length} of \\d+ decisions would change: ${expected.length} allow → deny\\.$`));

    await panel.locator('details.what-if-group > summary').first().click();
    const table = panel.getByRole('table', { name: 'Decisions that would change: allow → deny' });
    const links = table.getByRole('button', { name: /^Go to the decision at seq \d+$/ });
    await expect.poll(() => links.count()).toBe(Math.min(50, expected.length));
    await links.first().click();
    await page.getByRole('heading', { name: `Event seq ${expected[0]}`, exact: false }).waitFor();

    await panel.getByRole('radio', { name: 'by policy' }).check();
    await expect(panel.locator('details.what-if-group > summary').allTextContents()).resolves.toEqual([`billing.credit · ${expected.length} decisions`]);
    await panel.getByRole('radio', { name: 'by change of outcome' }).check();
    await panel.locator('details.what-if-group > summary').first().click();
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-what-if.png') });
  });

  it('compare with the tampered twin says the earlier export was altered, where, and links to it', async () => {
    const tampered = readFileSync(join(SAMPLE, 'export-tampered.jsonl'), 'utf8').split('\n').filter(Boolean);
    const i = lines.findIndex((l, k) => l !== tampered[k]);
    const seq = JSON.parse(lines[i]!).seq as number;

    const panel = page.getByRole('region', { name: /What if/ });
    await panel.getByLabel('Earlier export file').fill(join(SAMPLE, 'export-tampered.jsonl'));
    await panel.getByRole('button', { name: 'Compare' }).click();
    const answer = panel.getByRole('status', { name: 'Comparison with the earlier export' });
    await answer.waitFor({ timeout: 120_000 });
    await expect(answer.locator('.answer-word').textContent()).resolves.toBe('The earlier export was altered');
    await expect(answer.locator('.answer-word').getAttribute('title')).resolves.toMatch(new RegExp(`fork at seq ${seq}`));
    await expect(answer.textContent()).resolves.toContain(`the event at seq ${seq} (line ${i + 1} here, line ${i + 1} in export-tampered.jsonl) is not the same`);
    await answer.getByRole('button', { name: `Go to seq ${seq}, where the two exports part` }).click();
    await page.getByRole('heading', { name: `Event seq ${seq}`, exact: false }).waitFor();
    await answer.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-compare.png') });
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-what-if-compare-page.png'), fullPage: true });
    // The panel with both answers shown: no serious or critical axe-core violation.
    await page.evaluate(AXE);
    const result = (await page.evaluate('window.axe.run(document.querySelector("section.what-if"), { resultTypes: ["violations"] })')) as {
      violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
    };
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
