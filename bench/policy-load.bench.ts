/**
 * Policy loading against the size of policies.cedar, in one run:
 *   node bin/run-ts.mjs bench/policy-load.bench.ts
 *   POLICY_LOAD_SIZES=5000,10000,20000 node bin/run-ts.mjs bench/policy-load.bench.ts
 * Each size is a generated set of small policies (as in the loading test);
 * the largest is the biggest set that fits MAX_BUNDLE_FILE_BYTES (8 MiB,
 * about 82,000 policies). Times are CPU time of this thread's process, best
 * of POLICY_LOAD_ROUNDS (default 2); `per policy` is divided by the count,
 * and `ratio` compares it with the first (smallest) size: linear loading
 * keeps it near 1, the old line look-up made it grow with the size.
 * `load` is loadBundle (read, split, parse and check every policy); `compile`
 * is compileBundle (the preparse each replay thread does once).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBundle, MAX_BUNDLE_FILE_BYTES } from '../src/main/node/replay/bundle-loader';
import { compileBundle } from '../src/main/node/replay/cedar-evaluator';

const policy = (i: number) => `@id("p${i}")\npermit(principal, action, resource) when { context.amount > ${i} };\n`;

/** The first `n` policies, or as many as fit in 8 MiB when `n` is 0. */
function policyText(n: number): { text: string; count: number } {
  const parts: string[] = [];
  let bytes = 0;
  for (let i = 0; n === 0 || i < n; i++) {
    const p = policy(i) + '\n';
    if (bytes + p.length > MAX_BUNDLE_FILE_BYTES) break;
    parts.push(p);
    bytes += p.length;
  }
  return { text: parts.join(''), count: parts.length };
}

const cpuMs = (c0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
};

const sizes = (process.env.POLICY_LOAD_SIZES ?? '10000,20000,40000,0').split(',').map(Number);
const rounds = Number(process.env.POLICY_LOAD_ROUNDS ?? 2);
const dir = mkdtempSync(path.join(os.tmpdir(), 'policy-load-bench-'));
let base: { load: number; compile: number } | null = null;
console.log('policies  bytes       load ms  per policy  ratio   compile ms  per policy  ratio');
try {
  for (const size of sizes) {
    const { text, count } = policyText(size);
    const bundle = path.join(dir, `b${count}`);
    mkdirSync(bundle);
    writeFileSync(path.join(bundle, 'manifest.json'), '{"name":"bench","version":"1","engine":"cedar"}');
    writeFileSync(path.join(bundle, 'policies.cedar'), text);
    let load = Infinity;
    let compile = Infinity;
    for (let r = 0; r < rounds; r++) {
      let c0 = process.cpuUsage();
      const loaded = loadBundle(bundle);
      load = Math.min(load, cpuMs(c0));
      // Policy i starts on line 3i + 1 (two lines and a blank one each).
      if (loaded.policies.length !== count || loaded.policies[count - 1].line !== 3 * (count - 1) + 1) {
        throw new Error(`wrong policies or lines for ${count} policies`);
      }
      c0 = process.cpuUsage();
      // A digest of its own per round: the thread's preparsed sets are keyed by digest.
      compileBundle({ ...loaded, digest: `${loaded.digest}-${r}` });
      compile = Math.min(compile, cpuMs(c0));
    }
    const per = { load: (load * 1000) / count, compile: (compile * 1000) / count };
    base ??= per;
    console.log(
      `${String(count).padStart(8)}  ${String(text.length).padStart(9)}  ${load.toFixed(0).padStart(8)}  ${per.load.toFixed(1).padStart(7)} µs  ${(per.load / base.load).toFixed(2).padStart(5)}  ` +
        `${compile.toFixed(0).padStart(10)}  ${per.compile.toFixed(1).padStart(7)} µs  ${(per.compile / base.compile).toFixed(2).padStart(5)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
