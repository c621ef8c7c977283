/**
 * A real redis-server for the scale tests (Debian's, as .ci/run installs it):
 * on 127.0.0.1, on a free port, persistence off, stopped after. And real
 * `audit-replay worker` processes against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';

const BIN = path.resolve(__dirname, '../../bin/audit-replay.mjs');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  flush(): Promise<void>;
  stop(): Promise<void>;
  /** Kills redis-server outright (SIGKILL), as a crash or a lost host would. */
  kill(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => {});
  for (let i = 0; ; i++) {
    try {
      if (client.status !== 'ready') await client.connect().catch(() => {});
      if ((await client.ping()) === 'PONG') break;
    } catch {
      // not up yet
    }
    if (i > 200) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    flush: async () => {
      await client.flushall();
    },
    stop: async () => {
      client.disconnect();
      await stopChild(child);
    },
    kill: async () => {
      client.disconnect();
      await stopChild(child, 'SIGKILL');
    },
  };
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** An `audit-replay worker` process, resolved once it says it waits for jobs. */
export async function startWorker(url: string, ...args: string[]): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', url, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('waiting for jobs')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the worker exited (${code}) before it was ready: ${err}`)));
  });
  return { child, stderr: () => err, stop: () => stopChild(child) };
}

/** The CLI as a child process that can be awaited later. */
export function cliChild(...args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}
