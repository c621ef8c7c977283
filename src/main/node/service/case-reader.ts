/** The calling side of the case-reader worker: one promise per read. */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export type ReadMethod = 'summary' | 'events' | 'proof' | 'findings' | 'divergences' | 'sequenceFindings' | 'timeline' | 'refresh';

export interface ReadRequest {
  id: number;
  caseId: string;
  method: ReadMethod;
  args: unknown[];
}

export const DEFAULT_READER_WORKER = new URL('./case-reader-worker.mjs', import.meta.url);

export class CaseReader {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(casesDir: string, workerUrl: URL | string = DEFAULT_READER_WORKER) {
    this.worker = new Worker(workerUrl, { workerData: { casesDir } });
    this.worker.on('message', (msg: { id?: number; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const entry = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error !== undefined) entry?.reject(new Error(msg.error));
      else entry?.resolve(msg.result);
    });
    this.worker.on('error', (err) => {
      for (const entry of this.waiting.values()) entry.reject(new Error(`The case reader stopped: ${err.message}`));
      this.waiting.clear();
    });
    // Idle between requests: do not keep a CLI or test process alive.
    this.worker.unref();
  }

  read<T>(caseId: string, method: ReadMethod, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (v) => {
          if (this.waiting.size === 0) this.worker.unref();
          resolve(v as T);
        },
        reject: (e) => {
          if (this.waiting.size === 0) this.worker.unref();
          reject(e);
        },
      });
      this.worker.postMessage({ id, caseId, method, args } satisfies ReadRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage({ close: true });
    await Promise.race([once(this.worker, 'message'), new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
