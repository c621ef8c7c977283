/**
 * The report's HTML → PDF in the desktop app with Electron's printToPDF: a
 * hidden, sandboxed window with JavaScript off, in its own in-memory session
 * that refuses every request but the one report file.
 */
import { BrowserWindow, session } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-replay-report-'));
  const file = join(dir, 'report.html');
  await writeFile(file, html);
  const only = pathToFileURL(file).href;
  const ses = session.fromPartition('audit-replay-report-print');
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== only }));
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true, session: ses },
  });
  try {
    await win.loadURL(only);
    return new Uint8Array(await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true }));
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
