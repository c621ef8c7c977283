/**
 * The one way to talk to a worker thread (after Signal Desktop's SQL worker
 * client): requests keyed by method name, typed results, and a worker's
 * `error` or unexpected `exit` handled once, here: every pending call is
 * rejected with a sentence naming the worker, and later calls are refused
 * with the same sentence. The worker side is `serveWorker` below.
 *
 * Protocol: request {id, method, args}; reply {id, result} or {id, error};
 * any message without an id is an event (progress) for `onEvent`.
 */
import { parentPort, Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { describeError } from '../errors/describe-error';

/** What a worker serves: method name → handler. Handlers may be async. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WorkerMethods = Record<string, (...args: any[]) => unknown>;

type Reply = { id: number; result?: unknown; error?: string };

export interface WorkerClientOptions {
  /** The worker in the reviewer's words ("case reader", "hash worker"): it names the worker in every failure sentence. */
  name: string;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  /** Let the process exit while no call is pending (an idle reader must not keep a CLI alive). */
  unrefWhenIdle?: boolean;
}

export interface WorkerClient<M extends WorkerMethods> {
  call<K extends keyof M & string>(method: K, args: Parameters<M[K]>, transfer?: readonly Transferable[]): Promise<Awaited<ReturnType<M[K]>>>;
  /** Messages the worker posts outside a reply (progress); returns the unsubscribe. */
  onEvent(listener: (event: unknown) => void): () => void;
  /** Calls sent and not yet answered. */
  readonly pending: number;
  /** Set once the worker failed or was closed: why calls are refused. */
  readonly failure: Error | null;
  /** Stops the worker; calls still pending are rejected as cancelled. */
  close(): Promise<void>;
}

export class WorkerStoppedError extends Error {}

export function createWorkerClient<M extends WorkerMethods>(url: URL | string, options: WorkerClientOptions): WorkerClient<M> {
  const worker = new Worker(url, { workerData: options.workerData, resourceLimits: options.resourceLimits });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(event: unknown) => void>();
  let nextId = 0;
  let failure: Error | null = null;
  let closing = false;
  const idle = () => {
    if (options.unrefWhenIdle && waiting.size === 0) worker.unref();
  };
  const fail = (error: Error) => {
    failure ??= error;
    for (const entry of waiting.values()) entry.reject(failure);
    waiting.clear();
  };

  worker.on('message', (msg: Reply | unknown) => {
    const reply = msg as Reply;
    if (typeof reply !== 'object' || reply === null || typeof reply.id !== 'number') {
      for (const listener of listeners) listener(msg);
      return;
    }
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    idle();
    if (reply.error !== undefined) entry.reject(new Error(reply.error));
    else entry.resolve(reply.result);
  });
  worker.on('error', (err) => fail(new WorkerStoppedError(`The ${options.name} failed and stopped: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)));
  worker.on('exit', (code) => {
    if (!closing) fail(new WorkerStoppedError(`The ${options.name} stopped (exit code ${code}) before it answered.`));
  });
  idle();

  return {
    call(method, args, transfer = []) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      worker.ref();
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        worker.postMessage({ id, method, args }, transfer);
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get pending() {
      return waiting.size;
    },
    get failure() {
      return failure;
    },
    async close() {
      if (closing) return;
      closing = true;
      fail(new WorkerStoppedError(`The ${options.name} was closed; the request was cancelled.`));
      await worker.terminate();
    },
  };
}

export interface ServeOptions {
  /** Buffers of a result to hand over instead of copying. */
  transfer?: (method: string, result: unknown) => Transferable[];
}

/** The worker side: answers each request with its method's result, or a failure as one sentence. */
export function serveWorker<M extends WorkerMethods>(methods: M, options: ServeOptions = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorker runs only inside a worker thread.');
  port.on('message', async (msg: { id: number; method: string; args: unknown[] }) => {
    try {
      const handler = methods[msg.method];
      if (!handler) throw new Error(`This worker has no method "${msg.method}".`);
      const result = await handler(...msg.args);
      port.postMessage({ id: msg.id, result }, options.transfer?.(msg.method, result) ?? []);
    } catch (err) {
      port.postMessage({ id: msg.id, error: describeError(err) });
    }
  });
}

/** A message from the worker outside any reply (progress), for the client's `onEvent`. */
export function postWorkerEvent(event: object): void {
  parentPort?.postMessage(event);
}
