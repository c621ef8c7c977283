/**
 * The Electron door: app lifecycle, the one review window, its session rules,
 * the menu, and the wiring of `AuditApi` calls to the services. The services
 * (and their worker threads) do the work; this file only connects and guards.
 * Every protection is a function from ./security.ts or ./ipc.ts with its own
 * test; test/electron/main-wiring.test.ts checks they are all applied here.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session } from 'electron';
import type { MenuItemConstructorOptions, OpenDialogOptions, Session } from 'electron';
import { readFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseRef, JobProgress, OpenExportRequest, PickKind } from '../../shared/api/audit-api';
import { createAuditService } from '../node/service/audit-service';
import { bundledSample, casesDirIn } from '../node/service/desk-folders';
import type { AuditService } from '../node/service/audit-service';
// Built by electron-vite as separate entries; the service gets their paths (under plain Node it uses the .mjs shims).
import ingestWorkerPath from '../node/ingest/ingest-worker.ts?modulePath';
import summarizeWorkerPath from '../node/formats/summarize-worker.ts?modulePath';
import readerWorkerPath from '../node/service/case-reader-worker.ts?modulePath';
import { forwardProgress, registerAuditIpc } from './ipc';
import { errorSentence } from '../../shared/api/error-sentence';
import { printHtmlToPdf } from './print-pdf';
import type { AuditCalls } from './ipc';
import { parseLaunchArgs } from './launch-args';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  appAssetPath,
  contentSecurityPolicy,
  contentTypeFor,
  denyAllPermissions,
  guardWebContents,
  isRequestAllowed,
  rendererOrigin,
  secureWebPreferences,
  withSecurityHeaders,
} from './security';

const here = dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = join(here, '../preload/index.cjs');
const RENDERER_ROOT = join(here, '../renderer');

// electron-vite sets ELECTRON_RENDERER_URL for `electron-vite dev`; a packaged app never trusts it.
const devServerUrl = !app.isPackaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null;
const ORIGIN = rendererOrigin(devServerUrl);
const CSP = contentSecurityPolicy(devServerUrl ? ORIGIN : null);

const securityLog = (message: string): void => console.warn(`[audit-replay security] ${message}`);

// Before `ready`: our scheme behaves like https (secure context, fetch, modules), and every renderer is sandboxed.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
app.enableSandbox();

// Any web contents, including ones we never meant to create, gets the navigation and window guards.
app.on('web-contents-created', (_event, contents) => guardWebContents(contents, securityLog));

let service: AuditService | null = null;
let mainWindow: BrowserWindow | null = null;
let pendingLaunch: OpenExportRequest | null = null;

const launch = parseLaunchArgs(process.argv, process.cwd());
for (const problem of launch.problems) console.warn(`[audit-replay] ${problem}`);
pendingLaunch = launch.request;

function hardenSession(ses: Session): void {
  denyAllPermissions(ses, securityLog);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url, ORIGIN);
    if (!allowed) securityLog(`Blocked request to ${JSON.stringify(details.url.slice(0, 200))}.`);
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withSecurityHeaders(details.responseHeaders, CSP) });
  });
  // The production renderer: files of out/renderer only, with the CSP on every response.
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const relative = appAssetPath(request.url);
    const file = relative === null ? null : join(RENDERER_ROOT, ...relative.split('/'));
    if (file === null || !file.startsWith(RENDERER_ROOT + sep)) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: withHeaders(contentTypeFor(relative!)),
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function withHeaders(contentType: string): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': contentType, 'Cache-Control': 'no-store' };
  for (const [key, [value]] of Object.entries(withSecurityHeaders({}, CSP))) headers[key] = value!;
  return headers;
}

async function pickFile(kind: PickKind): Promise<string | null> {
  const options: OpenDialogOptions =
    kind === 'policies'
      ? { title: 'Choose the policy bundles folder', properties: ['openDirectory'] }
      : kind === 'trust'
        ? {
            title: 'Choose the trust store',
            properties: ['openFile'],
            filters: [
              { name: 'Trust store', extensions: ['json'] },
              { name: 'All files', extensions: ['*'] },
            ],
          }
        : kind === 'key'
          ? {
              title: 'Choose the HMAC key file (raw secret bytes)',
              properties: ['openFile'],
              filters: [
                { name: 'Key files', extensions: ['key', 'bin'] },
                { name: 'All files', extensions: ['*'] },
              ],
            }
          : {
              title: 'Open an audit export',
              properties: ['openFile'],
              filters: [
                { name: 'Audit exports', extensions: ['jsonl', 'gz', 'json'] },
                { name: 'All files', extensions: ['*'] },
              ],
            };
  return showOpen(options);
}

async function showOpen(options: OpenDialogOptions): Promise<string | null> {
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

/** The bundled sample: beside the app's resources when packaged, in the source tree otherwise. */
function sampleDir(): string {
  return app.isPackaged ? join(process.resourcesPath, 'sample') : join(app.getAppPath(), 'resources', 'sample');
}

