/**
 * HTML → PDF with Debian's Chromium through playwright-core, for the CLI and
 * tests (the desktop app uses Electron's printToPDF instead). JavaScript is
 * off and every request is refused: the report needs nothing from outside.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../cli/errors';

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
