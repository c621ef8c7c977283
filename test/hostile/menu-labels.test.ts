/**
 * The "Open Recent" menu shows export file names, which come from whoever
 * named the file: the checklist in docs/security.md said this was checked by
 * hand only. Loads src/main/electron/index.ts against a fake 'electron' (the
 * same fakes as test/electron/main-wiring.test.ts) with hostile names in the
 * recent cases, and reads the menu template it builds.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL } from '../../src/main/electron/security';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

const HOSTILE_RECENT = vi.hoisted(() => {
  const names = [
    'a\u0000b\u0007c\nd\re\u001b[31mf\u007fg.jsonl',
    '&Quit && &File.jsonl',
    'x'.repeat(500) + '.jsonl',
    'invoice\u202Egpj.exe.jsonl',
    'C1\u0085next\u009bline\u2028sep\u2029par.jsonl',
  ];
  return names.map((exportName, i) => ({ caseId: `00000000-0000-4000-8000-00000000000${i}`, exportName, exportPath: `/cases/${i}.jsonl`, verdict: 'intact', events: 1, openedAt: '2026-11-25T00:00:00.000Z' }));
});

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
    listRecentCases: vi.fn(async () => HOSTILE_RECENT),
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

let labels: string[] = [];

beforeAll(async () => {
  Reflect.deleteProperty(process.env, 'ELECTRON_RENDERER_URL');
  await import('electron');
  await import('../../src/main/electron/index');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
  await vi.waitFor(() => {
    const menu = fake.menus[fake.menus.length - 1] as { label?: string; submenu?: { label?: string; submenu?: { label: string }[] }[] }[] | undefined;
    const recent = menu?.flatMap((m) => m.submenu ?? []).find((i) => i.label === 'Open Recent');
    labels = (recent?.submenu ?? []).map((i) => i.label);
    expect(labels.length).toBe(HOSTILE_RECENT.length);
  });
  void APP_ENTRY_URL;
});

describe('Open Recent labels from hostile export names', () => {
  it('hold no C0 control characters, double every & (no accelerator from a name), and stay short', () => {
    for (const label of labels) {
      // eslint-disable-next-line no-control-regex
      expect(label).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(label.replace(/&&/g, '')).not.toContain('&');
      expect(label.length).toBeLessThanOrEqual(60 + ' — intact'.length);
    }
    expect(labels[1]).toContain('&&Quit');
  });

  // A right-to-left override (U+202E) would make "invoice<RLO>gpj.exe.jsonl"
  // read as "invoicelnosj.exe.jpg"; recentLabel() strips bidi controls, C1
  // controls and line/paragraph separators as well as C0.
  it('hold no bidi overrides, C1 controls or line separators', () => {
    for (const label of labels) expect(label).not.toMatch(/[\u0080-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
  });
});
