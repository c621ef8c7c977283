import { describe, expect, it, vi } from 'vitest';
import type { Mock } from 'vitest';
import { AUDIT_CHANNELS, PROGRESS_CHANNEL } from '../../src/shared/api/audit-api';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { forwardProgress, registerAuditIpc, RefusedCall } from '../../src/main/electron/ipc';
import { errorSentence } from '../../src/shared/api/error-sentence';
import type { AuditCalls, IpcInvokeEventLike, IpcInvokeHandler, IpcMainLike } from '../../src/main/electron/ipc';
import { APP_ORIGIN } from '../../src/main/electron/security';

/** Behaves like Electron's ipcMain for invoke: one handler per channel, unknown channels reject. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, IpcInvokeHandler>();
  handle(channel: string, handler: IpcInvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: IpcInvokeEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return handler(event, ...args);
  }
}

const mainFrame = (url: string): IpcInvokeEventLike => ({ senderFrame: { url, parent: null } });
const subFrame = (url: string): IpcInvokeEventLike => ({ senderFrame: { url, parent: { url: `${APP_ORIGIN}/index.html` } } });
const OURS = mainFrame(`${APP_ORIGIN}/index.html`);
const CASE = 'c0ffee_case-1';

function fakeCalls(): Record<keyof AuditCalls, Mock> {
  return {
    getDeskInfo: vi.fn(async () => ({ canPickFiles: true, sample: null })),
    pickFile: vi.fn(async () => '/tmp/x.jsonl'),
    openExport: vi.fn(async () => ({ jobId: 'job-1' })),
    cancelJob: vi.fn(async () => undefined),
    listRecentCases: vi.fn(async () => []),
    getCaseSummary: vi.fn(async () => ({ caseId: CASE })),
    setCaseInputs: vi.fn(async () => ({ jobId: 'job-2' })),
    queryEvents: vi.fn(async () => ({ total: 0, offset: 0, rows: [] })),
    getEventProof: vi.fn(async () => ({ index: 0 })),
    listFindings: vi.fn(async () => []),
    listDivergences: vi.fn(async () => []),
    listSequenceFindings: vi.fn(async () => []),
    getTimeline: vi.fn(async () => ({ buckets: [] })),
    searchEvents: vi.fn(async () => ({ term: 'x', matches: [], truncated: false })),
    getRequestStory: vi.fn(async () => null),
    addNote: vi.fn(async () => ({ noteId: 1 })),
    editNote: vi.fn(async () => ({ noteId: 1 })),
    listNotes: vi.fn(async () => []),
    exportReport: vi.fn(async () => null),
    exportEntryProof: vi.fn(async () => null),
    whatIf: vi.fn(async () => ({ jobId: 'job-3' })),
    getWhatIfResult: vi.fn(async () => ({ changed: 0 })),
    compareExport: vi.fn(async () => null),
  };
}

function setup() {
  const ipc = new FakeIpcMain();
  const calls = fakeCalls();
  const log = vi.fn();
  const onAccepted = vi.fn();
  const unregister = registerAuditIpc(ipc, { calls: calls as unknown as AuditCalls, expectedOrigin: APP_ORIGIN, log, onAccepted });
  const serviceCalls = () => Object.values(calls).reduce((n, fn) => n + fn.mock.calls.length, 0);
  return { ipc, calls, log, onAccepted, unregister, serviceCalls };
}

/** One valid argument list per call. */
const VALID: Record<keyof typeof AUDIT_CHANNELS, unknown[]> = {
  getDeskInfo: [],
  pickFile: ['export'],
  openExport: [{ exportPath: '/cases/export.jsonl', trustPath: '/cases/trust.json', policiesPath: null }],
  cancelJob: ['job-1'],
  listRecentCases: [],
  getCaseSummary: [CASE],
  setCaseInputs: [CASE, { trustPath: 'C:\\trust\\trust.json' }],
  queryEvents: [CASE, { offset: 0, limit: 200, agent: 'agent-7', outcome: 'deny', diverged: null, text: '<img src=x onerror=alert(1)>' }],
  getEventProof: [CASE, 41],
  listFindings: [CASE],
  listDivergences: [CASE],
  listSequenceFindings: [CASE],
  getTimeline: [CASE, { buckets: 120, fromTs: null, toTs: '2025-01-01T00:00:00Z' }],
  searchEvents: [CASE, 'req-INV-100003-pay_invoice'],
  getRequestStory: [CASE, 41],
  addNote: [CASE, { target: { kind: 'event', index: 41 }, text: '<img src=x onerror=alert(1)>', tags: ['false alarm'], author: 'reviewer' }],
  editNote: [CASE, 1, { text: 'edited', tags: [], author: 'reviewer' }],
  listNotes: [CASE, null],
  exportReport: [CASE, 'pdf', null],
  exportEntryProof: [CASE, 41, null],
  whatIf: [CASE, null],
  getWhatIfResult: ['job-3'],
  compareExport: [CASE, '/cases/earlier.jsonl'],
};