function auditCalls(svc: AuditService): AuditCalls {
  return {
    getDeskInfo: async () => ({ canPickFiles: true, sample: bundledSample(sampleDir()) }),
    pickFile,
    openExport: (request) => svc.openExport(request),
    cancelJob: (jobId) => svc.cancelJob(jobId),
    listRecentCases: () => svc.listRecentCases(),
    getCaseSummary: (caseId) => svc.getCaseSummary(caseId),
    setCaseInputs: (caseId, inputs) => svc.setCaseInputs(caseId, inputs),
    queryEvents: (caseId, query) => svc.queryEvents(caseId, query),
    searchEvents: (caseId, term) => svc.searchEvents(caseId, term),
    getRequestStory: (caseId, index) => svc.getRequestStory(caseId, index),
    getEventProof: (caseId, index) => svc.getEventProof(caseId, index),
    listFindings: (caseId) => svc.listFindings(caseId),
    listDivergences: (caseId) => svc.listDivergences(caseId),
    listSequenceFindings: (caseId) => svc.listSequenceFindings(caseId),
    getTimeline: (caseId, query) => svc.getTimeline(caseId, query),
    addNote: (caseId, note) => svc.addNote(caseId, note),
    editNote: (caseId, noteId, edit) => svc.editNote(caseId, noteId, edit),
    listNotes: (caseId, target) => svc.listNotes(caseId, target),
    // The window never names a path to write: the reviewer chooses it here.
    exportReport: async (caseId, format, outPath) => {
      if (outPath) throw new Error('The desktop app asks where to save the report.');
      const options = { title: 'Save the evidence report', defaultPath: `evidence-report.${format}`, filters: [{ name: format.toUpperCase(), extensions: [format] }] };
      const chosen = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return chosen.canceled || !chosen.filePath ? null : svc.exportReport(caseId, format, chosen.filePath);
    },
    // As the report: the proof is made first (a refusal is said before any dialog), then saved where the reviewer chooses.
    exportEntryProof: async (caseId, index, outPath) => {
      if (outPath) throw new Error('The desktop app asks where to save the proof.');
      const made = await svc.exportEntryProof(caseId, index);
      if (!made) return null;
      const options = { title: "Save this entry's proof", defaultPath: made.fileName, filters: [{ name: 'Proof (JSON)', extensions: ['json'] }] };
      const chosen = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return chosen.canceled || !chosen.filePath ? null : svc.exportEntryProof(caseId, index, chosen.filePath);
    },
    // What-if and compare read what the reviewer picks in these dialogs, never a path the window names.
    whatIf: async (caseId, policiesPath) => {
      if (policiesPath) throw new Error('The desktop app asks for the policy bundle to compare with.');
      const chosen = await showOpen({ title: 'Choose the policy bundle to compare with (a bundle folder, or a folder holding one new bundle)', properties: ['openDirectory'] });
      return chosen === null ? null : svc.whatIf(caseId, chosen);
    },
    getWhatIfResult: (jobId) => svc.getWhatIfResult(jobId),
    compareExport: async (caseId, earlierPath) => {
      if (earlierPath) throw new Error('The desktop app asks for the earlier export to compare with.');
      const chosen = await showOpen({
        title: 'Choose an earlier export of the same record',
        properties: ['openFile'],
        filters: [
          { name: 'Audit exports', extensions: ['jsonl', 'gz', 'json'] },
          { name: 'All files', extensions: ['*'] },
        ],
      });
      return chosen === null ? null : svc.compareExport(caseId, chosen);
    },
  };
}

