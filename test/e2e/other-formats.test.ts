/**
 * Issue 8's "done when": the desk shows an AGT log, an OPA decision log and an
 * OTLP trace as clearly as our own exports. Each opens through the real
 * service in Chromium: verdict (never intact without an anchor), the format and
 * why, the fields nothing covers, lanes on the timeline, rows in the table,
 * and the inspector on an event. Screenshots land in test-results/.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { useDeskShell } from './desk-shell';

const available = chromiumAvailable();
if (!available) console.warn(`Skipping the other-format browser tests: no Chromium at ${CHROMIUM_PATH}.`);

const AGT = resolve(REPO_ROOT, '../shared/fixtures/agt/mesh-edit-unhashed.jsonl');
const CASES = [
  { name: 'an AGT agent-mesh audit log', file: AGT, format: 'agt-mesh-jsonl', unauthenticated: 'policy_version', shot: 'e2e-formats-agt.png' },
  { name: 'an OPA decision log', file: join(REPO_ROOT, 'resources/samples/opa-decisions.jsonl'), format: 'opa-decision-log', unauthenticated: null, shot: 'e2e-formats-opa.png' },
  { name: 'an OpenTelemetry trace', file: join(REPO_ROOT, 'resources/samples/otlp-trace.json'), format: 'otlp-trace', unauthenticated: null, shot: 'e2e-formats-otlp.png' },
];

describe.skipIf(!available || !existsSync(AGT))('other formats in the review desk', () => {
  const desk = useDeskShell('audit-replay-e2e-formats-');

  for (const c of CASES) {
    it(`shows ${c.name}: verdict, format, lanes, rows and an event's details`, async () => {
      const { page } = desk.shell;
      const openPanel = page.getByRole('region', { name: 'Open an export' });
      if (!(await openPanel.isVisible())) await page.getByRole('button', { name: 'Open another export' }).click();
      await page.getByLabel('Export file path').fill(c.file);
      await page.getByLabel('Trust store (optional)').fill('');
      await page.getByLabel('Policy folder (optional)').fill('');
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });

      const recent = await desk.service.listRecentCases();
      const summary = await desk.service.getCaseSummary(recent.find((r) => r.exportPath === c.file)!.caseId);
      expect(summary.format).toBe(c.format);
      expect(summary.verdict).toBe('unanchored');

      const verdict = page.getByRole('region', { name: /Verdict/ });
      await expect(verdict.locator('.verdict-word').textContent()).resolves.toBe('UNANCHORED');
      const format = verdict.getByLabel('Format read');
      await expect(format.textContent()).resolves.toContain(c.format);
      if (c.unauthenticated) await expect(format.textContent()).resolves.toContain(c.unauthenticated);

      // One lane per actor the log names, drawn on the timeline.
      const timeline = page.getByRole('region', { name: 'Timeline' });
      const agent = summary.agents[0] ?? (await desk.service.queryEvents(summary.caseId, { offset: 0, limit: 1 })).rows[0].actorId;
      await expect.poll(async () => (await timeline.locator('.lane-label').allTextContents()).join(' | ')).toContain(agent.slice(0, 12));

      // Rows in the table, and the inspector on the first one.
      const rows = page.locator('.grid-spacer .row:not(.loading)');
      await expect.poll(() => rows.count()).toBeGreaterThan(0);
      await rows.first().click();
      const inspector = page.getByRole('region', { name: 'Event inspector' });
      const first = (await desk.service.queryEvents(summary.caseId, { offset: 0, limit: 1 })).rows[0];
      const proof = await desk.service.getEventProof(summary.caseId, first.index);
      await expect(inspector.getByLabel('Raw line').textContent()).resolves.toBe(proof.raw);
      // No false alarm: an untouched entry never reads as changed, whether or not the format hashes it.
      await expect(inspector.textContent()).resolves.not.toContain('does NOT hash');
      if (proof.hashMatches === null) await expect(inspector.textContent()).resolves.toContain('records no hash');
      await page.waitForTimeout(300);
      await desk.shell.screenshot(c.shot);
    });
  }
});

describe.skipIf(!available)('the proof of an entry in a format without hashes', () => {
  it('says there is no hash to recompute, not that the content was changed', async () => {
    const casesDir = mkdtempSync(join(tmpdir(), 'audit-replay-e2e-nohash-'));
    const service = createAuditService({ casesDir });
    try {
      const { jobId } = await service.openExport({ exportPath: join(REPO_ROOT, 'resources/samples/otlp-trace.json') });
      const caseId = await new Promise<string>((ok) => service.onProgress((p) => p.jobId === jobId && p.phase === 'done' && ok(p.caseId!)));
      const proof = await service.getEventProof(caseId, 0);
      expect(proof.recordedHash).toBe('');
      expect(proof.hashMatches).toBeNull();
    } finally {
      await service.close();
      rmSync(casesDir, { recursive: true, force: true });
    }
  });
});
