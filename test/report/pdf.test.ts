/**
 * The PDF comes from the HTML through Chromium. Page 1 is turned into a PNG
 * with poppler's pdftoppm (.ci/run installs poppler-utils) and kept at
 * $TMPDIR/audit-replay-report-page-1.png, so a reviewer can look at it; the
 * test reads the page's text back with pdftotext.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildEvidenceReport } from '../../src/main/node/report/build-report';
import { chromiumHtmlToPdf, withFixedDates } from '../../src/main/node/report/pdf';
import { renderReportHtml } from '../../src/shared/report/html';
import { cli, SAMPLE, sampleInputs } from './fixtures';

describe('the PDF evidence report', () => {
  it('renders from the HTML in Chromium: page 1 shows the title, verdict and both charts', async () => {
    const i = sampleInputs();
    const tampered = path.join(i.dir, 'export-tampered.jsonl');
    copyFileSync(path.join(SAMPLE, 'export-tampered.jsonl'), tampered);
    const report = await buildEvidenceReport({ exportPath: tampered, trustPath: i.trustPath, policiesPath: i.policiesPath });
    const pdf = await chromiumHtmlToPdf(renderReportHtml(report));
    expect(new TextDecoder().decode(pdf.slice(0, 5))).toBe('%PDF-');
    const pdfFile = path.join(i.dir, 'report.pdf');
    writeFileSync(pdfFile, pdf);

    const prefix = path.join(os.tmpdir(), 'audit-replay-report-page');
    // -singlefile: the name does not depend on how many pages the report has (pdftoppm pads the page number to their digits).
    execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdfFile, prefix]);
    const png = `${prefix}.png`;
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank A4 page at 60 dpi compresses to a few hundred bytes; charts and text make it far larger.
    expect(statSync(png).size).toBeGreaterThan(20_000);
    expect(bytes.readUInt32BE(16)).toBeGreaterThan(450); // width in pixels (A4 at 60 dpi: 496)

    const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(text).toContain('Evidence report: export-tampered.jsonl');
    expect(text).toMatch(/TAMPERED/i);
    expect(text).toContain('What was examined');
    expect(text).toContain('Timeline');
    expect(text).toContain(report.examined.export.sha256);
    const pages = execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' });
    expect(pages).toMatch(/Page size:\s+59[45](\.\d+)? x 841(\.\d+)? pts \(A4\)/);
  }, 90_000);

  it('audit-replay report --out x.pdf writes a PDF, byte for byte the same when made again later', async () => {
    const i = sampleInputs();
    const out = path.join(i.dir, 'cli.pdf');
    const r = await cli('report', i.exportPath, '--trust', i.trustPath, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const first = readFileSync(out);
    expect(first.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(first.toString('latin1')).toContain("/CreationDate (D:19700101000000+00'00')");
    // The printer writes the time to the second: made a second later, only a fixed date keeps the bytes.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = path.join(i.dir, 'cli-again.pdf');
    expect((await cli('report', i.exportPath, '--trust', i.trustPath, '--out', again)).code).toBe(0);
    expect(readFileSync(again).equals(first)).toBe(true);
    // Still a PDF poppler reads, with the fixed date.
    expect(execFileSync('pdfinfo', [again], { encoding: 'utf8' })).toMatch(/CreationDate:\s+Thu Jan\s+1 00:00:00 1970/);
  }, 90_000);

  it('fixes the printer dates in place, whatever their precision and zone, moving no byte', () => {
    const pdf = new TextEncoder().encode("1 0 obj <</CreationDate (D:20261126005939+01'00')\n/ModDate (D:2026112600-05'30')\n/Title (D:2026)>> endobj /ModDate(D:20261126Z)");
    const fixed = new TextDecoder('latin1').decode(withFixedDates(pdf));
    expect(fixed).toBe("1 0 obj <</CreationDate (D:19700101000000+00'00')\n/ModDate (D:1970010100+00'00')\n/Title (D:2026)>> endobj /ModDate(D:19700101Z)");
    expect(withFixedDates(pdf).length).toBe(pdf.length);
  });
});
