import { describe, expect, it, vi } from 'vitest';
import {
  APP_ORIGIN,
  RENDERER_CSP,
  appAssetPath,
  contentSecurityPolicy,
  denyAllPermissions,
  guardWebContents,
  isRequestAllowed,
  isTrustedSender,
  rendererOrigin,
  secureWebPreferences,
  withSecurityHeaders,
} from '../../src/main/electron/security';
import type { PreventableEvent, SessionLike, WebContentsLike } from '../../src/main/electron/security';

const DEV = 'http://localhost:5173';

describe('isTrustedSender', () => {
  it('trusts the main frame of our own renderer, in production and in dev', () => {
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, true, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(`${APP_ORIGIN}/index.html#/case/abc?x=1`, true, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(`${APP_ORIGIN}/`, true, APP_ORIGIN)).toBe(true);
    expect(isTrustedSender(`${DEV}/`, true, DEV)).toBe(true);
    expect(isTrustedSender(`${DEV}/index.html`, true, `${DEV}/`)).toBe(true);
  });

  it('refuses sub-frames, even from our own origin', () => {
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, false, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(`${DEV}/`, false, DEV)).toBe(false);
    // Only a real `true` counts.
    expect(isTrustedSender(`${APP_ORIGIN}/index.html`, 1 as unknown as boolean, APP_ORIGIN)).toBe(false);
  });

  const hostile = [
    // other schemes
    'file:///work/main/out/renderer/index.html',
    'file:///etc/passwd',
    'file://localhost/C:/Users/x/export.html',
    'javascript:alert(1)',
    `javascript:${APP_ORIGIN}/index.html`,
    'data:text/html,<script>parent.audit.openExport()</script>',
    `data:text/html;base64,${Buffer.from('<h1>x</h1>').toString('base64')}`,
    'about:blank',
    'about:srcdoc',
    `blob:${APP_ORIGIN}/0f8e1e47-0000-4000-8000-000000000000`,
    `view-source:${APP_ORIGIN}/index.html`,
    'chrome://settings',
    'devtools://devtools/bundled/inspector.html',
    // remote hosts
    'http://evil.example/',
    'https://evil.example/index.html',
    'http://evil.example/audit-replay://app/index.html',
    'https://attacker.test/?origin=audit-replay://app',
    // lookalike hosts and credentials
    'audit-replay://app.evil.example/index.html',
    'audit-replay://appp/index.html',
    'audit-replay://ap/index.html',
    'audit-replay://evil@app/index.html',
    'audit-replay://app:x@app/index.html',
    'audit-replay://app@evil/index.html',
    'audit-replay://app:443/index.html',
    'audit-replay-evil://app/index.html',
    'xaudit-replay://app/index.html',
    'audit-replay:app/index.html',
    'audit-replay:/app/index.html',
    'audit-replay:///app/index.html',
    'audit-replay://AP%50/index.html',
    'audit-replay://%61pp/index.html',
    ' audit-replay://app\u0000.evil/',
    // empty and junk
    '',
    'app',
    '/index.html',
    'null',
    'undefined',
  ];
  it.each(hostile)('refuses %j against the production origin', (url) => {
    expect(isTrustedSender(url, true, APP_ORIGIN)).toBe(false);
  });

  const hostileDev = [
    'http://localhost:5174/',
    'http://localhost/',
    'https://localhost:5173/',
    'http://127.0.0.1:5173/',
    'http://localhost:5173.evil.example/',
    'http://localhost:51730/',
    'http://evil.example@localhost:5173.evil.example/',
    'http://localhost:5173@evil.example/',
    'http://user:pw@localhost:5173/',
    'ws://localhost:5173/',
    'http://xn--localhost-xyz:5173/',
    `${APP_ORIGIN}/index.html`,
  ];
  it.each(hostileDev)('refuses %j against the dev origin', (url) => {
    expect(isTrustedSender(url, true, DEV)).toBe(false);
  });

  it('refuses everything when the expected origin is itself unusable', () => {
    for (const expected of ['', 'null', 'file://', 'file:///work/main/out/renderer', `${APP_ORIGIN}/index.html`, 'about:blank', 'javascript:']) {
      expect(isTrustedSender('file:///work/main/out/renderer/index.html', true, expected)).toBe(false);
      expect(isTrustedSender(`${APP_ORIGIN}/index.html`, true, expected)).toBe(false);
      expect(isTrustedSender('about:blank', true, expected)).toBe(false);
    }
  });

  it('refuses non-string frame urls', () => {
    expect(isTrustedSender(undefined, true, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender(null, true, APP_ORIGIN)).toBe(false);
    expect(isTrustedSender({ toString: () => `${APP_ORIGIN}/` } as unknown as string, true, APP_ORIGIN)).toBe(false);
  });
});

