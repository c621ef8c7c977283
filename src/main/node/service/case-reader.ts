/** The calling side of the case-reader worker: one promise per read. */
import { createWorkerClient, type WorkerClient } from '../read/worker-client';
import type { CaseReaderMethods } from './case-reader-worker';

export type ReadMethod = Exclude<keyof CaseReaderMethods, 'closeAll'>;

export const DEFAULT_READER_WORKER = new URL('./case-reader-worker.mjs', import.meta.url);

export class CaseReader {
  private readonly client: WorkerClient<CaseReaderMethods>;

  constructor(casesDir: string, workerUrl: URL | string = DEFAULT_READER_WORKER) {
    // Idle between requests: do not keep a CLI or test process alive.
    this.client = createWorkerClient<CaseReaderMethods>(workerUrl, { name: 'case reader', workerData: { casesDir }, unrefWhenIdle: true });
  }

  read<T>(caseId: string, method: ReadMethod, ...args: unknown[]): Promise<T> {
    return this.client.call(method, [caseId, ...args] as never) as Promise<T>;
  }

  async close(): Promise<void> {
    // Close the databases first (WAL checkpoint), but never wait long for a worker that hangs.
    await Promise.race([this.client.call('closeAll', []).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    await this.client.close();
  }
}
