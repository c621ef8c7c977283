/**
 * A first start of the served desk in Chromium (no cases yet): the opening
 * form asks what to check against before the export, a browser gets no
 * "Choose…" buttons (there is no file dialog to answer them), and "Open the
 * sample" opens the bundled sample with its trust store and policies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildRenderer, chromiumAvailable, REPO_ROOT } from '../../scripts/browser-shell';
import { openBrowser, startServe, type ServeProcess } from './serve-process';

describe.skipIf(!chromiumAvailable())('the served desk on first start', () => {
  let dir: string;
  let serve: ServeProcess;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-replay-first-start-'));
    serve = await startServe(['--cases', join(dir, 'cases'), '--ui', buildRenderer()]);
    ({ browser, page } = await openBrowser(problems));
  });
  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('offers the sample, no file dialog, and opens the sample with its trust store and policies', async () => {
    await page.goto(serve.link);
    const open = page.getByRole('region', { name: 'Open an export' });
    await open.getByRole('button', { name: 'Open the sample' }).waitFor();
    await open.getByText('What are these?').click();
    await expect(open.getByRole('group', { name: '1. What to check it against' }).textContent()).resolves.toContain('lists the signing keys you accept');
    await expect(open.getByRole('button', { name: /^Choose/ }).count()).resolves.toBe(0);
    await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'e2e-first-start.png'), fullPage: true });

    await open.getByRole('button', { name: 'Open the sample' }).click();
    await page.getByRole('heading', { name: /Verdict/ }).waitFor({ timeout: 60_000 });
    await expect(page.locator('.verdict-word').textContent()).resolves.toBe('INTACT');
    // Checked against the sample's own trust store and policies, not opened bare.
    await expect(
      page
        .getByText(/Trust store:/)
        .first()
        .textContent(),
    ).resolves.toContain('trust.json');
    expect(problems).toEqual([]);
  });
});
