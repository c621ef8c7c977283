/**
 * `AuditApi` over HTTP, for the desk served by `audit-replay serve` (and the
 * browser test shell, which uses the same server). Calls are POSTed to
 * /api/<call> with the page's token; progress arrives as server-sent events.
 * The renderer does not know it: it gets an AuditApi like any other.
 */
import { AUDIT_CHANNELS } from '../shared/api/audit-api';
import { AUDIT_VALIDATORS, type AuditCallName } from '../shared/api/validate';
import type { AuditApi, JobProgress } from '../shared/api/audit-api';

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/** The token in the page's own address (`?token=…`), or null when the page was not served with one. */
export function tokenOf(search: string): string | null {
  const token = new URLSearchParams(search).get('token');
  return token && /^[A-Za-z0-9_-]{16,200}$/.test(token) ? token : null;
}

export function createServedApi(token: string): AuditApi {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    let response: Response;
    try {
      response = await fetch(`./api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(args),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      throw new Error('The desk server does not answer; is audit-replay serve still running?');
    }
    let reply: Reply;
    try {
      reply = (await response.json()) as Reply;
    } catch {
      throw new Error(`The desk server answered ${response.status} without a readable reply.`);
    }
    if (!reply.ok) throw new Error(reply.error);
    return reply.value;
  };

  const listeners = new Set<(p: JobProgress) => void>();
  let stream: EventSource | null = null;
  const connect = () => {
    if (stream) return;
    stream = new EventSource(`./api/progress?token=${encodeURIComponent(token)}`);
    stream.onmessage = (event: MessageEvent<string>) => {
      let progress: JobProgress;
      try {
        progress = JSON.parse(event.data) as JobProgress;
      } catch {
        return;
      }
      for (const listener of [...listeners]) {
        try {
          listener(progress);
        } catch (e) {
          console.error(e);
        }
      }
    };
  };

  const api: Record<string, unknown> = {};
  // An optional argument left out goes as null, as the preload sends it, so the door's count check holds.
  for (const method of Object.keys(AUDIT_CHANNELS) as AuditCallName[]) {
    const arity = AUDIT_VALIDATORS[method].arity;
    api[method] = (...args: unknown[]) =>
      call(
        method,
        Array.from({ length: Math.max(arity, args.length) }, (_, i) => args[i] ?? null),
      );
  }
  api.onProgress = (listener: (p: JobProgress) => void) => {
    listeners.add(listener);
    connect();
    return () => {
      listeners.delete(listener);
    };
  };
  return Object.freeze(api) as unknown as AuditApi;
}