describe('registerAuditIpc', () => {
  it('registers exactly the AuditApi channels, and can remove them', () => {
    const { ipc, unregister } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(AUDIT_CHANNELS).sort());
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });

  it.each(Object.entries(VALID))('passes a valid %s call through to the service', async (call, args) => {
    const { ipc, calls, onAccepted, log } = setup();
    const channel = AUDIT_CHANNELS[call as keyof typeof AUDIT_CHANNELS];
    await ipc.invoke(channel, OURS, ...args);
    expect(calls[call as keyof AuditCalls]).toHaveBeenCalledOnce();
    expect(calls[call as keyof AuditCalls].mock.calls[0]).toEqual(args.map((a) => (a && typeof a === 'object' ? expect.objectContaining(a) : a)));
    expect(onAccepted).toHaveBeenCalledWith(call);
    expect(log).not.toHaveBeenCalled();
  });

  it('hands the service a fresh copy holding only the checked fields', async () => {
    const { ipc, calls } = setup();
    const query = { offset: 5, limit: 10 };
    await ipc.invoke(AUDIT_CHANNELS.queryEvents, OURS, CASE, query);
    const passed = calls.queryEvents!.mock.calls[0]![1];
    expect(passed).toEqual(query);
    expect(passed).not.toBe(query);
    expect(Object.getPrototypeOf(passed)).toBe(Object.prototype);
  });

  it('refuses an unknown channel loudly', async () => {
    const { ipc, serviceCalls } = setup();
    await expect(ipc.invoke('shell.openExternal', OURS, 'https://evil.example')).rejects.toThrow(/No handler/);
    await expect(ipc.invoke('case.openExport ', OURS, VALID.openExport[0])).rejects.toThrow(/No handler/);
    expect(serviceCalls()).toBe(0);
  });

  it.each([
    ['a sub-frame of our window', subFrame(`${APP_ORIGIN}/index.html`)],
    ['a hostile sub-frame', subFrame('https://evil.example/')],
    ['a remote page', mainFrame('https://evil.example/')],
    ['a local file', mainFrame('file:///work/main/out/renderer/index.html')],
    ['about:blank', mainFrame('about:blank')],
    ['a data: page', mainFrame('data:text/html,<script>1</script>')],
    ['a javascript: url', mainFrame('javascript:alert(1)')],
    ['a lookalike host', mainFrame('audit-replay://app.evil/index.html')],
    ['a credentials trick', mainFrame('audit-replay://app@evil/index.html')],
    ['the dev server in production', mainFrame('http://localhost:5173/')],
    ['no frame', { senderFrame: null }],
    [
      'a destroyed frame',
      {
        get senderFrame(): never {
          throw new Error('Render frame was disposed');
        },
      },
    ],
  ] as [string, IpcInvokeEventLike][])('refuses a call from %s, logs it and never reaches the service', async (_what, event) => {
    const { ipc, log, serviceCalls, onAccepted } = setup();
    for (const [call, args] of Object.entries(VALID)) {
      const rejection = ipc.invoke(AUDIT_CHANNELS[call as keyof typeof AUDIT_CHANNELS], event, ...args);
      await expect(rejection).rejects.toBeInstanceOf(RefusedCall);
      await expect(rejection).rejects.toThrow(/refused.*not the review window/);
    }
    expect(serviceCalls()).toBe(0);
    expect(onAccepted).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(Object.keys(VALID).length);
    expect(log.mock.calls[0]![0]).toMatch(/^IPC refused on /);
  });

  const invalid: [string, string, unknown[], RegExp][] = [
    ['no arguments', AUDIT_CHANNELS.getCaseSummary, [], /Expected 1 argument, got 0/],
    ['an extra argument', AUDIT_CHANNELS.getCaseSummary, [CASE, 'extra'], /Expected 1 argument, got 2/],
    ['arguments to a no-argument call', AUDIT_CHANNELS.listRecentCases, [{}], /Expected 0 arguments/],
    ['a kind outside the enum', AUDIT_CHANNELS.pickFile, ['../../etc'], /kind must be one of export, trust, policies/],
    ['an empty export path', AUDIT_CHANNELS.openExport, [{ exportPath: '' }], /request.exportPath must not be empty/],
    ['a relative export path', AUDIT_CHANNELS.openExport, [{ exportPath: 'export.jsonl' }], /absolute path/],
    ['a non-string export path', AUDIT_CHANNELS.openExport, [{ exportPath: ['/a'] }], /must be text, not a list/],
    ['a NUL in a path', AUDIT_CHANNELS.openExport, [{ exportPath: '/tmp/a\0.jsonl' }], /NUL/],
    ['an enormous path', AUDIT_CHANNELS.openExport, [{ exportPath: `/${'a'.repeat(5000)}` }], /longer than 4096/],
    ['an unexpected field', AUDIT_CHANNELS.openExport, [{ exportPath: '/a', shell: 'rm -rf /' }], /unexpected field "shell"/],
    ['a __proto__ field', AUDIT_CHANNELS.openExport, [JSON.parse('{"exportPath":"/a","__proto__":{"polluted":true}}')], /unexpected field "__proto__"/],
    [
      'a class instance',
      AUDIT_CHANNELS.openExport,
      [
        new (class {
          exportPath = '/a';
        })(),
      ],
      /plain object/,
    ],
    ['null instead of a request', AUDIT_CHANNELS.openExport, [null], /must be an object, not null/],
    ['a case id that is a path', AUDIT_CHANNELS.getCaseSummary, ['../../etc/passwd'], /not allowed/],
    ['a case id with a dot', AUDIT_CHANNELS.listFindings, ['a.sqlite'], /not allowed/],
    ['an empty case id', AUDIT_CHANNELS.listFindings, [''], /must not be empty/],
    ['a numeric case id', AUDIT_CHANNELS.listFindings, [42], /must be text, not a number/],
    ['a negative offset', AUDIT_CHANNELS.queryEvents, [CASE, { offset: -1, limit: 10 }], /offset must be a whole number from 0 to 1000000000/],
    ['a fractional offset', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 1.5, limit: 10 }], /offset/],
    ['an offset past 1e9', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 1e9 + 1, limit: 10 }], /offset/],
    ['NaN', AUDIT_CHANNELS.queryEvents, [CASE, { offset: NaN, limit: 10 }], /offset/],
    ['Infinity', AUDIT_CHANNELS.getEventProof, [CASE, Infinity], /index/],
    ['a string number', AUDIT_CHANNELS.getEventProof, [CASE, '5'], /index/],
    ['a limit over 10 000', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 0, limit: 10_001 }], /limit must be a whole number from 0 to 10000/],
    ['a missing limit', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 0 }], /limit/],
    ['an outcome outside the enum', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 0, limit: 1, outcome: 'maybe' }], /outcome must be one of/],
    ['a non-boolean diverged', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 0, limit: 1, diverged: 'yes' }], /true or false/],
    ['an enormous text filter', AUDIT_CHANNELS.queryEvents, [CASE, { offset: 0, limit: 1, text: 'x'.repeat(1001) }], /longer than 1000/],
    ['zero timeline buckets', AUDIT_CHANNELS.getTimeline, [CASE, { buckets: 0 }], /buckets/],
    ['a job id with a slash', AUDIT_CHANNELS.cancelJob, ['job/1'], /not allowed/],
    ['case inputs with an unknown field', AUDIT_CHANNELS.setCaseInputs, [CASE, { trustPath: '/t.json', exportPath: '/x' }], /unexpected field "exportPath"/],
    ['a relative what-if folder', AUDIT_CHANNELS.whatIf, [CASE, '../policies'], /policiesPath must be an absolute path/],
    ['a what-if folder as a list', AUDIT_CHANNELS.whatIf, [CASE, ['/p']], /policiesPath must be text, not a list/],
    ['a what-if without its case', AUDIT_CHANNELS.whatIf, ['/p'], /Expected 2 arguments, got 1/],
    ['a what-if result by a path', AUDIT_CHANNELS.getWhatIfResult, ['../job'], /not allowed/],
    ['a relative earlier export', AUDIT_CHANNELS.compareExport, [CASE, 'earlier.jsonl'], /earlierPath must be an absolute path/],
    ['a NUL in the earlier export', AUDIT_CHANNELS.compareExport, [CASE, '/tmp/a\0.jsonl'], /NUL/],
  ];
  it.each(invalid)('refuses %s before the service sees it', async (_what, channel, args, problem) => {
    const { ipc, log, serviceCalls } = setup();
    const rejection = ipc.invoke(channel, OURS, ...args);
    await expect(rejection).rejects.toBeInstanceOf(RefusedCall);
    await expect(rejection).rejects.toThrow(problem);
    expect(serviceCalls()).toBe(0);
    expect(log).toHaveBeenCalledOnce();
  });

  it('turns a service failure into one sentence, never a stack', async () => {
    const { ipc, calls, log } = setup();
    const failure = new TypeError('No case with id c0ffee_case-1 was found.\n    at CaseStore.open (/app/out/main/index.js:10:3)');
    calls.getCaseSummary!.mockRejectedValueOnce(failure);
    const rejection = ipc.invoke(AUDIT_CHANNELS.getCaseSummary, OURS, CASE);
    await expect(rejection).rejects.toThrow(/^No case with id c0ffee_case-1 was found\.$/);
    const error = (await rejection.catch((e: unknown) => e)) as Error;
    expect(error.message).not.toMatch(/\bat\b.*index\.js|\n/);
    expect(error).not.toBe(failure);
    // The full detail stays in the main process log.
    expect(log.mock.calls[0]![0]).toContain('CaseStore.open');
  });
});

