/** Spawning and killing fault-child.ts from the tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface Child {
  proc: ChildProcess;
  /** Resolves when the child prints "ready". */
  ready: Promise<void>;
  /** Resolves with the exit code/signal and everything printed. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

export function startChild(mode: string, args: string[]): Child {
  const proc = spawn(process.execPath, [path.join(REPO, 'bin/run-ts.mjs'), path.join(REPO, 'test/faults/fault-child.ts'), mode, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready\n')) markReady();
  });
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) => {
    proc.on('exit', (code, signal) => {
      markReady();
      resolve({ code, signal, out, err });
    });
  });
  return { proc, ready, exited };
}

/** A small deterministic PRNG (mulberry32), so kill points replay from a seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
