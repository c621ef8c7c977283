/**
 * Conduct findings in the review desk, in Chromium on the real services: the
 * bundled sample's Sequence findings tab badges violations and warnings, and
 * each "Involves" link selects the event it names. Screenshot in test-results/.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { useDeskShell } from './desk-shell';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the browser end-to-end tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium).`);

describe.skipIf(!available)('conduct findings in the desk', () => {
  const desk = useDeskShell('audit-replay-e2e-conduct-');

  it('lists each conduct finding with its severity, and "Involves" selects the related event', async () => {
    const { page } = desk.shell;
    await page.getByLabel('Export file path').fill(join(REPO_ROOT, 'resources/sample/export.jsonl'));
    await page.getByLabel('Trust store (optional)').fill(join(REPO_ROOT, 'resources/sample/trust.json'));
    await page.getByLabel('Policy folder (optional)').fill(join(REPO_ROOT, 'resources/sample/policies'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    const verdict = page.getByRole('region', { name: /Verdict/ });
    await expect.poll(() => verdict.textContent()).toContain('1 divergence, 15 workflow violations, 2 warnings');

    const caseId = (await desk.service.listRecentCases())[0]!.caseId;
    const findings = await desk.service.listSequenceFindings(caseId);
    await page.getByRole('tab', { name: `Sequence findings (${findings.length})` }).click();
    const list = page.getByRole('tabpanel');

    // A warning is badged as one; a violation too.
    const warning = findings.find((f) => f.kind === 'killswitch-ineffective')!;
    const warningEntry = list.getByRole('listitem', { name: `killswitch-ineffective at seq ${warning.seq}` });
    await expect(warningEntry.locator('.sev-badge').textContent()).resolves.toBe('Warning');

    // executed-differs names the request it departs from; its link selects that event.
    const differs = findings.find((f) => f.kind === 'executed-differs')!;
    const entry = list.getByRole('listitem', { name: `executed-differs at seq ${differs.seq}` });
    await expect(entry.locator('.sev-badge').textContent()).resolves.toBe('Violation');
    await expect(entry.locator('.involves').textContent()).resolves.toBe(`Involves: ${differs.relatedSeqs.map((s) => `seq ${s}`).join('')}`);
    await entry.getByRole('button', { name: `Select related event seq ${differs.relatedSeqs[0]}` }).click();
    const inspector = page.getByRole('region', { name: 'Event inspector' });
    await inspector.getByText(`Event seq ${differs.relatedSeqs[0]}`).waitFor();
    await expect(inspector.textContent()).resolves.toContain('action.requested');

    // The execution on an inadmissible projection names the decision and the projection.
    const afterDeny = findings.find((f) => f.kind === 'executed-after-deny' && f.relatedSeqs.length === 2)!;
    const projected = list.getByRole('listitem', { name: `executed-after-deny at seq ${afterDeny.seq}` });
    await projected.getByRole('button', { name: `Select related event seq ${afterDeny.relatedSeqs[1]}` }).click();
    await inspector.getByText(`Event seq ${afterDeny.relatedSeqs[1]}`).waitFor();
    await expect(inspector.textContent()).resolves.toContain('action.projected');

    await entry.scrollIntoViewIfNeeded();
    await page.locator('section.lists').screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-conduct-findings.png') });
    await desk.shell.screenshot('e2e-conduct-findings-page.png');
    expect(desk.shell.problems).toEqual([]);
  });
});
