/**
 * The sandboxed preload: puts `window.audit` (exactly `AuditApi`, one function
 * per call, each an `ipcRenderer.invoke` on its `AUDIT_CHANNELS` channel) and
 * `window.auditHost` (the path of a dropped file) into the isolated world.
 * Nothing else of Electron reaches the renderer: no ipcRenderer, no event
 * objects, no generic "send any channel" function.
 *
 * Built as CommonJS (a sandboxed preload cannot load ESM) with the shared
 * contract bundled in; only 'electron' stays external.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { AUDIT_CHANNELS, PROGRESS_CHANNEL } from '../shared/api/audit-api';
import type { AuditApi, JobProgress } from '../shared/api/audit-api';
import { errorSentence } from '../shared/api/error-sentence';

type IpcListener = Parameters<typeof ipcRenderer.on>[1];

async function invoke<T>(channel: string, ...args: unknown[]): Promise<T> {
  try {
    return (await ipcRenderer.invoke(channel, ...args)) as T;
  } catch (error) {
    // Electron wraps a rejected handler as "Error invoking remote method 'x': Error: …"; the renderer gets the sentence.
    throw new Error(errorSentence(error));
  }
}

export const audit = {
  getDeskInfo: () => invoke(AUDIT_CHANNELS.getDeskInfo),
  pickFile: (kind) => invoke(AUDIT_CHANNELS.pickFile, kind),
  openExport: (request) => invoke(AUDIT_CHANNELS.openExport, request),
  cancelJob: (jobId) => invoke(AUDIT_CHANNELS.cancelJob, jobId),
  onProgress(listener) {
    // The Electron event (with its `sender`) never reaches the renderer.
    const relay: IpcListener = (_event, progress: JobProgress) => listener(progress);
    ipcRenderer.on(PROGRESS_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(PROGRESS_CHANNEL, relay);
    };
  },
  listRecentCases: () => invoke(AUDIT_CHANNELS.listRecentCases),
  getCaseSummary: (caseId) => invoke(AUDIT_CHANNELS.getCaseSummary, caseId),
  setCaseInputs: (caseId, inputs) => invoke(AUDIT_CHANNELS.setCaseInputs, caseId, inputs),
  queryEvents: (caseId, query) => invoke(AUDIT_CHANNELS.queryEvents, caseId, query),
  getEventProof: (caseId, index) => invoke(AUDIT_CHANNELS.getEventProof, caseId, index),
  listFindings: (caseId) => invoke(AUDIT_CHANNELS.listFindings, caseId),
  listDivergences: (caseId) => invoke(AUDIT_CHANNELS.listDivergences, caseId),
  listSequenceFindings: (caseId) => invoke(AUDIT_CHANNELS.listSequenceFindings, caseId),
  getTimeline: (caseId, query) => invoke(AUDIT_CHANNELS.getTimeline, caseId, query),
  searchEvents: (caseId, term) => invoke(AUDIT_CHANNELS.searchEvents, caseId, term),
  getRequestStory: (caseId, index) => invoke(AUDIT_CHANNELS.getRequestStory, caseId, index),
  addNote: (caseId, note) => invoke(AUDIT_CHANNELS.addNote, caseId, note),
  editNote: (caseId, noteId, edit) => invoke(AUDIT_CHANNELS.editNote, caseId, noteId, edit),
  // Always both positions, so the main's exact-count validator sees two arguments.
  listNotes: (caseId, target) => invoke(AUDIT_CHANNELS.listNotes, caseId, target ?? null),
  exportReport: (caseId, format, outPath) => invoke(AUDIT_CHANNELS.exportReport, caseId, format, outPath ?? null),
  exportEntryProof: (caseId, index, outPath) => invoke(AUDIT_CHANNELS.exportEntryProof, caseId, index, outPath ?? null),
  whatIf: (caseId, policiesPath) => invoke(AUDIT_CHANNELS.whatIf, caseId, policiesPath ?? null),
  getWhatIfResult: (jobId) => invoke(AUDIT_CHANNELS.getWhatIfResult, jobId),
  compareExport: (caseId, earlierPath) => invoke(AUDIT_CHANNELS.compareExport, caseId, earlierPath ?? null),
} satisfies AuditApi;

/**
 * Beside `window.audit`, not in it: a sandboxed renderer's File has no path, so
 * drag and drop asks the preload. Matches `AuditHost` in src/renderer/api.ts.
 */
export const auditHost = {
  pathForFile: (file: Parameters<typeof webUtils.getPathForFile>[0]): string => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('audit', audit);
contextBridge.exposeInMainWorld('auditHost', auditHost);
