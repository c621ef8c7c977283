/**
 * The window's security settings as pure values and functions, so each one is
 * unit-tested without Electron (test/electron/security.test.ts). Everything a
 * renderer shows comes from an export produced by the system under
 * investigation: the renderer is treated as hostile-content-displaying, and
 * main trusts nothing it sends without checking who sent it.
 *
 * Only `import type` from 'electron' here: this module must load under plain
 * Node where the Electron binary is absent.
 */
import type { WebPreferences } from 'electron';

/** The privileged scheme the production renderer is served from (never file://). */
export const APP_SCHEME = 'audit-replay';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Schemes a trusted frame may use: our own, or http(s) for the dev server. */
const TRUSTABLE_PROTOCOLS = new Set(['http:', 'https:', `${APP_SCHEME}:`]);

/**
 * `scheme://host[:port]` of a URL we are willing to trust, or null. We do not use
 * `URL.origin`: WHATWG gives custom schemes the opaque origin "null", and every
 * file:// URL shares one, so neither can tell our bundle from anything else.
 */
export function trustableOrigin(url: string | null | undefined): string | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 8192) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!TRUSTABLE_PROTOCOLS.has(parsed.protocol)) return null;
  // Credentials in a URL are only ever a lookalike trick (http://app@evil).
  if (parsed.username !== '' || parsed.password !== '') return null;
  if (parsed.host === '') return null;
  return `${parsed.protocol}//${parsed.host}`;
}

/**
 * Whether an IPC message may be acted on: it must come from the window's main
 * frame (never an iframe) and that frame must show our renderer's origin.
 * Compared as exact strings after parsing, never with startsWith/includes.
 */
export function isTrustedSender(frameUrl: string | null | undefined, isMainFrame: boolean, expectedOrigin: string): boolean {
  if (isMainFrame !== true) return false;
  const expected = trustableOrigin(expectedOrigin);
  if (expected === null) return false;
  // The expected origin itself must be a bare origin, not a page URL.
  if (expectedOrigin.replace(/\/$/, '') !== expected) return false;
  return trustableOrigin(frameUrl) === expected;
}

/** The origin the renderer is loaded from: the dev server in development, our scheme otherwise. */
export function rendererOrigin(devServerUrl: string | null | undefined): string {
  if (devServerUrl) {
    const origin = trustableOrigin(devServerUrl);
    if (origin !== null && /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) return origin;
    throw new Error(`The development server address ${JSON.stringify(devServerUrl)} is not a local http address.`);
  }
  return APP_ORIGIN;
}

/**
 * The Content-Security-Policy of the production renderer: only our own bundle,
 * no eval, no inline script, no remote anything, no plugins, no framing, no forms.
 * `data:` images and fonts only because Vite inlines small assets that way.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * In development only, Vite's dev server needs its inline react-refresh
 * preamble, injected <style> tags and the HMR websocket, all on localhost.
 * Still no eval and nothing remote.
 */
export function contentSecurityPolicy(devOrigin: string | null): string {
  if (devOrigin === null) return RENDERER_CSP;
  const ws = devOrigin.replace(/^http/, 'ws');
  return RENDERER_CSP.replace("script-src 'self'", `script-src 'self' 'unsafe-inline' ${devOrigin}`)
    .replace("style-src 'self'", `style-src 'self' 'unsafe-inline' ${devOrigin}`)
    .replace("connect-src 'self'", `connect-src 'self' ${devOrigin} ${ws}`);
}

/** The window's webPreferences: every protection on, every optional capability off. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/* ---- window and session guards, over small interfaces so they are tested with fakes ---- */

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (event: PreventableEvent, url: string) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface SessionLike {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
  setDevicePermissionHandler?(handler: ((details: unknown) => boolean) | null): void;
}

export type SecurityLog = (message: string) => void;

/** Export content may hold links; the window never follows one, in place or in a new window. */
export function guardWebContents(contents: WebContentsLike, log: SecurityLog): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    log(`Refused navigation to ${describeUrl(url)}.`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`Refused redirect to ${describeUrl(url)}.`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('Refused to attach a <webview>.');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`Refused to open a new window for ${describeUrl(url)}.`);
    return { action: 'deny' };
  });
}

/** No camera, microphone, notifications, clipboard-read, geolocation, HID, USB, serial…: nothing. */
export function denyAllPermissions(session: SessionLike, log: SecurityLog): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`Refused permission request: ${String(permission).slice(0, 64)}.`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
}

/** A URL as it may appear in a log line: bounded, no control characters. */
export function describeUrl(url: unknown): string {
  const text = typeof url === 'string' ? url : String(url);
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > 200 ? `${clean.slice(0, 200)}…` : clean);
}

/* ---- the production renderer protocol ---- */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

export function contentTypeFor(relativePath: string): string {
  const dot = relativePath.lastIndexOf('.');
  const ext = dot >= 0 ? relativePath.slice(dot).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * The bundle file (relative, '/'-separated) a request for our scheme names, or
 * null. Refuses other schemes and hosts, traversal (also percent-encoded),
 * backslashes, NUL, and hidden files; "/" means index.html.
 */
export function appAssetPath(requestUrl: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(requestUrl);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (path === '/' || path === '') return 'index.html';
  if (!path.startsWith('/')) return null;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..' || segment.startsWith('.')) return null;
    if (/[\\\0:]/.test(segment)) return null;
  }
  return segments.join('/');
}

/* ---- session-wide request and response rules ---- */

/** Schemes that reach outside the app; only our own origin (and, in dev, its HMR socket) may use them. */
const OUTWARD_PROTOCOLS = new Set(['http:', 'https:', 'ws:', 'wss:', 'file:', 'ftp:']);

/**
 * Whether the session lets a request through. Export content can name any
 * URL; even if a string ever reached the DOM as markup, nothing leaves the
 * machine and no local file outside the bundle is read.
 */
export function isRequestAllowed(url: string, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:`) return origin === APP_ORIGIN && trustableOrigin(url) === APP_ORIGIN;
  if (!OUTWARD_PROTOCOLS.has(parsed.protocol)) return true; // data:, blob:, devtools: stay inside the browser
  if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') {
    // Vite's HMR socket, dev server only.
    return origin !== APP_ORIGIN && !parsed.username && !parsed.password && `${parsed.protocol.replace('ws', 'http')}//${parsed.host}` === origin;
  }
  return trustableOrigin(url) === origin;
}

/** Response headers with our CSP (any the response carried is replaced) and nosniff. */
export function withSecurityHeaders(headers: Record<string, string[] | string> | undefined, csp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const lower = key.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only' || lower === 'x-content-type-options') continue;
    out[key] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [csp];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}
