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

/** Whatever an API call threw, as one sentence for the reviewer (the one errorSentence every door uses). */
export { errorSentence as sentenceOf } from '../shared/api/error-sentence';
