/**
 * The desk for people who use a keyboard or a screen reader, and for readers
 * of plain words, in Chromium on the real services with the bundled sample:
 * axe-core finds no serious or critical violation, skip links reach the
 * filters and the table, focus goes to the verdict when a case opens, the
 * inspector starts at the top of each new selection, badges keep 4.5:1
 * contrast in both themes, and no flag names or raw jargon are on screen.
 * Screenshots in test-results/.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { useDeskShell } from './desk-shell';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the browser end-to-end tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SAMPLE = join(REPO_ROOT, 'resources/sample');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE);
  const result = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] })')) as { violations: AxeViolation[] };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The violations in a few words each, so a failure says what and where. */
async function axeProblems(page: Page): Promise<string[]> {
  return (await axeViolations(page)).map(
    (v) =>
      `${v.impact} ${v.id} (${v.help}): ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 5)
        .join(', ')}`,
  );
}

async function openSample(page: Page) {
  await page.getByLabel('Export file path').fill(join(SAMPLE, 'export.jsonl'));
  await page.getByLabel('Trust store (optional)').fill(join(SAMPLE, 'trust.json'));
  await page.getByLabel('Policy folder (optional)').fill(join(SAMPLE, 'policies'));
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
}

describe.skipIf(!available)('the desk, accessible and in plain words', () => {
  const desk = useDeskShell('audit-replay-e2e-a11y-');

  it('opens the sample with focus on the verdict and no serious axe violation; skip links reach the filters and the table', async () => {
    const { page } = desk.shell;
    await openSample(page);
    // Focus moved to the verdict, so a screen reader reads it first.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('verdict-title');
    await page
      .getByRole('region', { name: 'Timeline' })
      .getByRole('button', { name: /^Violation / })
      .first()
      .waitFor();
    await page.locator('.grid-spacer .row:not(.loading)').first().waitFor();
    await page.waitForTimeout(500);
    await desk.shell.screenshot('e2e-a11y-desk-light.png');
    expect(await axeProblems(page)).toEqual([]);

    // Every tab stop in the timeline and its chart has a name.
    const unnamed = await page.evaluate(
      `[...document.querySelectorAll('section.timeline *')].filter((e) => e.tabIndex >= 0 && (e.matches('a, button, select, input, [tabindex]'))).filter((e) => !((e.getAttribute('aria-label') || '').trim() || (e.querySelector(':scope > title')?.textContent || '').trim() || (e.textContent || '').trim())).map((e) => e.outerHTML.slice(0, 120))`,
    );
    expect(unnamed).toEqual([]);
    // One marker, one thing, in the singular: "Kill switch at seq …" (it read "Kill switche").
    const timeline = page.getByRole('region', { name: 'Timeline' });
    expect(await timeline.getByRole('button', { name: /^Kill switch at seq \d+, / }).count()).toBeGreaterThan(0);
    expect(await timeline.getByRole('button', { name: /switche/ }).count()).toBe(0);

    // From the top of the page, the first Tab stop is the skip link to the filters.
    const fromTheTop = "document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex'); window.scrollTo(0, 0)";
    await page.evaluate(fromTheTop);
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to the event filters');
    await desk.shell.screenshot('e2e-a11y-skip-link.png');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.closest("form")?.getAttribute("aria-label")')).resolves.toBe('Event filters');
    await page.evaluate(fromTheTop);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to the event table');
    await page.keyboard.press('Enter');
    await expect(page.evaluate('document.activeElement.getAttribute("aria-label")')).resolves.toBe('Events');
    expect(desk.shell.problems).toEqual([]);
  });

  it('shows conduct violations on the timeline and in the inspector, with related events as links, and the inspector starts at the top', async () => {
    const { page } = desk.shell;
    const caseId = (await desk.service.listRecentCases())[0]!.caseId;
    const findings = await desk.service.listSequenceFindings(caseId);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('button', { name: 'Show the whole time range' }).click();
    // Each violation is a named button on the Findings row (neighbours within a few pixels share one).
    const buttons = timeline.getByRole('button', { name: /^Violation / });
    const names: string[] = [];
    for (let i = 0; i < (await buttons.count()); i++) names.push((await buttons.nth(i).getAttribute('aria-label')) ?? '');
    const seqs = names.map((n) => Number(/ at seq (\d+),/.exec(n)?.[1]));
    const afterDeny = findings.find((f) => f.severity === 'violation' && f.relatedSeqs.length > 0 && seqs.includes(f.seq))!;
    expect(afterDeny).toBeTruthy();
    expect(names.length).toBeGreaterThan(5);
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    await timeline.getByRole('button', { name: new RegExp(`^Violation ${afterDeny.kind} at seq ${afterDeny.seq},`) }).click();
    await inspector.getByText(`Event seq ${afterDeny.seq}`).waitFor();
    const conduct = inspector.getByRole('list', { name: 'Workflow and conduct findings on this event' });
    await expect(conduct.textContent()).resolves.toContain(afterDeny.kind);
    await inspector.screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-a11y-inspector-conduct.png') });

    // Scrolled down, then a related event: the inspector shows it from the top.
    const INSPECTOR = "document.querySelector('section.inspector')";
    await page.evaluate(`${INSPECTOR}.scrollTop = ${INSPECTOR}.scrollHeight`);
    expect(await page.evaluate(`${INSPECTOR}.scrollTop`)).toBeGreaterThan(100);
    await conduct.getByRole('button', { name: `Select related event seq ${afterDeny.relatedSeqs[0]}` }).click();
    await inspector.getByText(`Event seq ${afterDeny.relatedSeqs[0]}`).waitFor();
    expect(await page.evaluate(`${INSPECTOR}.scrollTop`)).toBe(0);
    // The link went with the old proof; focus stayed in the inspector.
    expect(await page.evaluate(`${INSPECTOR}.contains(document.activeElement)`)).toBe(true);
  });

  it('speaks plainly: no command-line flags or raw hash jargon in the visible text', async () => {
    const { page } = desk.shell;
    await page.evaluate("document.querySelector('section.verdict details').open = true");
    const text = await page.evaluate('document.body.innerText');
    expect(text).not.toMatch(/--[a-z][a-z-]+/);
    expect(text).not.toMatch(/head hash|leaf hash|canonical bytes|genesis/i);
    // The technical terms are still there, in tooltips.
    expect(await page.locator('abbr[title="head hash"]').count()).toBe(1);
    expect(await page.locator('abbr[title="canonical bytes"]').count()).toBe(1);
  });

  it('has no serious axe violation in the dark theme either', async () => {
    const { page } = desk.shell;
    await page.getByLabel('Theme').selectOption('dark');
    await page.waitForTimeout(500);
    await desk.shell.screenshot('e2e-a11y-desk-dark.png');
    expect(await axeProblems(page)).toEqual([]);
  });
});
