/**
 * HTML → PDF with Debian's Chromium through playwright-core, for the CLI and
 * tests (the desktop app uses Electron's printToPDF instead). JavaScript is
 * off and every request is refused: the report needs nothing from outside.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../errors/errors';

export type HtmlToPdf = (html: string) => Promise<Uint8Array>;

export const CHROMIUM_PATH = process.env.AUDIT_REPLAY_CHROMIUM ?? '/usr/bin/chromium';

export const chromiumHtmlToPdf: HtmlToPdf = async (html) => {
  if (!existsSync(CHROMIUM_PATH)) throw new InputError(`a PDF needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set AUDIT_REPLAY_CHROMIUM); write .html and print it instead`);
  // A specifier the bundler cannot follow: the desktop app prints with Electron and must not carry playwright-core.
  const moduleName = 'playwright-core';
  const { chromium } = (await import(/* @vite-ignore */ moduleName)) as typeof import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    await context.route('**/*', (route) => route.abort());
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    return new Uint8Array(pdf);
  } finally {
    await browser.close();
  }
};

/** What a fixed PDF date becomes, digit by digit: 1970-01-01 00:00:00, offset zero. */
const FIXED_DATE_DIGITS = '19700101000000';
const PDF_DATE = /\/(CreationDate|ModDate) ?\(D:([0-9]{4,14})([-Z+][0-9']*)?\)/g;

/**
 * The same inputs give the same PDF bytes, as they do for the JSON: the
 * printer's /CreationDate and /ModDate (the only bytes that depend on the
 * clock) become 1970-01-01, written in place with the same length so that
 * no offset in the file moves. The date a PDF was printed is not evidence of
 * anything the report says.
 */
export function withFixedDates(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const out = Buffer.from(pdf);
  for (const m of text.matchAll(PDF_DATE)) {
    const digits = m[2];
    const zone = (m[3] ?? '').replace(/[0-9]/g, '0').replace('-', '+');
    const fixed = `D:${FIXED_DATE_DIGITS.slice(0, digits.length)}${zone}`;
    const at = m.index! + m[0].indexOf('(D:') + 1;
    out.write(fixed, at, 'latin1');
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
