/**
 * What one hostile request can cost, against an honest decision in the same run:
 *   node bin/run-ts.mjs bench/hostile-requests.bench.ts
 * In this thread, on a bundle without schema (so any entity reaches Cedar):
 * - honest: a small request, the baseline (µs per decision, best of 3 loops);
 * - at the caps (request-limits.ts): the costliest shapes a request may have
 *   and still be evaluated, best of 3, as a multiple of the honest decision;
 * - over the caps: how long the check takes to refuse them (Cedar never runs);
 * - engine failure: the caps lifted so a 10,000-entity chain reaches Cedar,
 *   and what recovery costs (a new wasm instance and the bundle preparsed
 *   again, which happens before the next decision).
 * HOSTILE_BENCH_LIMITS=1 also probes, with the caps lifted, where cedar-wasm
 * itself gives out, in this thread and in a worker thread (whose stack is
 * larger): parent chains, context and entity nesting. Slow (about a minute).
 */
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadBundle } from '../src/main/node/replay/bundle-loader';
import { reloadCedar } from '../src/main/node/replay/cedar';
import { compileBundle, requestProblem } from '../src/main/node/replay/cedar-evaluator';
import { REQUEST_LIMITS } from '../src/shared/replay/request-limits';
import { EvaluationError, type CedarRequest } from '../src/shared/replay/types';
import { entityChain, flatEntities, layeredEntities, nestedValue } from '../test/hostile/hostile-requests';
import { tempDir, V7, writeBundle } from '../test/replay/helpers';

const dir = writeBundle(path.join(tempDir('hostile-bench-'), 'team'), {
  'manifest.json': '{"name":"team","version":"1","engine":"cedar"}',
  'policies.cedar':
    '@id("team.read")\npermit(principal in Team::"t0", action == Action::"read_invoice", resource);\n@id("pay.small")\npermit(principal, action == Action::"pay_invoice", resource) when { context.amount <= 100000 };\n',
});
const bundle = loadBundle(dir);
const evaluator = compileBundle(bundle);
const lifted = compileBundle({ ...bundle, digest: `${bundle.digest}-lifted` }, { entities: Infinity, entityDepth: Infinity, ancestry: Infinity, nesting: Infinity });
const base = { principal: { type: 'Agent', id: 'ap-payment-agent' }, action: { type: 'Action', id: 'read_invoice' }, resource: { type: 'Invoice', id: 'INV-1' } };
const request = (context: Record<string, unknown>, entities?: unknown[]): CedarRequest => ({ ...base, context, ...(entities ? { entities } : {}) });

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** With the caps lifted: the time each probe takes in this thread, or "engine failure". */
function probeLimits(): string[] {
  const probes: [string, CedarRequest][] = [
    ['parent chain 1,000', request({}, entityChain(1_000))],
    ['parent chain 3,000', request({}, entityChain(3_000))],
    ['parent chain 5,000', request({}, entityChain(5_000))],
    ['parent chain 10,000', request({}, entityChain(10_000))],
    ['context nested 100', request(nestedValue(100))],
    ['context nested 120', request(nestedValue(120))],
    ['context nested 130', request(nestedValue(130))],
    ['entity nested 100', request({}, [{ uid: { type: 'Team', id: 'd' }, attrs: { v: nestedValue(98) }, parents: [] }])],
    ['entity nested 130', request({}, [{ uid: { type: 'Team', id: 'd' }, attrs: { v: nestedValue(128) }, parents: [] }])],
  ];
  return probes.map(([name, r]) => {
    const t0 = process.hrtime.bigint();
    try {
      lifted.authorize(r);
      return `${name.padEnd(22)} ${(ms(t0) / 1000).toFixed(2).padStart(6)} s`;
    } catch (err) {
      if (!(err instanceof EvaluationError) || !err.engineFailure) throw err;
      return `${name.padEnd(22)} engine failure after ${(ms(t0) / 1000).toFixed(2)} s`;
    }
  });
}

if (!isMainThread && workerData === 'probe') {
  parentPort!.postMessage(probeLimits());
  process.exit(0);
}
function best(times: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    min = Math.min(min, ms(t0));
  }
  return min;
}

