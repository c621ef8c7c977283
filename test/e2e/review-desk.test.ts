/**
 * The built renderer in Debian's Chromium, with window.audit bridged to the
 * real AuditService and a real case store. Screenshots land in test-results/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumAvailable, startShell } from '../../scripts/browser-shell';
import type { Shell } from '../../scripts/browser-shell';
import { createAuditService } from '../../src/main/node/service/audit-service';
import type { AuditService } from '../../src/main/node/service/audit-service';
import { makeFixtures, makeLargeExport, XSS_PAYLOAD, XSS_URL } from './fixtures';
import type { Fixtures } from './fixtures';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the browser end-to-end tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);

async function openExport(page: Page, exportPath: string, fx: Fixtures) {
  const openPanel = page.getByRole('region', { name: 'Open an export' });
  if (!(await openPanel.isVisible())) await page.getByRole('button', { name: 'Open another export' }).click();
  await page.getByLabel('Export file path').fill(exportPath);
  await page.getByLabel('Trust store (optional)').fill(fx.trust);
  await page.getByLabel('Policy folder (optional)').fill(fx.policies);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
}

describe.skipIf(!available)('review desk in Chromium on the real services', () => {
  let fx: Fixtures;
  let service: AuditService;
  let shell: Shell;

  let casesDir: string;

  beforeAll(async () => {
    fx = makeFixtures();
    casesDir = mkdtempSync(join(tmpdir(), 'audit-replay-e2e-cases-'));
    service = createAuditService({ casesDir });
    shell = await startShell({ service, picks: { export: fx.tampered } });
  });
  afterAll(async () => {
    await shell?.close();
    await service?.close();
    for (const dir of [fx?.dir, casesDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens the sample, shows the verdict, filters, and reads an event proof', async () => {
    const { page } = shell;
    await openExport(page, fx.intact, fx);
    const verdict = page.getByRole('region', { name: /Verdict/ });
    await expect(verdict.locator('.verdict-word').textContent()).resolves.toBe('INTACT');
    const summary = (await service.listRecentCases())[0]!;
    await expect(verdict.getByText('Events', { exact: true }).locator('xpath=..').textContent()).resolves.toContain(summary.events.toLocaleString('en-US'));
    await page.waitForTimeout(300);
    await shell.screenshot('e2e-1-verdict.png');

    // Filter to denials: the count shown is the service's count, and every row says deny.
    const caseId = summary.caseId;
    const denials = (await service.queryEvents(caseId, { offset: 0, limit: 1, outcome: 'deny' })).total;
    expect(denials).toBeGreaterThan(0);
    await page.getByRole('form', { name: 'Event filters' }).getByLabel('Outcome').selectOption('deny');
    const status = page.locator('.table-status');
    await expect.poll(() => status.textContent()).toContain(`${denials.toLocaleString('en-US')} events`);
    const outcomes = await page.locator('.grid-spacer .row:not(.loading) .outcome').allTextContents();
    expect(outcomes.length).toBeGreaterThan(0);
    expect(new Set(outcomes)).toEqual(new Set(['deny']));

    // Select the first denial and read its proof.
    await page.locator('.grid-spacer .row:not(.loading)').first().click();
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    await inspector.getByRole('table', { name: 'Merkle inclusion steps' }).waitFor();
    await expect(inspector.getByText('The content hashes to the recorded hash.').isVisible()).resolves.toBe(true);
    await expect(inspector.getByText(/equals the signed Merkle root/).isVisible()).resolves.toBe(true);
    const steps = await inspector.getByRole('table', { name: 'Merkle inclusion steps' }).locator('tbody tr').count();
    expect(steps).toBeGreaterThan(3);
    const selected = await page.locator('.grid-spacer .row.selected').getAttribute('data-index');
    const proof = await service.getEventProof(caseId, Number(selected));
    await expect(inspector.getByLabel('Raw line').textContent()).resolves.toBe(proof.raw);
    await shell.screenshot('e2e-2-filtered-inspector.png');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    expect(shell.problems).toEqual([]);
  });

  it('opens a divergence with recorded and replayed outcomes side by side', async () => {
    const { page } = shell;
    const caseId = (await service.listRecentCases()).find((c) => c.exportPath === fx.intact)!.caseId;
    const divergences = await service.listDivergences(caseId);
    const summary = await service.getCaseSummary(caseId);
    if (summary.replay === null) {
      // Replay not run for this case: the desk must say so rather than show an empty success.
      await expect(page.getByText(/^Not run: /).isVisible()).resolves.toBe(true);
      console.warn('The service did not replay decisions for this case; the divergence view was checked against the component tests only.');
      return;
    }
    expect(divergences.length).toBeGreaterThan(0);
    await page.getByRole('tab', { name: /Divergences/ }).click();
    const card = page.getByRole('article').first();
    await card.getByRole('table', { name: /Recorded and replayed outcome/ }).waitFor();
    await card.getByRole('button', { name: `Go to event seq ${divergences[0]!.seq}` }).click();
    await page.getByRole('region', { name: 'Event inspector' }).getByText(`Event seq ${divergences[0]!.seq}`).waitFor();
    await card.scrollIntoViewIfNeeded();
    await shell.screenshot('e2e-3-divergence.png');
  });

  it('keeps the reviewer notes when the case is re-examined with another policy folder', async () => {
    const { page } = shell;
    const before = (await service.listRecentCases()).find((c) => c.exportPath === fx.intact)!.caseId;
    const notes = page.getByRole('region', { name: 'Reviewer notes' });
    await notes.getByLabel('Note text').fill('Checked with AP: the vendor was approved by phone.');
    await notes.getByLabel('needs follow-up').check();
    await notes.getByLabel('Author').fill('alice');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await notes.getByRole('listitem', { name: 'Note 1' }).waitFor();

    await page.getByText(/^Trust store:/).click();
    await page.getByRole('textbox', { name: 'Policy folder for this case' }).fill('');
    await page.getByRole('button', { name: 'Re-verify with these' }).click();
    await expect.poll(async () => (await service.listRecentCases()).filter((c) => c.exportPath === fx.intact).length, { timeout: 60_000 }).toBe(2);
    const after = (await service.listRecentCases()).find((c) => c.exportPath === fx.intact && c.caseId !== before)!.caseId;
    await expect.poll(() => notes.getByRole('status').textContent(), { timeout: 30_000 }).toBe('1 note carried over, with its history, from the earlier review of this export with other inputs.');
    await expect(notes.getByRole('listitem', { name: 'Note 1' }).textContent()).resolves.toContain('Checked with AP: the vendor was approved by phone.');
    expect((await service.listNotes(after)).map((n) => n.current.text)).toEqual(['Checked with AP: the vendor was approved by phone.']);
    await notes.scrollIntoViewIfNeeded();
    await shell.screenshot('e2e-8-notes-carried.png');
    expect(shell.problems).toEqual([]);
  });

  it('shows where a tampered export broke, from the file dialog', async () => {
    const { page } = shell;
    await page.getByRole('button', { name: 'Open another export' }).click();
    await page.getByLabel('Trust store (optional)').fill(fx.trust);
    await page.getByLabel('Policy folder (optional)').fill(fx.policies);
    await page.getByRole('button', { name: 'Choose export file…' }).click();
    await page.locator('.verdict-tampered').waitFor({ timeout: 60_000 });
    const verdict = page.getByRole('region', { name: /Verdict/ });
    await expect(verdict.locator('.verdict-word').textContent()).resolves.toBe('TAMPERED');
    const failure = page.getByLabel('First point of failure');
    await expect(failure.textContent()).resolves.toContain(`line ${fx.tamperedLine}`);
    await failure.getByRole('button', { name: 'Show this event' }).click();
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    await inspector.getByText(/does NOT hash to the recorded hash/).waitFor();
    await expect(inspector.textContent()).resolves.toContain(`line ${fx.tamperedLine}`);
    await expect.poll(() => page.locator('.grid-spacer .row.selected').count()).toBe(1);
    // The jump centres the broken row in the table.
    const row = await page.locator('.grid-spacer .row.selected').boundingBox();
    const grid = await page.getByRole('grid', { name: 'Events' }).boundingBox();
    expect(Math.abs(row!.y + row!.height / 2 - (grid!.y + grid!.height / 2))).toBeLessThan(grid!.height / 4);
    await shell.screenshot('e2e-4-tampered.png');
    expect(shell.problems).toEqual([]);
  });

  it('shows hostile strings from an export as text and runs nothing', async () => {
    const { page } = shell;
    await openExport(page, fx.xss, fx);
    const grid = page.getByRole('grid', { name: 'Events' });
    await grid.getByText(XSS_URL).first().waitFor();
    await grid.getByText(XSS_URL).first().click();
    const raw = page.getByRole('region', { name: 'Event inspector' }).getByLabel('Raw line');
    await expect.poll(() => raw.textContent()).toContain(JSON.stringify(XSS_PAYLOAD));
    // The summary the service builds from the hostile fields is shown as text too.
    expect(await grid.getByText(XSS_PAYLOAD).count()).toBeGreaterThan(0);
    await page.waitForTimeout(300);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[href^="javascript:"], [src^="javascript:"]').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    await shell.screenshot('e2e-5-xss.png');
  });

  it('shows ingest progress and cancels it, leaving no case behind', async () => {
    const { page } = shell;
    const large = makeLargeExport(fx.dir, 80_000);
    const before = (await service.listRecentCases()).length;
    await page.getByRole('button', { name: 'Open another export' }).click();
    await page.getByLabel('Export file path').fill(large.exportPath);
    await page.getByLabel('Trust store (optional)').fill(large.trust);
    await page.getByLabel('Policy folder (optional)').fill('');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const job = page.getByRole('region', { name: 'Background job' });
    await job.waitFor();
    await expect.poll(() => job.textContent(), { timeout: 20_000 }).toMatch(/[1-9][\d,]* events · [\d.]+ [KMG]?B of [\d.]+ MB · time left/);
    await shell.screenshot('e2e-7-progress.png');
    // The page still answers while the service works.
    await page.getByLabel('Theme').selectOption('light');
    await job.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Cancelled. The export was not changed.').waitFor();
    expect(await job.count()).toBe(0);
    expect((await service.listRecentCases()).length).toBe(before);
  });

  it('reads well in the dark theme', async () => {
    const { page } = shell;
    const back = page.getByRole('button', { name: 'Back to the case' });
    if (await back.isVisible()) await back.click();
    await page.getByRole('heading', { name: /Verdict/ }).waitFor();
    await page.locator('.grid-spacer .row[data-index]').nth(3).click();
    await page.getByRole('table', { name: 'Merkle inclusion steps' }).waitFor();
    await page.getByLabel('Theme').selectOption('dark');
    await expect(page.evaluate('document.documentElement.dataset.theme')).resolves.toBe('dark');
    await page.waitForTimeout(200);
    await shell.screenshot('e2e-6-dark.png');
    expect(shell.problems).toEqual([]);
  });
});
