/**
 * The desk over HTTP: the built renderer and the `AuditApi` calls, served on
 * 127.0.0.1 only. Used by `audit-replay serve` and by the browser test shell,
 * so the tests drive the same door reviewers use.
 *
 * Every request must name our Host (so a DNS-rebound name is refused), any
 * Origin must be ours, the page and every API call need the per-run token
 * (`?token=` on the page and the progress stream, `Authorization: Bearer`
 * on calls), and the arguments pass the same validators as Electron's IPC.
 * The renderer's files are read into memory at start: a request can name
 * only those files, never a path on disk. Nothing is fetched from elsewhere
 * (the CSP says so to the browser).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { AUDIT_CHANNELS } from '../../../shared/api/audit-api';
import type { AuditApi, DeskInfo, JobProgress, OpenExportRequest, PickKind } from '../../../shared/api/audit-api';
import { AUDIT_VALIDATORS, type AuditCallName } from '../../../shared/api/validate';
import { errorSentence } from '../../../shared/api/error-sentence';
import { SentenceError } from '../errors/errors';

/** What the desk server calls: every AuditApi call but the file dialog (a browser has none). */
export type DeskService = Omit<AuditApi, 'pickFile' | 'getDeskInfo'>;

export interface DeskServerOptions {
  service: DeskService;
  /** The built renderer: a folder with index.html and its assets. */
  rendererDir: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** What "Choose…" answers; without it the page gets null and the reviewer types a path. */
  pickFile?(kind: PickKind): string | null;
  /** The bundled sample the first-start page offers, or none. */
  sample?: OpenExportRequest | null;
  /** Told how long each call took in the service (the UI bench names slow calls with it). */
  onCall?(method: string, ms: number): void;
  /** Fixed token (tests); otherwise 32 random bytes. */
  token?: string;
}

export interface DeskServer {
  /** `http://127.0.0.1:PORT/?token=…` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

/** The page's policy: only our own files and calls, no inline script, no frames, no forms. */
export const DESK_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

const MAX_BODY = 1 << 20;
const CALLS = new Set(Object.keys(AUDIT_CHANNELS));

function readRenderer(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(`/${relative(dir, full).split(sep).join('/')}`, readFileSync(full));
    }
  };
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir || !statSync(join(dir, 'index.html'), { throwIfNoEntry: false })?.isFile()) {
    throw new SentenceError(`There is no built desk in ${dir}: run "npm run build" first, or name a built renderer folder with --ui.`);
  }
  walk(dir);
  return files;
}

function sameToken(given: string | null | undefined, token: Buffer): boolean {
  if (!given) return false;
  const g = Buffer.from(given, 'utf8');
  return g.length === token.length && timingSafeEqual(g, token);
}

const SECURITY_HEADERS = {
  'content-security-policy': DESK_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

function refuse(res: ServerResponse, status: number, sentence: string): void {
  send(res, status, 'application/json', JSON.stringify({ ok: false, error: sentence }));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startDeskServer(options: DeskServerOptions): Promise<DeskServer> {
  const files = readRenderer(options.rendererDir);
  const tokenText = options.token ?? randomBytes(32).toString('base64url');
  const token = Buffer.from(tokenText, 'utf8');
  const streams = new Set<ServerResponse>();
  let port = 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const unsubscribe = options.service.onProgress((p: JobProgress) => {
    const frame = `data: ${JSON.stringify(p)}\n\n`;
    for (const res of streams) res.write(frame);
  });

  const call = async (name: AuditCallName, body: string, res: ServerResponse) => {
    let args: unknown;
    try {
      args = JSON.parse(body);
    } catch {
      refuse(res, 400, 'The request was refused: its body is not JSON.');
      return;
    }
    if (!Array.isArray(args)) {
      refuse(res, 400, 'The request was refused: its body is not a list of arguments.');
      return;
    }
    const checked = (AUDIT_VALIDATORS[name] as (a: readonly unknown[]) => { ok: true; value: unknown[] } | { ok: false; problem: string })(args);
    if (!checked.ok) {
      refuse(res, 400, `The request was refused: ${checked.problem}`);
      return;
    }
    try {
      let value: unknown;
      if (name === 'pickFile') value = options.pickFile?.(checked.value[0] as PickKind) ?? null;
      else if (name === 'getDeskInfo') value = { canPickFiles: options.pickFile !== undefined, sample: options.sample ?? null } satisfies DeskInfo;
      else {
        const started = performance.now();
        const fn = (options.service as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!;
        value = await fn.apply(options.service, checked.value);
        options.onCall?.(name, performance.now() - started);
      }
      send(res, 200, 'application/json', JSON.stringify({ ok: true, value: value ?? null }));
    } catch (error) {
      // The page gets the sentence only, as over Electron IPC.
      send(res, 200, 'application/json', JSON.stringify({ ok: false, error: errorSentence(error) }));
    }
  };

  const server = createServer((req, res) => {
    void (async () => {
      // DNS rebinding: a foreign name resolving to 127.0.0.1 still carries its own Host.
      if (!hosts().has(req.headers.host ?? '')) return refuse(res, 403, 'The request was refused: it names another host.');
      const origin = req.headers.origin;
      if (origin !== undefined && !origins().has(origin)) return refuse(res, 403, 'The request was refused: it came from another site.');
      const site = req.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') return refuse(res, 403, 'The request was refused: it came from another site.');
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
      const path = url.pathname;

      if (path.startsWith('/api/')) {
        if (path === '/api/progress' && req.method === 'GET') {
          if (!sameToken(url.searchParams.get('token'), token)) return refuse(res, 401, "The request was refused: it does not carry this desk's token.");
          res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
          res.write(': progress\n\n');
          streams.add(res);
          req.on('close', () => streams.delete(res));
          return;
        }
        const auth = req.headers.authorization;
        if (!sameToken(auth?.startsWith('Bearer ') ? auth.slice(7) : null, token)) return refuse(res, 401, "The request was refused: it does not carry this desk's token.");
        const name = path.slice(5);
        if (req.method !== 'POST' || !CALLS.has(name)) return refuse(res, 404, `The request was refused: there is no call named ${name.slice(0, 60)}.`);
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(res, 415, 'The request was refused: calls are sent as JSON.');
        const body = await readBody(req);
        if (body === null) return refuse(res, 413, 'The request was refused: it is larger than 1 MB.');
        return call(name as AuditCallName, body, res);
      }

      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'The request was refused: only GET reads the desk.');
      if (path === '/' || path === '/index.html') {
        if (!sameToken(url.searchParams.get('token'), token)) {
          return send(res, 401, 'text/plain; charset=utf-8', 'This desk opens only from the link audit-replay serve printed, with its token.\n');
        }
        return send(res, 200, TYPES['.html']!, files.get('/index.html')!);
      }
      // The renderer's own files (the same for everyone, nothing of a case): no token needed.
      const file = files.get(path);
      if (!file) return send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
      return send(res, 200, TYPES[extname(path)] ?? 'application/octet-stream', file);
    })().catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 500, errorSentence(error));
      else res.destroy();
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(
        new SentenceError(
          e.code === 'EADDRINUSE' ? `Port ${options.port} is already in use; choose another with --port, or 0 for a free one.` : `The desk could not listen on 127.0.0.1: ${e.message}.`,
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', ok);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new SentenceError('The desk server has no port.');
  port = address.port;

  return {
    url: `http://127.0.0.1:${port}/?token=${tokenText}`,
    port,
    token: tokenText,
    async close() {
      unsubscribe();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
}