const honestRequest = request({ amount: 500 });
const loops = 2000;
const honestMs =
  best(3, () => {
    for (let i = 0; i < loops; i++) evaluator.authorize(honestRequest);
  }) / loops;
console.log(`honest decision: ${(honestMs * 1000).toFixed(1)} µs (best of 3 loops of ${loops})`);

const atCaps: [string, CedarRequest][] = [
  [`${REQUEST_LIMITS.entities} entities, no parents`, request({}, flatEntities(REQUEST_LIMITS.entities))],
  [`a parent chain ${REQUEST_LIMITS.entityDepth} deep`, request({}, entityChain(REQUEST_LIMITS.entityDepth))],
  ['10 chains 100 deep (ancestry 49,500 steps)', request({}, layeredEntities(10, 100, 1))],
  ['3 layers of 40, each entity with 40 parents (ancestry 67,200 steps)', request({}, layeredEntities(40, 3, 40))],
  [`context nested ${REQUEST_LIMITS.nesting} levels`, request(nestedValue(REQUEST_LIMITS.nesting))],
];
console.log('\nat the caps (evaluated by Cedar)                                      ms   × honest');
for (const [name, r] of atCaps) {
  if (requestProblem(r) !== null) throw new Error(`${name} is over a cap: ${requestProblem(r)}`);
  const t = best(3, () => evaluator.authorize(r));
  console.log(
    `  ${name.padEnd(68)} ${t.toFixed(1).padStart(7)}  ${Math.round(t / honestMs)
      .toLocaleString('en-US')
      .padStart(8)}`,
  );
}

const overCaps: [string, CedarRequest][] = [
  ['a 10,000-entity parent chain', request({}, entityChain(9_999))],
  ['a parent chain 101 deep', request({}, entityChain(REQUEST_LIMITS.entityDepth + 1))],
  ['50 layers of 100, 2 parents each (took Cedar 32 s)', request({}, layeredEntities(100, 50, 2))],
  ['context nested 1,000 levels', request(nestedValue(1000))],
];
console.log('\nover a cap (refused before Cedar): time of the check                   ms');
for (const [name, r] of overCaps) {
  const t = best(3, () => {
    if (requestProblem(r) === null) throw new Error(`${name} passed the caps`);
  });
  console.log(`  ${name.padEnd(68)} ${t.toFixed(1).padStart(7)}`);
}

console.log('\nengine failure (caps lifted)                                           ms');
const hostile = request({}, entityChain(9_999));
let t0 = process.hrtime.bigint();
try {
  lifted.authorize(hostile);
  throw new Error('Cedar evaluated the 10,000-entity chain');
} catch (err) {
  if (!(err instanceof EvaluationError) || !err.engineFailure) throw err;
}
console.log(`  the failing call, with the instance replaced                           ${ms(t0).toFixed(1).padStart(7)}`);
t0 = process.hrtime.bigint();
evaluator.authorize(honestRequest);
console.log(`  the next decision (its bundle preparsed again first)                   ${ms(t0).toFixed(1).padStart(7)}`);
const sample = compileBundle(loadBundle(V7));
const sampleRequest: CedarRequest = { ...base, context: { amount: 1, currency: 'EUR', vendor_verified: true, po_matched: true, ring: 0 } };
const reloads = 5;
const reloadMs = best(reloads, () => reloadCedar());
const recoverMs = best(reloads, () => {
  reloadCedar();
  sample.authorize(sampleRequest);
});
console.log(`  a new instance alone (best of ${reloads})                                        ${reloadMs.toFixed(1).padStart(7)}`);
console.log(`  a new instance, the sample bundle ap-policy-v7 preparsed, one decision ${recoverMs.toFixed(1).padStart(7)}`);

if (process.env.HOSTILE_BENCH_LIMITS === '1') {
  console.log('\nwhere cedar-wasm gives out (caps lifted), this thread:');
  for (const line of probeLimits()) console.log(`  ${line}`);
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const lines = await new Promise<string[]>((resolve, reject) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: 'probe' });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  console.log('in a worker thread:');
  for (const line of lines) console.log(`  ${line}`);
}
