/**
 * UI bench: a 1,000,000-event case in Chromium through the browser shell.
 * Prints the time from choosing the case to the first verdict view (verdict
 * and first table rows on screen), and the longest main-thread task while
 * scrolling the table and zooming the timeline (PerformanceObserver
 * 'longtask', which reports tasks over 50 ms, plus the longest gap between
 * animation frames as a finer measure).
 *
 *   node bin/run-ts.mjs bench/ui.bench.ts            real AuditService; generates and ingests the case once, cached in $TMPDIR
 *   node bin/run-ts.mjs bench/ui.bench.ts --fake     the typed fake over the same bridge (no ingest)
 *   options: --events N (default 1000000)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumAvailable, CHROMIUM_PATH, REPO_ROOT, startShell } from '../scripts/browser-shell';
import type { ShellService } from '../scripts/browser-shell';
import type { JobProgress } from '../src/shared/api/audit-api';

const argv = process.argv.slice(2);
const useFake = argv.includes('--fake');
const eventsArg = argv.indexOf('--events');
const events = eventsArg >= 0 ? Number(argv[eventsArg + 1]) : 1_000_000;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function realService(): Promise<{ service: ShellService; caseId: string; note: string }> {
  const cache = join(tmpdir(), 'audit-replay-ui-bench');
  mkdirSync(cache, { recursive: true });
  const exportPath = join(cache, `export-${events}.jsonl`);
  const trustPath = join(cache, 'trust.json');
  if (!existsSync(exportPath) || !existsSync(trustPath)) {
    log(`generating ${events} events into ${exportPath} (once)…`);
    const t = Date.now();
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/audit-replay.mjs'),
        'generate',
        '--events',
        String(events),
        '--seed',
        '11',
        '--plant-divergences',
        '20',
        '--out',
        `${exportPath}.tmp`,
        '--key-out',
        join(cache, 'key.json'),
        '--trust-out',
        trustPath,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (run.status !== 0) throw new Error('generate failed');
    renameSync(`${exportPath}.tmp`, exportPath);
    log(`generated in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const { createAuditService } = await import('../src/main/node/service/audit-service');
  const service = createAuditService({ casesDir: join(cache, 'cases') });
  const existing = (await service.listRecentCases()).find((c) => c.exportPath === exportPath && c.events === events);
  if (existing) return { service, caseId: existing.caseId, note: 'case ingested earlier (cached)' };
  log('ingesting (once)…');
  const t = Date.now();
  let lastLog = 0;
  const done = new Promise<JobProgress>((ok) => {
    const off = service.onProgress((p) => {
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log(`  ${p.phase}: ${p.events} events, ${(p.bytesDone / 1e6).toFixed(0)} of ${(p.bytesTotal / 1e6).toFixed(0)} MB`);
      }
      if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled') {
        off();
        ok(p);
      }
    });
  });
  await service.openExport({ exportPath, trustPath, policiesPath: join(REPO_ROOT, 'resources/sample/policies') });
  const end = await done;
  if (end.phase !== 'done' || !end.caseId) throw new Error(`ingest ended ${end.phase}: ${end.error ?? ''}`);
  return { service, caseId: end.caseId, note: `ingested now in ${((Date.now() - t) / 1000).toFixed(1)} s` };
}

async function main() {
  if (!chromiumAvailable()) {
    log(`no Chromium at ${CHROMIUM_PATH}; nothing to measure`);
    return;
  }
  let service: ShellService;
  let note: string;
  if (useFake) {
    const { createFakeAuditApi } = await import('../test/renderer/fake-audit-api');
    service = createFakeAuditApi({ events });
    note = 'typed fake of AuditApi over the bridge (no SQLite)';
  } else {
    ({ service, note } = await realService());
  }
  const calls: { method: string; ms: number; at: number }[] = [];
  const shell = await startShell({ service, viewport: { width: 1440, height: 1000 }, onCall: (method, ms) => calls.push({ method, ms, at: Date.now() }) });
  const { page } = shell;
  // Page code as strings: it runs in Chromium, not under this file's Node types or its transpiler's helpers.
  await page.evaluate(`(() => {
    window.__long = [];
    window.__gap = 0;
    window.__script = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true });
    // Long animation frames name the scripts inside them: the page's own work, apart from stalls it did not cause.
    new PerformanceObserver((list) => { for (const e of list.getEntries()) for (const s of e.scripts) if (s.duration > window.__script) { window.__script = s.duration; window.__scriptWhat = s.invoker + ' ' + s.sourceFunctionName + ' @' + s.sourceURL.split('/').pop() + ':' + s.sourceCharPosition; } }).observe({ type: 'long-animation-frame' });
    let last = performance.now();
    const frame = (now) => { window.__gap = Math.max(window.__gap, now - last); last = now; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  })()`);
  const recent = page.getByRole('button', { name: /^Open case / }).first();
  await recent.waitFor();
  // Timed inside the page: the service runs in this process, and a long synchronous query there
  // would delay Playwright's own view of the page, not the page.
  await page.evaluate(`(() => {
    document.addEventListener('click', () => {
      const t0 = performance.now();
      const poll = () => {
        if (document.querySelector('.verdict-word') && document.querySelector('.grid-spacer .row[data-index]')) window.__firstView = performance.now() - t0;
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    }, { capture: true, once: true });
  })()`);
  const t0 = Date.now();
  await recent.click();
  await page.locator('.verdict-word').waitFor();
  await page.locator('.grid-spacer .row[data-index]').first().waitFor();
  await page.waitForFunction('window.__firstView !== undefined');
  const firstView = (await page.evaluate('window.__firstView')) as number;
  const slowest = (since: number, until = Infinity) =>
    calls
      .filter((c) => c.at >= since && c.at - c.ms <= until)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 4)
      .map((c) => `${c.method} ${c.ms.toFixed(0)} ms`)
      .join(', ');
  const firstViewCalls = slowest(t0, t0 + firstView);
  await page.locator('.timeline-svg .lane-bg').first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(300);
  const timelineReady = Date.now() - t0;

  const reset = () => page.evaluate("window.__long = []; window.__gap = 0; window.__script = 0; window.__scriptWhat = '';");
  const read = () =>
    page.evaluate(
      `({ longest: window.__long.length ? Math.max(...window.__long) : 0, count: window.__long.length, gap: window.__gap, script: window.__script, what: window.__scriptWhat || '' })`,
    ) as Promise<{ longest: number; count: number; gap: number; script: number; what: string }>;

  // Scroll the table: wheel through it, drag the scroll position across a million rows, page and jump with keys.
  await reset();
  const grid = page.getByRole('grid', { name: 'Events' });
  const box = (await grid.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, 600);
    await page.waitForTimeout(16);
  }
  for (let i = 1; i <= 40; i++) {
    await grid.evaluate(
      (el, f) =>
        ((el as { scrollTop: number; scrollHeight: number; clientHeight: number }).scrollTop = ((el as { scrollHeight: number }).scrollHeight - (el as { clientHeight: number }).clientHeight) * f),
      i / 40,
    );
    await page.waitForTimeout(30);
  }
  await grid.focus();
  for (const key of ['Home', 'PageDown', 'PageDown', 'PageDown', 'End', 'PageUp', 'ArrowUp', 'ArrowUp', 'Home']) {
    await page.keyboard.press(key);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(500);
  const scroll = await read();

  // Zoom and pan the timeline with the wheel, a drag and the buttons.
  await reset();
  const zoomStart = Date.now();
  const svg = page.locator('.timeline-svg');
  const sbox = (await svg.boundingBox())!;
  await page.mouse.move(sbox.x + sbox.width * 0.6, sbox.y + 40);
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, -200);
    await page.waitForTimeout(60);
  }
  await page.mouse.down();
  await page.mouse.move(sbox.x + sbox.width * 0.3, sbox.y + 40, { steps: 15 });
  await page.mouse.up();
  for (const name of ['Zoom out', 'Zoom out', 'Pan left', 'Zoom in', 'Show the whole time range']) {
    await page.getByRole('button', { name, exact: true }).click();
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(800);
  const zoom = await read();
  const zoomCalls = slowest(zoomStart);
  await shell.screenshot('bench-ui.png');

  const ms = (n: number) => `${n.toFixed(0)} ms`;
  log(
    `ui bench: ${events.toLocaleString('en-US')} events, ${note}; load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
  log(`  first verdict view (verdict + first table rows): ${ms(firstView)}   [target < 1000 ms]`);
  log(`  service calls started before the first view: ${firstViewCalls}`);
  log(`  timeline drawn: ${ms(timelineReady)}`);
  log(
    `  scrolling the table: longest long task ${scroll.count ? ms(scroll.longest) : 'none (no task over 50 ms)'} (${scroll.count} long tasks), longest frame gap ${ms(scroll.gap)}, longest script in a long frame ${ms(scroll.script)} ${scroll.what}`,
  );
  log(
    `  zooming the timeline: longest long task ${zoom.count ? ms(zoom.longest) : 'none (no task over 50 ms)'} (${zoom.count} long tasks), longest frame gap ${ms(zoom.gap)}, longest script in a long frame ${ms(zoom.script)} ${zoom.what}`,
  );
  log(`  slowest service calls while zooming: ${zoomCalls}`);
  if (shell.problems.length) log(`  page problems: ${shell.problems.join(' | ')}`);
  await shell.close();
  await service.close?.();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
