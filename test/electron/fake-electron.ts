/**
 * A fake 'electron' and a fake service for loading src/main/electron/index.ts
 * in tests (main-wiring, menu labels). Each test file mocks 'electron' and the
 * service with these and reads `fake` to see what index.ts did.
 */
import { vi } from 'vitest';
import { APP_ENTRY_URL } from '../../src/main/electron/security';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

function createFake() {
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
    listRecentCases: vi.fn(async (): Promise<unknown[]> => []),
    getCaseSummary: vi.fn(async (caseId: string) => ({ caseId })),
    setCaseInputs: vi.fn(async () => ({ jobId: 'job-2' })),
    queryEvents: vi.fn(async () => ({ total: 0, offset: 0, rows: [] })),
    getEventProof: vi.fn(async () => ({})),
    listFindings: vi.fn(async () => []),
    listDivergences: vi.fn(async () => []),
    listSequenceFindings: vi.fn(async () => []),
    getTimeline: vi.fn(async () => ({})),
    exportReport: vi.fn(async (_caseId: string, format: string, outPath: string) => ({ path: outPath, format, reportSha256: 'ab', bytes: 1 })),
    exportEntryProof: vi.fn(async (_caseId: string, index: number, outPath?: string | null) => ({
      fileName: `export.seq-${index}.proof.json`,
      text: '{}\n',
      sha256: 'cd',
      bytes: 3,
      path: outPath ?? null,
      command: 'audit-replay verify-proof x --trust t',
    })),
    whatIf: vi.fn(async () => ({ jobId: 'job-3' })),
    getWhatIfResult: vi.fn(async () => ({})),
    compareExport: vi.fn(async () => ({ relation: 'extends' })),
    close: vi.fn(async () => undefined),
  };
  const menus: unknown[] = [];
  return { appListeners, windows, handlers, ses, service, menus, progress: (p: unknown) => progressListener?.(p) };
}

/** One fake per test file (each file runs in its own module graph). */
export const fake = createFake();

/** What `vi.mock('../../src/main/node/service/audit-service', …)` returns. */
export const serviceModule = { createAuditService: vi.fn((_options: unknown) => fake.service) };

/** What `vi.mock('electron', …)` returns. */
export function electronModule() {
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
}
