/**
 * How the review UI reaches the services: only through `AuditApi`. The
 * Electron preload and the browser test shell both put it on `window.audit`;
 * tests hand a fake straight to `<App api={…}>`.
 */
import { createContext, useContext } from 'react';
import type { AuditApi } from '../shared/api/audit-api';

/** Optional helpers a host may add beside `window.audit` (Electron's preload gives dropped files their path). */
export interface AuditHost {
  pathForFile?(file: File): string;
}

declare global {
  interface Window {
    audit?: AuditApi;
    auditHost?: AuditHost;
  }
}

export const ApiContext = createContext<AuditApi | null>(null);

export function useApi(): AuditApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('The review window was started without its connection to the services.');
  return api;
}

/**
 * Turns whatever an API call threw into one sentence for the reviewer: the
 * services already speak in sentences, so strip transport prefixes
 * (Electron's "Error invoking remote method …") and never show a stack.
 */
export function sentenceOf(error: unknown): string {
  let text = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  text = text.split('\n')[0] ?? '';
  text = text.replace(/^Error invoking remote method '[^']*':\s*/, '');
  text = text.replace(/^(?:[A-Z][A-Za-z]*)?Error:\s*/, '');
  text = text.trim();
  if (!text) return 'Something went wrong and the service did not say what.';
  if (text.length > 400) text = `${text.slice(0, 397)}…`;
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}
