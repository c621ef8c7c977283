/**
 * Verify throughput on a generated export (1,000,000 events by default; set
 * BENCH_EVENTS to change), printed beside the cost of SHA-256 over the same
 * file with node:crypto, measured in the same run. Ratios, never absolute
 * targets: the machine decides the seconds.
 *
 *   node bin/run-ts.mjs bench/verify.bench.ts
 */
import { existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256FileSeconds } from './read-back';
import { deriveKey, writeExport } from '../src/main/node/generate/generate-export';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { verifyAuditExport } from '../src/main/node/formats/audit-export-reader';
import { nativeScanStatus } from '../src/main/node/formats/native-scan';
import { defaultWorkerCount, nativeWorkerCount } from '../src/main/node/read/worker-pool';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = path.join(os.tmpdir(), 'audit-replay-bench');
const file = path.join(dir, `export-${EVENTS}.jsonl`);
const key = deriveKey('bench');
const trust = { keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] };

function peakSampler() {
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 20);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakRss, peakHeap };
    },
  };
}

async function timeVerify(workers: number | undefined, native = true) {
  const mem = peakSampler();
  const t0 = performance.now();
  const { chain } = await verifyAuditExport({ path: file, trust, hmacKey: null, workers, native });
  const seconds = (performance.now() - t0) / 1000;
  if (chain.verdict !== 'intact') throw new Error(`bench export did not verify: ${chain.verdict}`);
  return { seconds, ...mem.stop() };
}

await mkdir(dir, { recursive: true });
if (!existsSync(file)) {
  process.stderr.write(`generating ${EVENTS.toLocaleString('en')} events into ${file} …\n`);
  const decide = createCedarDecider(path.resolve('resources/sample/policies/ap-policy-v7'));
  await writeExport(`${file}.tmp`, { events: EVENTS, seed: 'bench', key, policy: decide.policy, decide, checkpointEvery: 1000 });
  renameSync(`${file}.tmp`, file);
}
const bytes = statSync(file).size;
const mb = bytes / 1e6;

// Warm the page cache and the JIT once, then measure.
await sha256FileSeconds(file);
const hashSeconds = Math.min(await sha256FileSeconds(file), await sha256FileSeconds(file));
// The default: with the fast path, the main thread and cores - 1 hash workers.
const parallel = await timeVerify(undefined);
const two = await timeVerify(2);
const single = await timeVerify(0);
const reference = await timeVerify(undefined, false);

const row = (name: string, r: { seconds: number; peakRss: number; peakHeap: number }) =>
  `${name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(EVENTS / r.seconds)
    .toLocaleString('en')
    .padStart(
      10,
    )} events/s  ${(mb / r.seconds).toFixed(1).padStart(7)} MB/s  ${(r.seconds / hashSeconds).toFixed(2).padStart(6)}× sha256  peak RSS ${(r.peakRss / 1e6).toFixed(0)} MB, heap ${(r.peakHeap / 1e6).toFixed(0)} MB`;

const fast = nativeScanStatus();
console.log(`verify benchmark: ${EVENTS.toLocaleString('en')} events, ${mb.toFixed(1)} MB, ${os.availableParallelism()} cores; native fast path: ${fast.scan ? 'on' : `off (${fast.reason})`}`);
console.log(`${'sha256 of the file (baseline)'.padEnd(34)} ${hashSeconds.toFixed(2).padStart(7)} s  ${(mb / hashSeconds).toFixed(1)} MB/s`);
const defaultWorkers = fast.scan ? nativeWorkerCount() : defaultWorkerCount();
console.log(row(`verify, main + ${defaultWorkers} worker${defaultWorkers === 1 ? '' : 's'} (default)`, parallel));
console.log(row('verify, main + 2 workers', two));
console.log(row('verify, single thread (no workers)', single));
console.log(row(`JavaScript reference, ${defaultWorkerCount()} workers`, reference));
console.log(`ratio verify/sha256: ${(parallel.seconds / hashSeconds).toFixed(2)} (target ≤ 3), single-thread ${(single.seconds / hashSeconds).toFixed(2)}`);