describe('errorSentence', () => {
  it.each([
    [new Error('Error: The export could not be read (line 3).'), 'The export could not be read (line 3).'],
    [new RangeError('RangeError: Invalid array length\n    at x (y.js:1:1)'), 'Invalid array length.'],
    ['plain text', 'plain text.'],
    [new Error("Error invoking remote method 'case.summary': Error: Line 3 is not JSON\n    at x (y.js:1:1)"), 'Line 3 is not JSON.'],
    [new Error("Error invoking remote method 'x': RefusedCall: The request was refused: no."), 'The request was refused: no.'],
    [{ message: 'not an Error' }, 'The service could not complete the request.'],
    [undefined, 'The service could not complete the request.'],
    [new Error('\n    at stack only'), 'The service could not complete the request.'],
    [new Error('    at Object.<anonymous> (/x.js:1:1)'), 'The service could not complete the request.'],
    [new Error(`bell\u0007 and ${'x'.repeat(600)}`), expect.stringMatching(/^bell {2}and x+…$/)],
  ])('%#', (input, expected) => {
    const sentence = errorSentence(input);
    expect(sentence).toEqual(expected);
    expect(sentence.length).toBeLessThanOrEqual(500);
    // Every door applies it again (service, main, preload, renderer): the sentence must not change.
    expect(errorSentence(new Error(sentence))).toBe(sentence);
  });
});

