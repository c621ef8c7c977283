/**
 * Replay throughput beside a bare Cedar loop over the same requests, in one run.
 *   node bin/run-ts.mjs bench/replay.bench.ts            (1,000,000 decisions)
 *   REPLAY_BENCH_DECISIONS=100000 REPLAY_BENCH_ROUNDS=3 node bin/run-ts.mjs bench/replay.bench.ts
 * "bare" = cedar-wasm statefulIsAuthorized on the preparsed policy set, the
 * fastest evaluation cedar-wasm 4.13 offers, with nothing else; also shown:
 * plain isAuthorized, which re-parses the policy text on every call.
 * Replay = the full service path, timed from start to report including
 * worker start-up (bare is timed after its workers are ready, so the ratio is conservative): (decision reading, pin resolution, worker
 * batches, effect derivation, comparison, sequence checks, report, canonical
 * JSON and its SHA-256). Requests are generated lazily for both sides.
 * Rates are given per wall second and per CPU-second of the whole process
 * (all threads): on a shared machine the CPU figure is the steadier measure
 * of cost per core; the replay's includes its main thread and worker start-up.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { loadBundle, loadBundleFolder, type BundleSource } from '../src/main/node/replay/bundle-loader';
import { cedar } from '../src/main/node/replay/cedar';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { replayEvents } from '../src/main/node/replay/replay-service';
import type { CedarRequest, DecisionOutcome, ReplayEvent } from '../src/shared/replay/types';

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
/** CPU time of the whole process (every thread) since `c0`, in ms. */
const cpuSince = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const POLICIES = path.join(ROOT, 'resources/sample/policies');
const V7 = path.join(POLICIES, 'ap-policy-v7');

const ACTIONS = ['read_invoice', 'match_po', 'pay_invoice', 'pay_invoice', 'pay_invoice', 'issue_credit_note', 'send_reminder', 'approve_invoice'];
const AGENTS = ['ap-intake-agent', 'ap-matching-agent', 'ap-payment-agent', 'billing-agent'];
const PATTERNS = 4096;

/** Request i: one of PATTERNS shapes (so recorded outcomes can be precomputed), with its own resource id. */
function makeRequest(i: number): CedarRequest {
  const p = i % PATTERNS;
  const action = ACTIONS[p % ACTIONS.length];
  return {
    principal: { type: 'Agent', id: AGENTS[(p >> 3) % AGENTS.length] },
    action: { type: 'Action', id: action },
    resource: action === 'issue_credit_note' ? { type: 'CreditNote', id: `CN-${i}` } : { type: 'Invoice', id: `INV-${i}` },
    context: { amount: ((p * 7919) % 2_500_000) + 100, currency: 'EUR', vendor_verified: p % 13 !== 0, po_matched: p % 9 !== 0, ring: (p >> 5) % 3 },
  };
}

function bareLoop(bundle: BundleSource, from: number, to: number): number {
  const policies: Record<string, string> = {};
  for (const p of bundle.policies) policies[p.id] = p.text;
  cedar.preparsePolicySet('bare', { staticPolicies: policies });
  cedar.preparseSchema('bare', bundle.schemaText!);
  let allowed = 0;
  for (let i = from; i < to; i++) {
    const r = makeRequest(i);
    const a = cedar.statefulIsAuthorized({ ...r, context: r.context as never, entities: [], preparsedPolicySetId: 'bare', preparsedSchemaName: 'bare', validateRequest: true });
    if (a.type === 'success' && a.response.decision === 'allow') allowed++;
  }
  return allowed;
}

function unparsedLoop(bundle: BundleSource, from: number, to: number): number {
  const text = bundle.policies.map((p) => p.text).join('\n');
  let allowed = 0;
  for (let i = from; i < to; i++) {
    const r = makeRequest(i);
    const a = cedar.isAuthorized({ ...r, context: r.context as never, entities: [], policies: { staticPolicies: text }, schema: bundle.schemaText!, validateRequest: true });
    if (a.type === 'success' && a.response.decision === 'allow') allowed++;
  }
  return allowed;
}

if (!isMainThread) {
  // Load and preparse first, then wait for "go": the timed part is the loop alone.
  const { from, to } = workerData as { from: number; to: number };
  const bundle = loadBundle(V7);
  parentPort!.postMessage('ready');
  parentPort!.once('message', () => parentPort!.postMessage(bareLoop(bundle, from, to)));
} else {
  await main();
}

/** Wall time of the bare loop over n requests split across `workers` threads, started together once all are ready. */
async function bareInWorkers(workers: number, n: number): Promise<{ ms: number; cpuMs: number }> {
  const tsx = import.meta.resolve('tsx/esm/api');
  const self = pathToFileURL(fileURLToPath(import.meta.url)).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  const threads = Array.from({ length: workers }, (_, w) => new Worker(code, { eval: true, workerData: { from: Math.floor((w * n) / workers), to: Math.floor(((w + 1) * n) / workers) } }));
  const next = (w: Worker) =>
    new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  await Promise.all(threads.map(next));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const done = threads.map(next);
  for (const w of threads) w.postMessage('go');
  await Promise.all(done);
  const ms = performance.now() - t0;
  const cpuMs = cpuSince(c0);
  await Promise.all(threads.map((w) => w.terminate()));
  return { ms, cpuMs };
}

