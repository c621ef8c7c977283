/**
 * Generator throughput (`audit-replay generate`'s writeExport, 1,000,000
 * events by default; set BENCH_EVENTS to change), printed beside two
 * baselines measured in the same run: SHA-256 of the file it wrote (reading
 * it back) and verifying it (the native fast path, on this machine's cores),
 * and, on a tenth of the events, the generator with a decider that asks
 * Cedar for every decision (how it worked before decisions were shared).
 * Ratios, never absolute targets: the machine decides the seconds.
 *
 *   node bin/run-ts.mjs bench/generate.bench.ts
 *
 * The export is written to a fresh file under os.tmpdir()/audit-replay-bench
 * and removed afterwards (the other benches keep their cached inputs there).
 */
import { rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256FileSeconds } from './read-back';
import { deriveKey, writeExport } from '../src/main/node/generate/generate-export';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { loadBundle } from '../src/main/node/replay/bundle-loader';
import { compileBundle } from '../src/main/node/replay/cedar-evaluator';
import { evaluate } from '../src/shared/replay/outcome';
import type { CedarRequest, DecisionOutcome } from '../src/shared/replay/types';
import { verifyAuditExport } from '../src/main/node/formats/audit-export-reader';
import { nativeScanStatus } from '../src/main/node/formats/native-scan';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const V7 = path.resolve('resources/sample/policies/ap-policy-v7');
const dir = path.join(os.tmpdir(), 'audit-replay-bench');
const file = path.join(dir, `generate-${process.pid}.jsonl`);
const key = deriveKey('bench');
const trust = { keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] };

/** Wall and CPU seconds of one call (CPU: this process, every thread). */
async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { seconds, cpu: (c.user + c.system) / 1e6, value };
}

/** The decider as it was: Cedar evaluates every request. */
function everyDecisionDecider() {
  const bundle = loadBundle(V7);
  const evaluator = compileBundle(bundle);
  const decide = (request: CedarRequest): DecisionOutcome => {
    const result = evaluate(evaluator, request);
    if (!result.ok) throw new Error(result.message);
    return result.outcome;
  };
  return Object.assign(decide, { policy: { name: bundle.name, version: bundle.version, digest: bundle.digest } });
}

async function generate(events: number, out: string, decide: ReturnType<typeof everyDecisionDecider>) {
  return timed(() => writeExport(out, { events, seed: 'bench', key, policy: decide.policy, decide, checkpointEvery: 1000 }));
}

await mkdir(dir, { recursive: true });
try {
  // A short run first, so both deciders are measured with a warm JIT.
  await generate(10_000, file, createCedarDecider(V7));
  const gen = await generate(EVENTS, file, createCedarDecider(V7));
  const bytes = statSync(file).size;
  await sha256FileSeconds(file);
  const hashSeconds = Math.min(await sha256FileSeconds(file), await sha256FileSeconds(file));
  const verify = await timed(() => verifyAuditExport({ path: file, trust, hmacKey: null }));
  if (verify.value.chain.verdict !== 'intact') throw new Error(`generated export did not verify: ${verify.value.chain.verdict}`);

  const small = Math.max(1000, Math.round(EVENTS / 10));
  const sharedSmall = await generate(small, file, createCedarDecider(V7));
  const everySmall = await generate(small, file, everyDecisionDecider());

  const rate = (events: number, seconds: number) => `${Math.round(events / seconds).toLocaleString('en')} events/s`;
  const lines = [
    `generate ${EVENTS.toLocaleString('en')} events (${(bytes / 1e6).toFixed(1)} MB, seed bench, checkpoint every 1000), ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, native addon ${nativeScanStatus().reason}`,
    `  generate:                      ${gen.seconds.toFixed(2)} s wall, ${gen.cpu.toFixed(2)} s CPU, ${rate(EVENTS, gen.seconds)}; 10M events at this rate: ${((gen.seconds * 10_000_000) / EVENTS).toFixed(0)} s`,
    `  baseline sha256 of the file:   ${hashSeconds.toFixed(2)} s  -> generate is ${(gen.seconds / hashSeconds).toFixed(1)}x reading it back`,
    `  baseline verify (fast path):   ${verify.seconds.toFixed(2)} s  -> generate is ${(gen.seconds / verify.seconds).toFixed(2)}x verify`,
    `  ${small.toLocaleString('en')} events, decisions shared:      ${sharedSmall.seconds.toFixed(2)} s wall, ${sharedSmall.cpu.toFixed(2)} s CPU`,
    `  ${small.toLocaleString('en')} events, Cedar every decision:  ${everySmall.seconds.toFixed(2)} s wall, ${everySmall.cpu.toFixed(2)} s CPU -> shared is ${(everySmall.seconds / sharedSmall.seconds).toFixed(2)}x faster (CPU ${(everySmall.cpu / sharedSmall.cpu).toFixed(2)}x)`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  rmSync(file, { force: true });
}
