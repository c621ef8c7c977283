/**
 * The one worker client: typed calls answered, a worker's failure turned into
 * one sentence for every pending call, and calls after it refused the same way.
 * A real worker thread each time (test/tooling/worker-client-fixture.ts).
 */
import { afterEach, expect, it } from 'vitest';
import { createWorkerClient, type WorkerClient } from '../../src/main/node/read/worker-client';
import type { FIXTURE_METHODS } from './worker-client-fixture';

const FIXTURE = new URL('./worker-client-fixture.mjs', import.meta.url);
let client: WorkerClient<typeof FIXTURE_METHODS>;
const start = () => (client = createWorkerClient<typeof FIXTURE_METHODS>(FIXTURE, { name: 'test worker', unrefWhenIdle: true }));
afterEach(() => client?.close());

it('answers calls by method, in any order, with their own results', async () => {
  start();
  const [slow, fast] = [client.call('wait', [300]), client.call('echo', ['hello'])];
  expect(await fast).toBe('echo: hello');
  expect(await slow).toBe(300);
  expect(client.pending).toBe(0);
});

it("rejects a method's failure with its sentence, and keeps serving", async () => {
  start();
  await expect(client.call('refuse', ['The policy folder is empty'])).rejects.toThrow('The policy folder is empty.');
  expect(await client.call('echo', ['still here'])).toBe('echo: still here');
});

it('a worker exiting mid-request rejects every pending call with a sentence, and refuses later calls', async () => {
  start();
  const waiting = client.call('wait', [60_000]);
  const exiting = client.call('exit', [3]);
  const sentence = 'The test worker stopped (exit code 3) before it answered.';
  await Promise.all([expect(exiting).rejects.toThrow(sentence), expect(waiting).rejects.toThrow(sentence)]);
  await expect(client.call('echo', ['too late'])).rejects.toThrow(sentence);
  expect(client.pending).toBe(0);
});

it('a worker crashing (uncaught error) rejects pending calls naming the worker and the error', async () => {
  start();
  const waiting = client.call('wait', [60_000]);
  const sentence = 'The test worker failed and stopped: out of bounds';
  await Promise.all([expect(client.call('crash', ['out of bounds'])).rejects.toThrow(sentence), expect(waiting).rejects.toThrow(sentence)]);
});

it('closing cancels pending calls', async () => {
  start();
  const waiting = client.call('wait', [60_000]);
  const cancelled = expect(waiting).rejects.toThrow('The test worker was closed; the request was cancelled.');
  await client.close();
  await cancelled;
});