function* decisionEvents(n: number, policy: { name: string; version: string; digest: string }, outcomes: DecisionOutcome[]): Generator<ReplayEvent> {
  let index = 0;
  for (let i = 0; i < n; i++) {
    const rid = `req-${i}`;
    yield {
      index,
      seq: index,
      line: index + 2,
      kind: 'policy.decision',
      actor: { type: 'system', id: 'policy-engine' },
      data: { decision_id: `dec-${i}`, request_id: rid, policy, request: makeRequest(i), outcome: outcomes[i % PATTERNS] },
    };
    index++;
    if (i % 3 === 0 && outcomes[i % PATTERNS].effect === 'allow') {
      yield { index, seq: index, line: index + 2, kind: 'action.executed', actor: { type: 'agent', id: AGENTS[((i % PATTERNS) >> 3) % AGENTS.length] }, data: { request_id: rid } };
      index++;
    }
  }
}

async function main() {
  const n = Number(process.env.REPLAY_BENCH_DECISIONS ?? 1_000_000);
  const bundles = loadBundleFolder(POLICIES);
  const decide = createCedarDecider(V7);
  const outcomes = Array.from({ length: PATTERNS }, (_, p) => decide(makeRequest(p)));
  console.log(
    `replay bench: ${n.toLocaleString('en')} decisions, cedar-wasm ${cedar.getCedarVersion()}, node ${process.version}, ${os.availableParallelism()} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  const results: Record<string, { ms: number; cpuMs: number; rss?: number }> = {};
  // Replay and bare alternate, so a burst of load from other processes hits both; best of ROUNDS each.
  const rounds = Number(process.env.REPLAY_BENCH_ROUNDS ?? 1);
  for (const workers of [1, 2]) {
    let replayMs = Infinity;
    let replayCpu = Infinity;
    let bareMs = Infinity;
    let bareCpu = Infinity;
    let sha = '';
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const run = await replayEvents(decisionEvents(n, decide.policy, outcomes), { bundles, workers });
      replayMs = Math.min(replayMs, performance.now() - t0);
      replayCpu = Math.min(replayCpu, cpuSince(c0));
      if (run.report.decisions !== n || run.report.matched !== n) throw new Error(`replay did not match every decision: ${run.report.matched}/${run.report.decisions}`);
      if (sha && sha !== run.sha256) throw new Error('two replays of the same decisions gave different reports');
      sha = run.sha256;
      const bare = await bareInWorkers(workers, n);
      bareMs = Math.min(bareMs, bare.ms);
      bareCpu = Math.min(bareCpu, bare.cpuMs);
    }
    results[`replay${workers}`] = { ms: replayMs, cpuMs: replayCpu, rss: process.resourceUsage().maxRSS };
    results[`bare${workers}`] = { ms: bareMs, cpuMs: bareCpu };
    const label = `${workers} worker${workers > 1 ? 's' : ' '}`;
    console.log(
      `  replay, ${label}                      ${rate(n, replayMs).toLocaleString('en').padStart(9)} decisions/s wall, ${rate(n, replayCpu).toLocaleString('en').padStart(7)} per CPU-second  (${(replayMs / 1000).toFixed(2)} s incl. worker start, peak RSS so far ${mb(process.resourceUsage().maxRSS)}, report ${sha.slice(0, 16)}…)`,
    );
    console.log(
      `  bare statefulIsAuthorized, ${label}   ${rate(n, bareMs).toLocaleString('en').padStart(9)} decisions/s wall, ${rate(n, bareCpu).toLocaleString('en').padStart(7)} per CPU-second  (same requests, same run)`,
    );
  }
  const unparsedN = Math.min(n, 2_000);
  const t0 = performance.now();
  unparsedLoop(loadBundle(V7), 0, unparsedN);
  const unparsedMs = performance.now() - t0;
  console.log(`  bare isAuthorized (re-parses policies)         ${rate(unparsedN, unparsedMs).toLocaleString('en').padStart(9)} decisions/s  (${unparsedN.toLocaleString('en')} requests)`);
  for (const w of [1, 2]) {
    const wall = results[`bare${w}`].ms / results[`replay${w}`].ms;
    const cpu = results[`bare${w}`].cpuMs / results[`replay${w}`].cpuMs;
    const what = w === 1 ? '1 core  (1 worker vs 1 worker)  ' : '2 cores (2 workers vs 2 workers)';
    console.log(`  ratio replay/bare, ${what}: wall ${(wall * 100).toFixed(1)}%, per CPU-second ${(cpu * 100).toFixed(1)}%  (target 80%: ${cpu >= 0.8 ? 'met' : 'MISSED'} per core)`);
  }
  console.log(
    `  load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (other processes on these cores skew both sides)`,
  );
  console.log(`  peak RSS during replay: ${mb(results.replay2.rss!)} (process maxRSS, all threads)`);
}