describe('rendererOrigin', () => {
  it('uses our scheme unless a local dev server is given', () => {
    expect(rendererOrigin(null)).toBe(APP_ORIGIN);
    expect(rendererOrigin(undefined)).toBe(APP_ORIGIN);
    expect(rendererOrigin('http://localhost:5173/')).toBe('http://localhost:5173');
    expect(rendererOrigin('http://127.0.0.1:4000')).toBe('http://127.0.0.1:4000');
  });
  it('refuses a remote "dev server"', () => {
    expect(() => rendererOrigin('http://evil.example:5173/')).toThrow(/not a local/);
    expect(() => rendererOrigin('http://localhost.evil.example/')).toThrow(/not a local/);
    expect(() => rendererOrigin('file:///tmp/index.html')).toThrow(/not a local/);
  });
});

describe('webPreferences', () => {
  const prefs = secureWebPreferences('/app/out/preload/index.cjs');
  it('keeps every protection on', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });
  it('turns nothing dangerous on', () => {
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs).not.toHaveProperty('enableRemoteModule');
    expect(prefs).not.toHaveProperty('partition');
  });
});

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('Content-Security-Policy', () => {
  const prod = directives(RENDERER_CSP);
  it('has no eval, no inline script, and nothing remote', () => {
    expect(RENDERER_CSP).not.toContain("'unsafe-eval'");
    expect(RENDERER_CSP).not.toContain("'wasm-unsafe-eval'");
    expect(RENDERER_CSP).not.toContain("'unsafe-inline'");
    expect(RENDERER_CSP).not.toContain("'unsafe-hashes'");
    expect(RENDERER_CSP).not.toMatch(/https?:|wss?:|\*|blob:|file:|filesystem:/);
  });
  it('defaults to nothing and allows only our own bundle for code', () => {
    expect(prod.get('default-src')).toEqual(["'none'"]);
    expect(prod.get('script-src')).toEqual(["'self'"]);
    expect(prod.get('connect-src')).toEqual(["'self'"]);
    expect(prod.get('object-src')).toEqual(["'none'"]);
    expect(prod.get('base-uri')).toEqual(["'none'"]);
    expect(prod.get('form-action')).toEqual(["'none'"]);
    expect(prod.get('frame-ancestors')).toEqual(["'none'"]);
    expect(prod.get('frame-src')).toEqual(["'none'"]);
  });
  it('allows in dev only the local dev server, still without eval', () => {
    const dev = contentSecurityPolicy(DEV);
    expect(dev).not.toContain("'unsafe-eval'");
    expect(directives(dev).get('connect-src')).toEqual(["'self'", DEV, 'ws://localhost:5173']);
    expect(dev.replace(/(?:http|ws):\/\/localhost:5173/g, '')).not.toMatch(/https?:|wss?:|\*/);
    expect(contentSecurityPolicy(null)).toBe(RENDERER_CSP);
  });
  it('replaces any CSP a response brings and adds nosniff', () => {
    const headers = withSecurityHeaders({ 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'], 'CONTENT-SECURITY-POLICY-REPORT-ONLY': 'x' }, RENDERER_CSP);
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [RENDERER_CSP], 'X-Content-Type-Options': ['nosniff'] });
    expect(withSecurityHeaders(undefined, RENDERER_CSP)['Content-Security-Policy']).toEqual([RENDERER_CSP]);
  });
});

describe('isRequestAllowed', () => {
  it('lets the bundle load and keeps everything else in', () => {
    expect(isRequestAllowed(`${APP_ORIGIN}/assets/index-abc.js`, APP_ORIGIN)).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,AAAA', APP_ORIGIN)).toBe(true);
    for (const url of [
      'https://evil.example/beacon?d=1',
      'http://127.0.0.1:8080/',
      'ws://evil.example/',
      'file:///etc/passwd',
      'ftp://evil.example/',
      'audit-replay://evil/index.html',
      'audit-replay://app@evil/x',
      'http://localhost:5173/',
      'not a url',
    ]) {
      expect(isRequestAllowed(url, APP_ORIGIN), url).toBe(false);
    }
  });
  it('in dev allows the dev server and its HMR socket only', () => {
    expect(isRequestAllowed(`${DEV}/src/main.tsx`, DEV)).toBe(true);
    expect(isRequestAllowed('ws://localhost:5173/?token=x', DEV)).toBe(true);
    expect(isRequestAllowed('ws://localhost:5174/', DEV)).toBe(false);
    expect(isRequestAllowed('https://evil.example/', DEV)).toBe(false);
    expect(isRequestAllowed(`${APP_ORIGIN}/index.html`, DEV)).toBe(false);
  });
});