/** Opens an export from the menu, start-up or a second launch; the window follows it through progress events. */
async function openExport(request: OpenExportRequest): Promise<void> {
  if (!service) return;
  try {
    await service.openExport(request);
  } catch (error) {
    dialog.showErrorBox('Could not open the export', errorSentence(error));
  }
}

async function openFromDialog(): Promise<void> {
  const exportPath = await pickFile('export');
  if (exportPath) await openExport({ exportPath });
}

/** Menu labels come from export file names, which the investigated system chose: plain, short, no mnemonics. */
function recentLabel(ref: CaseRef): string {
  // Controls (C0, DEL, C1), line separators and bidi overrides from a hostile file name
  // become spaces, so "invoice<RLO>gpj.exe.jsonl" cannot pose as a picture; & is doubled
  // so a name cannot set a menu accelerator.
  // eslint-disable-next-line no-control-regex
  const name = ref.exportName.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/&/g, '&&');
  return `${name.length > 60 ? `${name.slice(0, 59)}…` : name} — ${ref.interrupted ? 'interrupted, open again' : ref.verdict}`;
}

async function refreshMenu(): Promise<void> {
  let recent: CaseRef[] = [];
  try {
    recent = service ? await service.listRecentCases() : [];
  } catch (error) {
    console.warn(`[audit-replay] Could not list recent cases: ${errorSentence(error)}`);
  }
  const isMac = process.platform === 'darwin';
  const recentItems: MenuItemConstructorOptions[] = recent.length
    ? recent.slice(0, 10).map((ref) => ({ label: recentLabel(ref), click: () => void openExport({ exportPath: ref.exportPath }) }))
    : [{ label: 'No recent cases', enabled: false }];
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Open Export…', accelerator: 'CmdOrCtrl+O', click: () => void openFromDialog() },
        { label: 'Open Recent', submenu: recentItems },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(app.isPackaged ? [] : ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function startPendingLaunch(): void {
  const request = pendingLaunch;
  pendingLaunch = null;
  if (request) void openExport(request);
}

function createWindow(svc: AuditService): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Audit Replay',
    webPreferences: secureWebPreferences(PRELOAD_PATH),
  });
  win.once('ready-to-show', () => win.show());
  const stopProgress = forwardProgress(svc, win.webContents, ORIGIN, (progress: JobProgress) => {
    if (progress.phase === 'done') void refreshMenu();
  });
  win.on('closed', () => {
    stopProgress();
    if (mainWindow === win) mainWindow = null;
  });
  // A start-up export begins once the window has made its first call (it is subscribed by then), or after 3 s.
  win.webContents.once('did-finish-load', () => setTimeout(startPendingLaunch, 3000));
  void win.loadURL(devServerUrl ?? APP_ENTRY_URL);
  return win;
}

if (!app.requestSingleInstanceLock()) {
  // One process per user: a second launch hands its --open to the first and exits.
  app.quit();
} else {
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const again = parseLaunchArgs(argv, workingDirectory);
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
    if (again.request) void openExport(again.request);
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    const svc = createAuditService({
      casesDir: casesDirIn(app.getPath('userData')),
      ingestWorkerUrl: ingestWorkerPath,
      summarizeWorkerUrl: summarizeWorkerPath,
      readerWorkerUrl: readerWorkerPath,
      htmlToPdf: printHtmlToPdf,
    });
    service = svc;
    registerAuditIpc(ipcMain, {
      calls: auditCalls(svc),
      expectedOrigin: ORIGIN,
      log: securityLog,
      onAccepted: () => startPendingLaunch(),
    });
    void refreshMenu();
    mainWindow = createWindow(svc);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(svc);
    });
  });

  app.on('window-all-closed', () => app.quit());

  // Close the case stores and stop the workers before the process ends.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !service) return;
    event.preventDefault();
    const svc = service;
    service = null;
    svc
      .close()
      .catch((error: unknown) => console.warn(`[audit-replay] Closing the services failed: ${errorSentence(error)}`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