describe('forwardProgress', () => {
  function source() {
    let listener: ((p: JobProgress) => void) | null = null;
    const unsubscribe = vi.fn();
    return {
      onProgress: (fn: (p: JobProgress) => void) => {
        listener = fn;
        return unsubscribe;
      },
      emit: (p: JobProgress) => listener!(p),
      unsubscribe,
    };
  }
  const progress: JobProgress = { jobId: 'j', phase: 'ingest', bytesDone: 1, bytesTotal: 2, events: 3, secondsLeft: null };

  it('sends progress on PROGRESS_CHANNEL to our window only', () => {
    const src = source();
    let url = `${APP_ORIGIN}/index.html`;
    let destroyed = false;
    const target = { isDestroyed: () => destroyed, getURL: () => url, send: vi.fn() };
    const seen = vi.fn();
    const stop = forwardProgress(src, target, APP_ORIGIN, seen);
    src.emit(progress);
    expect(target.send).toHaveBeenCalledWith(PROGRESS_CHANNEL, progress);
    url = 'https://evil.example/';
    src.emit(progress);
    url = `${APP_ORIGIN}/index.html`;
    destroyed = true;
    src.emit(progress);
    expect(target.send).toHaveBeenCalledOnce();
    expect(seen).toHaveBeenCalledTimes(3);
    stop();
    expect(src.unsubscribe).toHaveBeenCalledOnce();
  });

  it('keeps a failed job’s error to a sentence', () => {
    const src = source();
    const target = { isDestroyed: () => false, getURL: () => `${APP_ORIGIN}/`, send: vi.fn() };
    forwardProgress(src, target, APP_ORIGIN);
    src.emit({ ...progress, phase: 'failed', error: 'Error: Line 7 is not JSON.\n    at parse (x.js:1:1)' });
    expect(target.send.mock.calls[0]![1].error).toBe('Line 7 is not JSON.');
  });
});
