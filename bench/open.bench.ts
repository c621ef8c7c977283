/**
 * The desk's ingest (`open`: createAuditService().openExport, trust store
 * only) against `verify` of the same file, in the same run, and the size
 * of the case store against the export. A generated export of 1,000,000
 * events by default (BENCH_EVENTS to change), cached under the OS temp
 * folder beside the verify benchmark's. The open runs in a child process
 * (this file again, with BENCH_OPEN_CHILD=1), so its peak RSS is its own:
 * time to the verdict (the first progress that carries it), time to a
 * browsable case (done), peak RSS (process.resourceUsage().maxRSS).
 *
 *   npm run bench:open
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deriveKey, writeExport } from '../src/main/node/generate/generate-export';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { verifyFile } from '../src/main/node/verify/verify-file';
import { createAuditService } from '../src/main/node/service/audit-service';
import { caseFile, exportCopyFile } from '../src/main/node/ingest/ingest-case';
import { nativeScanStatus } from '../src/main/node/formats/native-scan';
import type { JobProgress } from '../src/shared/api/audit-api';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const dir = path.join(os.tmpdir(), 'audit-replay-bench');
const file = path.join(dir, `export-${EVENTS}.jsonl`);
const trustFile = path.join(dir, 'bench-trust.json');
const key = deriveKey('bench');

await mkdir(dir, { recursive: true });
if (!existsSync(file)) {
  process.stderr.write(`generating ${EVENTS.toLocaleString('en')} events into ${file} …\n`);
  const decide = createCedarDecider(path.resolve('resources/sample/policies/ap-policy-v7'));
  await writeExport(`${file}.tmp`, { events: EVENTS, seed: 'bench', key, policy: decide.policy, decide, checkpointEvery: 1000 });
  renameSync(`${file}.tmp`, file);
}
writeFileSync(trustFile, JSON.stringify({ keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] }));
const exportBytes = statSync(file).size;

async function timeVerify(): Promise<number> {
  const t0 = performance.now();
  const r = await verifyFile({ path: file, trustPath: trustFile });
  if (r.verdict !== 'intact') throw new Error(`bench export did not verify: ${r.verdict}`);
  return (performance.now() - t0) / 1000;
}

interface OpenFigures {
  seconds: number;
  verdictSeconds: number;
  store: number;
  copy: number;
  maxRssBytes: number;
}

async function timeOpen(): Promise<OpenFigures> {
  const casesDir = mkdtempSync(path.join(dir, 'cases-'));
  const service = createAuditService({ casesDir });
  try {
    const t0 = performance.now();
    let verdictAt: number | null = null;
    const end = new Promise<JobProgress>((resolve) =>
      service.onProgress((p) => {
        if (p.verdict && verdictAt === null) verdictAt = performance.now();
        if (['done', 'failed', 'cancelled'].includes(p.phase)) resolve(p);
      }),
    );
    await service.openExport({ exportPath: file, trustPath: trustFile });
    const last = await end;
    const seconds = (performance.now() - t0) / 1000;
    if (last.phase !== 'done' || !last.caseId) throw new Error(`open failed: ${last.error ?? last.phase}`);
    const verdictSeconds = ((verdictAt ?? performance.now()) - t0) / 1000;
    return {
      seconds,
      verdictSeconds,
      store: statSync(caseFile(casesDir, last.caseId)).size,
      copy: statSync(exportCopyFile(casesDir, last.caseId)).size,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    await service.close();
    rmSync(casesDir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_OPEN_CHILD === '1') {
  process.stdout.write(JSON.stringify(await timeOpen()) + '\n');
  process.exit(0);
}

/** The open in a child process of its own (its peak RSS is the open's alone). */
function timeOpenInChild(): OpenFigures {
  const child = spawnSync(process.execPath, [path.resolve('bin/run-ts.mjs'), path.resolve('bench/open.bench.ts')], {
    env: { ...process.env, BENCH_OPEN_CHILD: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.status !== 0) throw new Error(`open child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as OpenFigures;
}

// Warm the page cache and the JIT once, then measure each side.
await timeVerify();
const verifySeconds = await timeVerify();
const open = timeOpenInChild();
const fast = nativeScanStatus();
console.log(
  `open benchmark: ${EVENTS.toLocaleString('en')} events, ${(exportBytes / 1e6).toFixed(1)} MB, ${os.availableParallelism()} cores; native fast path (verify): ${fast.scan ? 'on' : `off (${fast.reason})`}`,
);
console.log(`verify (baseline)   ${verifySeconds.toFixed(2).padStart(8)} s`);
console.log(`open, to the verdict ${open.verdictSeconds.toFixed(2).padStart(8)} s`);
console.log(`open, to the case   ${open.seconds.toFixed(2).padStart(8)} s`);
console.log(`ratio open/verify to the verdict: ${(open.verdictSeconds / verifySeconds).toFixed(2)} (target ≤ 1.5)`);
console.log(`ratio open/verify to a browsable case: ${(open.seconds / verifySeconds).toFixed(2)} (target ≤ 2)`);
console.log(`peak RSS of open (child process): ${(open.maxRssBytes / 1e6).toFixed(0)} MB (target ≤ 400 MB)`);
console.log(
  `ratio store/export: ${(open.store / exportBytes).toFixed(3)} (store ${open.store.toLocaleString('en')} bytes, export ${exportBytes.toLocaleString('en')} bytes; target ≤ 0.10), with the export copy ${((open.store + open.copy) / exportBytes).toFixed(3)}`,
);
