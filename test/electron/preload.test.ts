/**
 * The preload, loaded with a fake 'electron': it must expose exactly the
 * AuditApi keys on `window.audit`, route each call to its own channel with its
 * arguments unchanged, never hand the renderer an Electron event, and expose
 * nothing else but `auditHost.pathForFile`.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDIT_CHANNELS, PROGRESS_CHANNEL } from '../../src/shared/api/audit-api';
import type { AuditApi, JobProgress } from '../../src/shared/api/audit-api';

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed,
    listeners,
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ channel, args })),
      on: (channel: string, fn: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(fn);
      },
      removeListener: (channel: string, fn: (...args: unknown[]) => void) => listeners.get(channel)?.delete(fn),
      send: vi.fn(),
    },
    webUtils: { getPathForFile: vi.fn(() => '/home/reviewer/export.jsonl') },
  };
});

vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer, webUtils: electron.webUtils }));

let audit: AuditApi;

beforeAll(async () => {
  await import('../../src/preload/index');
  audit = electron.exposed.get('audit') as AuditApi;
});

describe('preload', () => {
  it('exposes only window.audit and window.auditHost', () => {
    expect([...electron.exposed.keys()].sort()).toEqual(['audit', 'auditHost']);
    expect(Object.keys(electron.exposed.get('auditHost') as object)).toEqual(['pathForFile']);
  });

  it('window.audit has exactly the AuditApi calls, each a function', () => {
    const expected = [...Object.keys(AUDIT_CHANNELS), 'onProgress'].sort();
    expect(Object.keys(audit).sort()).toEqual(expected);
    for (const key of expected) expect(typeof (audit as unknown as Record<string, unknown>)[key]).toBe('function');
  });

  const calls: [keyof typeof AUDIT_CHANNELS, unknown[]][] = [
    ['getDeskInfo', []],
    ['pickFile', ['trust']],
    ['openExport', [{ exportPath: '/e.jsonl' }]],
    ['cancelJob', ['job-1']],
    ['listRecentCases', []],
    ['getCaseSummary', ['c1']],
    ['setCaseInputs', ['c1', { trustPath: null }]],
    ['queryEvents', ['c1', { offset: 0, limit: 50 }]],
    ['getEventProof', ['c1', 7]],
    ['listFindings', ['c1']],
    ['listDivergences', ['c1']],
    ['listSequenceFindings', ['c1']],
    ['getTimeline', ['c1', { buckets: 10 }]],
    ['searchEvents', ['c1', 'req-1']],
    ['getRequestStory', ['c1', 4]],
    ['addNote', ['c1', { target: { kind: 'case' }, text: 'n', tags: [], author: 'a' }]],
    ['editNote', ['c1', 1, { text: 'n2', tags: ['false alarm'], author: 'a' }]],
    ['listNotes', ['c1', null]],
    ['exportReport', ['c1', 'pdf', null]],
    ['exportEntryProof', ['c1', 7, null]],
    ['whatIf', ['c1', null]],
    ['getWhatIfResult', ['job-3']],
    ['compareExport', ['c1', null]],
  ];
  it('covers every call in this test', () => {
    expect(calls.map(([c]) => c).sort()).toEqual(Object.keys(AUDIT_CHANNELS).sort());
  });
  it.each(calls)('%s invokes its own channel with its arguments', async (call, args) => {
    electron.ipcRenderer.invoke.mockClear();
    const fn = (audit as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[call]!;
    await expect(fn(...args)).resolves.toEqual({ channel: AUDIT_CHANNELS[call], args });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(AUDIT_CHANNELS[call], ...args);
  });

  it('rejects with the sentence only, without Electron’s transport prefix', async () => {
    electron.ipcRenderer.invoke.mockRejectedValueOnce(new Error("Error invoking remote method 'case.summary': RefusedCall: The request was refused: caseId has characters that are not allowed."));
    await expect(audit.getCaseSummary('x')).rejects.toThrow(/^The request was refused: caseId has characters that are not allowed\.$/);
  });

  it('onProgress passes the progress only, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const unsubscribe = audit.onProgress((...args: unknown[]) => seen.push(args));
    const progress: JobProgress = { jobId: 'j', phase: 'done', bytesDone: 1, bytesTotal: 1, events: 1, secondsLeft: 0, caseId: 'c' };
    const fakeEvent = { sender: { send: () => {} }, senderId: 0 };
    for (const fn of electron.listeners.get(PROGRESS_CHANNEL)!) fn(fakeEvent, progress);
    expect(seen).toEqual([[progress]]);
    unsubscribe();
    expect(electron.listeners.get(PROGRESS_CHANNEL)!.size).toBe(0);
  });

  it('auditHost.pathForFile asks webUtils', () => {
    const host = electron.exposed.get('auditHost') as { pathForFile(file: unknown): string };
    expect(host.pathForFile({ name: 'export.jsonl' })).toBe('/home/reviewer/export.jsonl');
  });
});
