import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { buildEvidenceReport } from '../../src/main/node/report/build-report';
import { renderReportHtml } from '../../src/shared/report/html';
import { escapeHtml } from '../../src/shared/report/escape';
import type { EvidenceReport } from '../../src/shared/report/types';
import { hostileExport, sampleInputs, XSS_IMG, XSS_JS, XSS_SVG } from './fixtures';

let sample: string;
let hostile: string;
let hostileReport: EvidenceReport;

/** Every http(s) address in the page; the only one allowed is SVG's namespace name, which is never fetched. */
function addresses(html: string): string[] {
  return [...html.matchAll(/https?:\/\/[^\s"'<>)]*/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg');
}

beforeAll(async () => {
  const i = sampleInputs();
  sample = renderReportHtml(await buildEvidenceReport({ exportPath: i.exportPath, trustPath: i.trustPath, policiesPath: i.policiesPath }));
  const h = hostileExport();
  hostileReport = await buildEvidenceReport({
    exportPath: h.exportPath,
    trustPath: h.trustPath,
    notes: [{ noteId: 1, target: { kind: 'event', index: 2, finding: null }, history: [{ version: 1, author: XSS_JS, at: '2026-11-25T05:00:00.000Z', text: XSS_IMG, tags: [XSS_SVG] }] }],
  });
  hostile = renderReportHtml(hostileReport);
}, 60_000);

describe('the HTML evidence report', () => {
  it('is one self-contained file: no script, no external reference, a CSP that forbids both', () => {
    for (const html of [sample, hostile]) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<(link|iframe|object|embed|img|image|use|a|form|base|meta http-equiv="refresh")\b/i);
      // Text from the export is escaped, so every "<" left is a tag we wrote: check their attributes.
      const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(100);
      for (const tag of tags) expect(tag).not.toMatch(/\s(src|href|xlink:href|srcset|action|formaction|poster|background|on[a-z]+)\s*=/i);
      expect(html).not.toMatch(/url\(|@import/i);
      expect(addresses(html)).toEqual([]);
      expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    }
  });

  it('draws the timeline and outcome charts as inline SVG, and prints (print CSS, A4 pages)', () => {
    expect(sample.match(/<svg /g)).toHaveLength(2);
    expect(sample).toContain('aria-label="Timeline: events per actor over time"');
    expect(sample).toContain('aria-label="Recorded decision outcomes over time"');
    expect(sample).toMatch(/@media print/);
    expect(sample).toMatch(/@page \{ size: A4/);
    expect(sample).toContain('ap-payment-agent');
  });

  it('escapes every string from the export: kinds, actors, decision ids, tools, notes', () => {
    expect(hostile).not.toContain(XSS_IMG);
    expect(hostile).not.toContain('</text><script>');
    expect(hostile).toContain(escapeHtml(XSS_IMG));
    expect(hostile).toContain(escapeHtml(XSS_SVG).slice(0, 20));
    // A javascript: text is only ever text: there is no attribute it could sit in.
    expect(hostile).toContain('javascript:window.__xss=2');
    expect(hostile).not.toMatch(/=\s*["']?javascript:/i);
    expect(hostileReport.notes[0].target).toMatchObject({ index: 2, seq: 2, line: 4 });
  });

  it.runIf(existsSync('/usr/bin/chromium'))(
    'loads in Chromium with JavaScript on without running anything or asking the network',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      });
      try {
        const page = await browser.newPage();
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        await page.setContent(hostile, { waitUntil: 'load' });
        expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
        expect(requests).toEqual([]);
        expect(await page.locator('svg').count()).toBe(2);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
