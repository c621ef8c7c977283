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
import { fake } from './fake-electron';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

vi.mock('../../src/main/node/service/audit-service', async () => (await import('./fake-electron')).serviceModule);
vi.mock('electron', async () => (await import('./fake-electron')).electronModule());

// electron-vite's `?modulePath` imports: the built worker paths, here just names.
vi.mock('../../src/main/node/ingest/ingest-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/ingest-worker.js' }));
vi.mock('../../src/main/node/formats/summarize-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/summarize-worker.js' }));
vi.mock('../../src/main/node/service/case-reader-worker.ts?modulePath', () => ({ default: '/app/out/main/chunks/case-reader-worker.js' }));

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

  it("saves an entry's proof where the reviewer chooses, offering the proof's own file name; a path named by the window is refused", async () => {
    const exportProof = fake.handlers.get(AUDIT_CHANNELS.exportEntryProof)!;
    const ours = { senderFrame: { url: APP_ENTRY_URL, parent: null } };
    await expect(exportProof(ours, 'case_1', 7, '/home/reviewer/.bashrc')).rejects.toThrow(/asks where to save the proof/);
    expect(fake.service.exportEntryProof).not.toHaveBeenCalled();
    vi.mocked(electron.dialog.showSaveDialog).mockResolvedValueOnce({ canceled: false, filePath: '/home/reviewer/p.json' });
    await expect(exportProof(ours, 'case_1', 7, null)).resolves.toMatchObject({ path: '/home/reviewer/p.json' });
    expect(vi.mocked(electron.dialog.showSaveDialog).mock.calls.at(-1)!.at(-1)).toMatchObject({ defaultPath: 'export.seq-7.proof.json' });
    expect(fake.service.exportEntryProof).toHaveBeenLastCalledWith('case_1', 7, '/home/reviewer/p.json');
    vi.mocked(electron.dialog.showSaveDialog).mockResolvedValueOnce({ canceled: true, filePath: '' });
    await expect(exportProof(ours, 'case_1', 7, null)).resolves.toBeNull();
  });

  it('what-if and compare read what the reviewer picks in the open dialog; a path named by the window is refused', async () => {
    const ours = { senderFrame: { url: APP_ENTRY_URL, parent: null } };
    const whatIf = fake.handlers.get(AUDIT_CHANNELS.whatIf)!;
    const compare = fake.handlers.get(AUDIT_CHANNELS.compareExport)!;
    await expect(whatIf(ours, 'case_1', '/etc')).rejects.toThrow(/asks for the policy bundle/);
    await expect(compare(ours, 'case_1', '/home/reviewer/.ssh/id_ed25519')).rejects.toThrow(/asks for the earlier export/);
    expect(fake.service.whatIf).not.toHaveBeenCalled();
    expect(fake.service.compareExport).not.toHaveBeenCalled();
    // Cancelled dialogs (the fake's default): nothing runs, the window gets null.
    await expect(whatIf(ours, 'case_1', null)).resolves.toBeNull();
    await expect(compare(ours, 'case_1', null)).resolves.toBeNull();
    expect(fake.service.whatIf).not.toHaveBeenCalled();
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: ['/home/reviewer/policies-v9'] });
    await expect(whatIf(ours, 'case_1', null)).resolves.toEqual({ jobId: 'job-3' });
    expect(fake.service.whatIf).toHaveBeenCalledExactlyOnceWith('case_1', '/home/reviewer/policies-v9');
    expect(vi.mocked(electron.dialog.showOpenDialog).mock.lastCall?.at(-1)).toMatchObject({ properties: ['openDirectory'] });
    vi.mocked(electron.dialog.showOpenDialog).mockResolvedValueOnce({ canceled: false, filePaths: ['/home/reviewer/march.jsonl'] });
    await expect(compare(ours, 'case_1', null)).resolves.toEqual({ relation: 'extends' });
    expect(fake.service.compareExport).toHaveBeenCalledExactlyOnceWith('case_1', '/home/reviewer/march.jsonl');
    expect(vi.mocked(electron.dialog.showOpenDialog).mock.lastCall?.at(-1)).toMatchObject({ properties: ['openFile'] });
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