describe('appAssetPath (the production protocol handler)', () => {
  it('maps our URLs to bundle files', () => {
    expect(appAssetPath(`${APP_ORIGIN}/`)).toBe('index.html');
    expect(appAssetPath(`${APP_ORIGIN}/index.html`)).toBe('index.html');
    expect(appAssetPath(`${APP_ORIGIN}/assets/index-Ab1.js?v=1#x`)).toBe('assets/index-Ab1.js');
    expect(appAssetPath(`${APP_ORIGIN}/assets/a%20b.css`)).toBe('assets/a b.css');
  });
  it('resolves plain dot segments inside the bundle, never above it', () => {
    // The URL parser removes them before we see the path, as Chromium does.
    expect(appAssetPath(`${APP_ORIGIN}/../../etc/passwd`)).toBe('etc/passwd');
    expect(appAssetPath(`${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`)).toBe('etc/passwd');
    expect(appAssetPath(`${APP_ORIGIN}/assets/../index.html`)).toBe('index.html');
  });
  it.each([
    `${APP_ORIGIN}/assets/%2e%2e%2f%2e%2e%2fmain%2findex.js`,
    `${APP_ORIGIN}/assets/..%2f..%2f..%2fetc%2fpasswd`,
    `${APP_ORIGIN}/assets/..%5c..%5cwindows%5csystem32`,
    `${APP_ORIGIN}/assets\\..\\..\\secret`,
    `${APP_ORIGIN}/C:%5cWindows%5cwin.ini`,
    `${APP_ORIGIN}/index.html%00.png`,
    `${APP_ORIGIN}/%E0%A4%A`,
    `${APP_ORIGIN}//etc/passwd`,
    `${APP_ORIGIN}/.env`,
    `${APP_ORIGIN}/assets/.git/config`,
    'audit-replay://evil/index.html',
    'audit-replay://app@evil/index.html',
    'file:///work/main/out/renderer/index.html',
    'http://app/index.html',
  ])('refuses %j', (url) => {
    expect(appAssetPath(url)).toBeNull();
  });
});

describe('window and session guards', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: PreventableEvent, url: string) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const contents = {
      on: (name: string, fn: (event: PreventableEvent, url: string) => void) => listeners.set(name, fn),
      setWindowOpenHandler: (fn: typeof openHandler) => {
        openHandler = fn;
      },
    } as unknown as WebContentsLike;
    return { contents, listeners, open: (url: string) => openHandler!({ url }) };
  }

  it('denies every navigation, redirect, webview and new window, and says so', () => {
    const log = vi.fn();
    const { contents, listeners, open } = fakeContents();
    guardWebContents(contents, log);
    for (const [name, url] of [
      ['will-navigate', 'https://evil.example/'],
      ['will-navigate', `${APP_ORIGIN}/index.html`],
      ['will-navigate', 'javascript:alert(1)'],
      ['will-redirect', 'file:///etc/passwd'],
      ['will-attach-webview', ''],
    ] as const) {
      const event = { preventDefault: vi.fn() };
      listeners.get(name)!(event, url);
      expect(event.preventDefault, name).toHaveBeenCalledOnce();
    }
    expect(open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(open(`${APP_ORIGIN}/index.html`)).toEqual({ action: 'deny' });
    expect(log).toHaveBeenCalledTimes(7);
  });

  it('denies every permission request and check', () => {
    let request: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
    let checkFn: ((wc: unknown, permission: string) => boolean) | null = null;
    let device: ((details: unknown) => boolean) | null = null;
    const ses: SessionLike = {
      setPermissionRequestHandler: (fn) => void (request = fn),
      setPermissionCheckHandler: (fn) => void (checkFn = fn),
      setDevicePermissionHandler: (fn) => void (device = fn),
    };
    denyAllPermissions(ses, () => {});
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid', 'usb']) {
      const cb = vi.fn();
      request!(null, permission, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(checkFn!(null, permission)).toBe(false);
    }
    expect(device!({})).toBe(false);
  });
});
