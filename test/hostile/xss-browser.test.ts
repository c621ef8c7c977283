/**
 * Strings from an export reach the review desk only as text: the built
 * renderer in Chromium (scripts/browser-shell.ts, as test/e2e does) over the
 * real services, on an export with script, HTML and URL payloads in every
 * displayed field. In every view: no dialog, no payload ever runs, no element
 * or attribute from a payload exists, and the payload text is visible.
 * The HTML report is covered by its own tests (test/report).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumAvailable, REPO_ROOT, startShell, type Shell } from '../../scripts/browser-shell';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { PAYLOADS, writeXssExport } from './xss-fixture';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the hostile-strings browser test: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);

interface DomState {
  xss: unknown;
  forbidden: string[];
  onAttributes: string[];
  text: string;
}

/**
 * Everything a payload could have created, and the visible text. A string, as
 * this file compiles without DOM types: it runs in the page. The app's own
 * head holds its CSP meta, stylesheet link and module script; nothing from an
 * export belongs there, or in the body as markup.
 */
const DOM_STATE = `(() => {
  const inBody = [...document.body.querySelectorAll('img, iframe, object, embed, frame, style, script, svg[onload], a[href^="javascript:" i], [src^="javascript:" i], [action^="javascript:" i], [formaction], meta, base, link')];
  const inHead = [...document.head.querySelectorAll('script:not([src]), base, style, meta[http-equiv]:not([http-equiv="Content-Security-Policy"])')];
  const forbidden = [...inBody, ...inHead].map((e) => e.outerHTML.slice(0, 120));
  const onAttributes = [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.toLowerCase().startsWith('on')).map((a) => e.tagName + '[' + a.name + ']'));
  return { xss: window.__xss, forbidden, onAttributes, text: document.body.innerText };
})()`;

async function domState(page: Page): Promise<DomState> {
  return (await page.evaluate(DOM_STATE)) as DomState;
}

describe.skipIf(!available)('hostile strings in Chromium', () => {
  let service: AuditService;
  let shell: Shell;
  let file: string;
  const dialogs: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hostile-xss-'));
    file = writeXssExport(path.join(REPO_ROOT, 'resources/sample/export.jsonl'), dir);
    service = createAuditService({ casesDir: mkdtempSync(path.join(tmpdir(), 'hostile-xss-cases-')) });
    shell = await startShell({ service });
    shell.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });
  afterAll(async () => {
    await shell?.close();
    await service?.close();
  });

  async function expectInert(view: string): Promise<DomState> {
    await shell.page.waitForTimeout(200);
    const s = await domState(shell.page);
    expect(dialogs, `${view}: a dialog opened`).toEqual([]);
    expect(s.xss, `${view}: a payload ran`).toBeUndefined();
    expect(s.forbidden, `${view}: elements from a payload`).toEqual([]);
    expect(s.onAttributes, `${view}: event-handler attributes`).toEqual([]);
    return s;
  }

  it('every view shows the payloads as text and runs none of them', async () => {
    const { page } = shell;
    await page.getByLabel('Export file path').fill(file);
    await page.getByLabel('Trust store (optional)').fill(path.join(REPO_ROOT, 'resources/sample/trust.json'));
    await page.getByLabel('Policy folder (optional)').fill(path.join(REPO_ROOT, 'resources/sample/policies'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    const caseId = (await service.listRecentCases())[0]!.caseId;
    const summary = await service.getCaseSummary(caseId);
    expect(summary.replay, 'replay ran, so divergences are on screen').not.toBeNull();

    // Verdict, findings list: finding messages quote the unreadable lines.
    const first = await expectInert('verdict and findings');
    const seen = new Set<string>();
    const note = (s: DomState) => {
      for (const [name, p] of Object.entries(PAYLOADS)) if (s.text.includes(p)) seen.add(name);
    };
    note(first);
    const findings = await service.listFindings(caseId);
    expect(findings.some((f) => f.message.includes('<img src=x onerror='))).toBe(true);
    await page.getByRole('tab', { name: /^Findings/ }).click();
    while (
      await page
        .getByRole('button', { name: /Show more|more/i })
        .first()
        .isVisible()
        .catch(() => false)
    ) {
      await page
        .getByRole('button', { name: /Show more|more/i })
        .first()
        .click();
      if ((await domState(page)).text.includes(PAYLOADS.img)) break;
    }
    note(await expectInert('findings tab'));

    // Divergences: decision id and determining policies from the export.
    await page.getByRole('tab', { name: /^Divergences/ }).click();
    const divergences = await service.listDivergences(caseId);
    const hostile = divergences.find((d) => d.decisionId === PAYLOADS.svg);
    expect(hostile, 'the decision with hostile fields diverged').toBeDefined();
    const card = page.getByRole('article', { name: `Divergence of decision ${PAYLOADS.svg}` });
    while (!(await card.count()) && (await page.getByRole('button', { name: /more/i }).count())) await page.getByRole('button', { name: /more/i }).first().click();
    await card.waitFor();
    const cardText = await card.innerText();
    expect(cardText).toContain(PAYLOADS.svg);
    expect(cardText).toContain(PAYLOADS.iframe);
    note(await expectInert('divergences tab'));

    // Sequence findings: agent ids and request ids in their sentences.
    await page.getByRole('tab', { name: /^Sequence findings/ }).click();
    note(await expectInert('sequence findings tab'));

    // The event table, searched for each payload as a reviewer would type it, and the inspector on the first hit.
    const grid = page.getByRole('grid', { name: 'Events' });
    const search = page.getByRole('form', { name: 'Event filters' }).getByLabel('Text');
    for (const [name, p] of Object.entries(PAYLOADS)) {
      const hits = await service.queryEvents(caseId, { offset: 0, limit: 1, text: p });
      if (hits.total === 0) continue;
      await search.fill(p);
      const row = grid.locator(`.row[data-index="${hits.rows[0]!.index}"]`);
      await row.waitFor({ timeout: 10_000 });
      note(await expectInert(`table searched for ${name}`));
      await row.click();
      await page.getByRole('region', { name: 'Event inspector' }).getByLabel('Raw line').waitFor();
      note(await expectInert(`inspector of the ${name} event`));
    }
    await search.fill('');
    await shell.screenshot('hostile-xss.png');
    // Every payload was on screen somewhere, as text.
    expect(
      Object.keys(PAYLOADS).filter((k) => !seen.has(k)),
      'payloads never seen as text',
    ).toEqual([]);
    expect(shell.problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
});
