/**
 * The one door from the renderer to the services. Every `AuditApi` call is
 * registered here, on its `AUDIT_CHANNELS` channel, through one wrapper that
 * (1) refuses channels it does not know, (2) refuses any sender that is not
 * the main frame of our own renderer, (3) validates the arguments with the
 * call's validator from src/shared/api/validate.ts, and only then (4) calls
 * the service. Refusals are logged and rejected, never silently dropped.
 * Whatever crosses back is a sentence, never a stack.
 *
 * The transport is described by small interfaces so this is tested without
 * Electron (test/electron/ipc.test.ts); Electron's ipcMain and WebContents fit them.
 */
import { AUDIT_CHANNELS, PROGRESS_CHANNEL } from '../../shared/api/audit-api';
import type { AuditApi, JobProgress } from '../../shared/api/audit-api';
import { AUDIT_VALIDATORS } from '../../shared/api/validate';
import type { AuditCallName } from '../../shared/api/validate';
import { errorSentence } from '../../shared/api/error-sentence';
import { describeUrl, isTrustedSender } from './security';

export interface SenderFrameLike {
  readonly url: string;
  /** null for a window's main frame. */
  readonly parent: unknown;
}

export interface IpcInvokeEventLike {
  readonly senderFrame: SenderFrameLike | null;
}

export type IpcInvokeHandler = (event: IpcInvokeEventLike, ...args: unknown[]) => Promise<unknown>;

export interface IpcMainLike {
  handle(channel: string, handler: IpcInvokeHandler): void;
  removeHandler(channel: string): void;
}

/** What the IPC door calls: the service's calls plus the desktop file dialog. */
export type AuditCalls = Pick<AuditApi, AuditCallName>;

export type IpcLog = (message: string) => void;

export interface AuditIpcOptions {
  calls: AuditCalls;
  /** The renderer's origin (see `rendererOrigin`); any other sender is refused. */
  expectedOrigin: string;
  log: IpcLog;
  /** Called once a call has passed every check, before the service runs (main uses the first as "the window is listening"). */
  onAccepted?: (call: AuditCallName) => void;
}

/** A call refused before it reached a service: unknown channel, foreign sender or bad payload. */
export class RefusedCall extends Error {
  override name = 'RefusedCall';
}

const CALL_BY_CHANNEL: ReadonlyMap<string, AuditCallName> = new Map((Object.keys(AUDIT_CHANNELS) as AuditCallName[]).map((call) => [AUDIT_CHANNELS[call], call]));

/** The registered surface, as reviewed by the IPC snapshot test: channel → call and argument validator. */
export function auditIpcSurface(): { channel: string; call: AuditCallName; args: string }[] {
  return [...CALL_BY_CHANNEL].map(([channel, call]) => ({ channel, call, args: AUDIT_VALIDATORS[call].describe }));
}

function senderOf(event: IpcInvokeEventLike | null | undefined): { url: string; isMainFrame: boolean } {
  try {
    const frame = event?.senderFrame ?? null;
    if (frame === null) return { url: '(no frame)', isMainFrame: false };
    return { url: String(frame.url), isMainFrame: frame.parent === null };
  } catch {
    // A frame that navigated or was destroyed throws on access.
    return { url: '(frame gone)', isMainFrame: false };
  }
}

/**
 * The wrapper itself: resolves with the service's answer or rejects with a
 * sentence. Exported so tests (and the registration below) share one path.
 */
export function createAuditRouter(options: AuditIpcOptions): (channel: string, event: IpcInvokeEventLike, args: readonly unknown[]) => Promise<unknown> {
  const { calls, expectedOrigin, log } = options;
  const refusal = (channel: string, reason: string): RefusedCall => {
    log(`IPC refused on ${describeUrl(channel)}: ${reason}`);
    return new RefusedCall(`The request was refused: ${reason}`);
  };

  return async (channel, event, args) => {
    const call = CALL_BY_CHANNEL.get(channel);
    if (call === undefined) throw refusal(channel, 'the channel is not part of the audit interface.');
    const sender = senderOf(event);
    if (!sender.isMainFrame) throw refusal(channel, `it came from a sub-frame or no frame (${describeUrl(sender.url)}), not the review window.`);
    if (!isTrustedSender(sender.url, sender.isMainFrame, expectedOrigin)) throw refusal(channel, `it came from ${describeUrl(sender.url)}, not the review window.`);
    const checked = (AUDIT_VALIDATORS[call] as (a: readonly unknown[]) => { ok: true; value: unknown[] } | { ok: false; problem: string })(args);
    if (!checked.ok) throw refusal(channel, checked.problem);
    options.onAccepted?.(call);
    const fn = calls[call] as (...a: unknown[]) => Promise<unknown>;
    try {
      return await fn.apply(calls, checked.value);
    } catch (error) {
      log(`IPC ${channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      throw new Error(errorSentence(error));
    }
  };
}

/** Registers every AuditApi call on its channel; returns a function that removes them again. */
export function registerAuditIpc(ipcMain: IpcMainLike, options: AuditIpcOptions): () => void {
  const route = createAuditRouter(options);
  const channels = [...CALL_BY_CHANNEL.keys()];
  for (const channel of channels) {
    ipcMain.handle(channel, (event, ...args) => route(channel, event, args));
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

/* ---- progress, main → renderer ---- */

export interface ProgressTarget {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, payload: JobProgress): void;
}

/**
 * Forwards background-job progress to the window on PROGRESS_CHANNEL, only
 * while it shows our renderer. Returns the unsubscribe function.
 */
export function forwardProgress(source: Pick<AuditApi, 'onProgress'>, target: ProgressTarget, expectedOrigin: string, onEach?: (progress: JobProgress) => void): () => void {
  return source.onProgress((progress) => {
    onEach?.(progress);
    if (target.isDestroyed()) return;
    if (!isTrustedSender(target.getURL(), true, expectedOrigin)) return;
    const payload = progress.error === undefined ? progress : { ...progress, error: errorSentence(progress.error) };
    target.send(PROGRESS_CHANNEL, payload);
  });
}
