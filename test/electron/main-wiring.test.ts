/**
 * Loads src/main/electron/index.ts against a fake 'electron' and a fake
 * service, and checks that every protection from security.ts and ipc.ts is
 * actually applied: sandbox, webPreferences, CSP header, request blocking,
 * permission denial, navigation/window guards, the protocol handler and the
 * validating IPC registration. Undo one in index.ts and this fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIT_CHANNELS } from '../../src/shared/api/audit-api';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, RENDERER_CSP } from '../../src/main/electron/security';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

const fake = vi.hoisted(() => {
  const appListeners = new Map<string, Fn>();
  const windows: { options: Record<string, any>; loadURL: ReturnType<typeof vi.fn>; webContents: Record<string, any> }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const handlers = new Map<string, Fn>();
  const ses = {
    permissionRequest: null as Fn | null,
    permissionCheck: null as Fn | null,
    deviceCheck: null as Fn | null,
    beforeRequest: null as Fn | null,
    headersReceived: null as Fn | null,
    protocolHandlers: new Map<string, Fn>(),
  };
  let progressListener: Fn | null = null;
  const service = {
    openExport: vi.fn(async () => ({ jobId: 'job-1' })),
    cancelJob: vi.fn(async () => undefined),
    onProgress: vi.fn((fn: Fn) => {
      progressListener = fn;
      return () => undefined;
    }),
    listRecentCases: vi.fn(async () => []),
    getCaseSummary: vi.fn(async (caseId: string) => ({ caseId })),
    setCaseInputs: vi.fn(async () => ({ jobId: 'job-2' })),
    queryEvents: vi.fn(async () => ({ total: 0, offset: 0, rows: [] })),
    getEventProof: vi.fn(async () => ({})),
    listFindings: vi.fn(async () => []),
    listDivergences: vi.fn(async () => []),
    listSequenceFindings: vi.fn(async () => []),
    getTimeline: vi.fn(async () => ({})),
    exportReport: vi.fn(async (_caseId: string, format: string, outPath: string) => ({ path: outPath, format, reportSha256: 'ab', bytes: 1 })),
    close: vi.fn(async () => undefined),
  };
  const menus: unknown[] = [];
  return { appListeners, windows, handlers, ses, service, menus, progress: (p: unknown) => progressListener?.(p) };
});

vi.mock('../../src/main/node/service/audit-service', () => ({
  createAuditService: vi.fn((_options: unknown) => fake.service),
}));

// electron-vite's `?modulePath` imports: the built worker paths, here just names.
vi.mock('../../src/main/node/ingest/ingest-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/ingest-worker.js' }));
vi.mock('../../src/main/node/verify/summarize-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/summarize-worker.js' }));
vi.mock('../../src/main/node/service/case-reader-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/case-reader-worker.js' }));

vi.mock('electron', () => {
  class BrowserWindow {
    static getAllWindows = () => fake.windows;
    options: Record<string, unknown>;
    loadURL = vi.fn(async () => undefined);
    webContents = {
      isDestroyed: () => false,
      getURL: () => APP_ENTRY_URL,
      send: vi.fn(),
      once: vi.fn(),
      on: vi.fn(),
      setWindowOpenHandler: vi.fn(),
    };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      fake.windows.push(this);
    }
    once = vi.fn();
    on = vi.fn();
    show = vi.fn();
    isMinimized = () => false;
    restore = vi.fn();
    focus = vi.fn();
  }
  return {
    app: {
      isPackaged: false,
      on: (name: string, fn: Fn) => fake.appListeners.set(name, fn),
      enableSandbox: vi.fn(),
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      getPath: () => '/tmp/audit-replay-user-data',
      quit: vi.fn(),
    },
    protocol: { registerSchemesAsPrivileged: vi.fn() },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => (fake.ses.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Fn) => (fake.ses.permissionCheck = fn),
        setDevicePermissionHandler: (fn: Fn) => (fake.ses.deviceCheck = fn),
        webRequest: {
          onBeforeRequest: (fn: Fn) => (fake.ses.beforeRequest = fn),
          onHeadersReceived: (fn: Fn) => (fake.ses.headersReceived = fn),
        },
        protocol: { handle: (scheme: string, fn: Fn) => fake.ses.protocolHandlers.set(scheme, fn) },
      },
    },
    ipcMain: { handle: (channel: string, fn: Fn) => fake.handlers.set(channel, fn), removeHandler: (c: string) => fake.handlers.delete(c) },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => fake.menus.push(m) },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] })),
      showSaveDialog: vi.fn(async () => ({ canceled: false, filePath: '/home/reviewer/evidence-report.pdf' })),
      showErrorBox: vi.fn(),
    },
    BrowserWindow,
  };
});

let electron: typeof import('electron');

beforeAll(async () => {
  Reflect.deleteProperty(process.env, 'ELECTRON_RENDERER_URL');
  electron = await import('electron');
  await import('../../src/main/electron/index');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
});

describe('main process wiring', () => {
  it('sandboxes every renderer and registers our scheme as a secure standard scheme', () => {
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      expect.objectContaining({ scheme: APP_SCHEME, privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
  });

  it('creates the window with the secure webPreferences and loads our scheme, never file://', () => {
    const [win] = fake.windows;
    expect(win!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(String(win!.options.webPreferences.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(win!.loadURL).toHaveBeenCalledWith(APP_ENTRY_URL);
  });

  it('guards every web contents against navigation, redirects, webviews and new windows', () => {
    const created = fake.appListeners.get('web-contents-created')!;
    expect(created).toBeTypeOf('function');
    const on = new Map<string, Fn>();
    let openHandler: Fn | null = null;
    created({}, { on: (n: string, fn: Fn) => on.set(n, fn), setWindowOpenHandler: (fn: Fn) => (openHandler = fn) });
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      on.get(name)!(event, 'https://evil.example/');
      expect(event.preventDefault, name).toHaveBeenCalled();
    }
    expect(openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('denies permissions', () => {
    const cb = vi.fn();
    fake.ses.permissionRequest!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(fake.ses.permissionCheck!({}, 'clipboard-read')).toBe(false);
    expect(fake.ses.deviceCheck!({})).toBe(false);
  });

  it('sets the strict CSP on responses and blocks requests that leave the app', () => {
    const headers = vi.fn();
    fake.ses.headersReceived!({ url: APP_ENTRY_URL, responseHeaders: { 'Content-Security-Policy': ['default-src *'] } }, headers);
    expect(headers.mock.calls[0]![0].responseHeaders['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    const decide = (url: string) => {
      const cb = vi.fn();
      fake.ses.beforeRequest!({ url }, cb);
      return cb.mock.calls[0]![0].cancel as boolean;
    };
    expect(decide(`${APP_ORIGIN}/assets/index.js`)).toBe(false);
    expect(decide('https://evil.example/beacon')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
  });

  it('serves only bundle files from our scheme, with the CSP', async () => {
    const handle = fake.ses.protocolHandlers.get(APP_SCHEME)!;
    expect(handle).toBeTypeOf('function');
    const traversal: Response = await handle({ url: `${APP_ORIGIN}/assets/..%2f..%2f..%2fpackage.json` });
    expect(traversal.status).toBe(404);
    const missing: Response = await handle({ url: `${APP_ORIGIN}/no-such-file.js` });
    expect(missing.status).toBe(404);
  });

  it('creates the service on the cases folder with the bundled worker paths', async () => {
    const { createAuditService } = await import('../../src/main/node/service/audit-service');
    expect(createAuditService).toHaveBeenCalledWith({
      casesDir: join('/tmp/audit-replay-user-data', 'cases'),
      ingestWorkerUrl: '/app/out/main/chunks/ingest-worker.js',
      summarizeWorkerUrl: '/app/out/main/chunks/summarize-worker.js',
      readerWorkerUrl: '/app/out/main/chunks/case-reader-worker.js',
      // Reports print to PDF with Electron's printToPDF (src/main/electron/print-pdf.ts).
      htmlToPdf: expect.any(Function),
    });
  });

  it('registers every AuditApi channel through the validating wrapper', async () => {
    expect([...fake.handlers.keys()].sort()).toEqual(Object.values(AUDIT_CHANNELS).sort());
    const summary = fake.handlers.get(AUDIT_CHANNELS.getCaseSummary)!;
    const ours = { senderFrame: { url: APP_ENTRY_URL, parent: null } };
    await expect(summary(ours, 'case_1')).resolves.toEqual({ caseId: 'case_1' });
    await expect(summary({ senderFrame: { url: 'https://evil.example/', parent: null } }, 'case_1')).rejects.toThrow(/refused/);
    await expect(summary({ senderFrame: { url: APP_ENTRY_URL, parent: {} } }, 'case_1')).rejects.toThrow(/refused/);
    await expect(summary(ours, '../x')).rejects.toThrow(/refused/);
    expect(fake.service.getCaseSummary).toHaveBeenCalledTimes(1);
  });

  it('saves a report where the reviewer chooses in the save dialog; a path named by the window is refused', async () => {
    const exportReport = fake.handlers.get(AUDIT_CHANNELS.exportReport)!;
    const ours = { senderFrame: { url: APP_ENTRY_URL, parent: null } };
    await expect(exportReport(ours, 'case_1', 'pdf', '/home/reviewer/.bashrc')).rejects.toThrow(/asks where to save/);
    expect(fake.service.exportReport).not.toHaveBeenCalled();
    await expect(exportReport(ours, 'case_1', 'pdf', null)).resolves.toMatchObject({ path: '/home/reviewer/evidence-report.pdf' });
    expect(fake.service.exportReport).toHaveBeenCalledWith('case_1', 'pdf', '/home/reviewer/evidence-report.pdf');
    vi.mocked(electron.dialog.showSaveDialog).mockResolvedValueOnce({ canceled: true, filePath: '' });
    await expect(exportReport(ours, 'case_1', 'json', null)).resolves.toBeNull();
    expect(fake.service.exportReport).toHaveBeenCalledTimes(1);
  });

  it('forwards progress to the window and has a File menu with Open Export…', () => {
    const progress: JobProgress = { jobId: 'j', phase: 'ingest', bytesDone: 1, bytesTotal: 2, events: 0, secondsLeft: null };
    fake.progress(progress);
    expect(fake.windows[0]!.webContents.send).toHaveBeenCalledWith('job.progress', progress);
    const menu = fake.menus.at(-1) as { label?: string; submenu?: { label?: string }[] }[];
    const file = menu.find((m) => m.label === '&File');
    expect(file?.submenu?.map((i) => i.label)).toEqual(expect.arrayContaining(['Open Export…', 'Open Recent']));
  });
});

describe('no opening of export content outside the app', () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : /\.(ts|tsx|html)$/.test(name) ? [path] : [];
    });
  }
  it('no main, preload or renderer file calls shell.openExternal or shell.openPath', () => {
    const files = ['src/main/electron', 'src/preload', 'src/renderer'].flatMap((d) => sources(join(__dirname, '../..', d)));
    expect(files.length).toBeGreaterThan(3);
    const offenders = files.filter((f) => /\bopenExternal\b|\bopenPath\b|import\s*\{[^}]*\bshell\b[^}]*\}\s*from\s*['"]electron/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
