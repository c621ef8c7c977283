/** The served desk's door: token, Host and Origin checks, CSP, loopback only, validated calls. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { DESK_CSP, startDeskServer, type DeskServer } from '../../src/main/node/serve/desk-server';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = request({ host: options.host ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', fail);
    req.end(options.body);
  });
}

describe('desk server', () => {
  let dir: string;
  let service: AuditService;
  let server: DeskServer;
  const call = (name: string, args: unknown[], headers: Record<string, string> = {}) =>
    http(server.port, `/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}`, host: `127.0.0.1:${server.port}`, ...headers },
      body: JSON.stringify(args),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-replay-serve-'));
    const ui = join(dir, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>desk</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'not for the page');
    service = createAuditService({ casesDir: join(dir, 'cases') });
    server = await startDeskServer({ service, rendererDir: ui });
  });
  afterAll(async () => {
    await server?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback link with a long random token and takes a free port', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('gives a second server another token', async () => {
    const other = await startDeskServer({ service, rendererDir: join(dir, 'ui') });
    try {
      expect(other.token).not.toBe(server.token);
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.close();
    }
  });

  it('serves the page only with the token, and with a strict CSP', async () => {
    const host = { host: `127.0.0.1:${server.port}` };
    expect((await http(server.port, '/', { headers: host })).status).toBe(401);
    expect((await http(server.port, '/?token=wrong', { headers: host })).status).toBe(401);
    expect((await http(server.port, `/?token=${server.token.slice(0, -1)}x`, { headers: host })).status).toBe(401);
    const page = await http(server.port, `/?token=${server.token}`, { headers: host });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>desk</title>');
    expect(page.headers['content-security-policy']).toBe(DESK_CSP);
    expect(DESK_CSP).toContain("default-src 'none'");
    expect(DESK_CSP).toContain("frame-ancestors 'none'");
    expect(DESK_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('tells the page it has no file dialog unless one is given, and where the sample is', async () => {
    expect(JSON.parse((await call('getDeskInfo', [])).body)).toEqual({ ok: true, value: { canPickFiles: false, sample: null } });
    const sample = { exportPath: '/s/export.jsonl', trustPath: '/s/trust.json', policiesPath: null, hmacKeyPath: null };
    const other = await startDeskServer({ service, rendererDir: join(dir, 'ui'), sample, pickFile: () => '/picked' });
    try {
      const reply = await http(other.port, '/api/getDeskInfo', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}`, host: `127.0.0.1:${other.port}` },
        body: '[]',
      });
      expect(JSON.parse(reply.body)).toEqual({ ok: true, value: { canPickFiles: true, sample } });
    } finally {
      await other.close();
    }
  });

  it('refuses API calls without the token or with a wrong one, and answers with it', async () => {
    expect((await call('listRecentCases', [], { authorization: '' })).status).toBe(401);
    expect((await call('listRecentCases', [], { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await call('listRecentCases', [], { authorization: server.token })).status).toBe(401);
    const ok = await call('listRecentCases', []);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, value: [] });
    const stream = await new Promise<number>((ok2, fail) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/progress?token=bad', headers: { host: `127.0.0.1:${server.port}` } }, (res) => {
        ok2(res.statusCode ?? 0);
        res.resume();
      });
      req.on('error', fail);
      req.end();
    });
    expect(stream).toBe(401);
  });

  it('refuses another Host (DNS rebinding) and another Origin, even with the token', async () => {
    const rebound = await http(server.port, `/?token=${server.token}`, { headers: { host: `attacker.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    expect((await call('listRecentCases', [], { host: `attacker.example:${server.port}` })).status).toBe(403);
    expect((await call('listRecentCases', [], { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await call('listRecentCases', [], { origin: 'http://attacker.example' })).status).toBe(403);
    expect((await call('listRecentCases', [], { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await call('listRecentCases', [], { origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await call('listRecentCases', [], { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('validates calls as the IPC door does and never serves files outside the renderer', async () => {
    expect((await call('deleteEverything', [])).status).toBe(404);
    const bad = await call('getEventProof', ['not-a-case', -1]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/^The request was refused: /);
    expect((await call('listRecentCases', [], { 'content-type': 'text/plain' })).status).toBe(415);
    const relative = await call('openExport', [{ exportPath: 'relative/path.jsonl' }]);
    expect(relative.status).toBe(400);
    const missing = await call('openExport', [{ exportPath: join(dir, 'missing.jsonl') }]);
    expect(JSON.parse(missing.body)).toMatchObject({ ok: false });
    expect(JSON.parse(missing.body).error).not.toMatch(/\n\s+at /);
    const host = { host: `127.0.0.1:${server.port}` };
    expect((await http(server.port, '/assets/app.js', { headers: host })).status).toBe(200);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/ui/index.html']) {
      const r = await http(server.port, path, { headers: host });
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('not for the page');
    }
  });

  it('what-if and compare take only absolute paths the reviewer typed, and need the token', async () => {
    expect((await call('whatIf', ['0b0b0b0b-0000-4000-8000-000000000000', 'policies'])).status).toBe(400);
    expect((await call('compareExport', ['0b0b0b0b-0000-4000-8000-000000000000', '../earlier.jsonl'])).status).toBe(400);
    expect((await call('whatIf', ['0b0b0b0b-0000-4000-8000-000000000000', '/p'], { authorization: 'Bearer nope' })).status).toBe(401);
    // No dialog in a browser: a call without a path asks for one, in a sentence.
    const none = JSON.parse((await call('compareExport', ['0b0b0b0b-0000-4000-8000-000000000000', null])).body);
    expect(none).toEqual({ ok: false, error: 'Choose the earlier export to compare with.' });
  });

  it('listens on 127.0.0.1 only', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of others) {
      await expect(http(server.port, '/', { host: address, headers: { host: `127.0.0.1:${server.port}` } })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await expect(http(server.port, '/', { host: '::1', headers: { host: `127.0.0.1:${server.port}` } })).rejects.toBeTruthy();
  });
});
