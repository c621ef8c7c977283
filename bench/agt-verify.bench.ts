/**
 * Throughput of the agt-mesh-jsonl reader on a large, correctly chained
 * synthetic AGT stdout log, to compare with the native format's verifier.
 *   node bin/run-ts.mjs bench/agt-verify.bench.ts               (200 MB)
 *   AGT_BENCH_MB=1024 node bin/run-ts.mjs bench/agt-verify.bench.ts
 *   AGT_BENCH_FILE=/path/log.jsonl node bin/run-ts.mjs bench/agt-verify.bench.ts  (reuse a file)
 * Prints size, entries, seconds, MB/s and the peak RSS, which must stay flat
 * whatever the size (the reader streams).
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { agtMeshJsonlReader } from '../src/main/node/formats/agt-mesh-jsonl';
import { deriveKey, writeExport } from '../src/main/node/generate/generate-export';
import { createCedarDecider } from '../src/main/node/replay/decider';
import { verifyAuditExport } from '../src/main/node/formats/audit-export-reader';

/** Generates (once, cached in the OS temp folder) and verifies a native export of about `bytes`. */
async function nativeBaseline(bytes: number): Promise<{ mb: number; seconds: number }> {
  const events = Math.max(1000, Math.round(bytes / 536));
  const cache = path.join(os.tmpdir(), 'audit-replay-bench');
  const native = path.join(cache, `export-${events}.jsonl`);
  const key = deriveKey('bench');
  if (!existsSync(native)) {
    mkdirSync(cache, { recursive: true });
    const decide = createCedarDecider(path.resolve('resources/sample/policies/ap-policy-v7'));
    await writeExport(`${native}.tmp`, { events, seed: 'bench', key, policy: decide.policy, decide, checkpointEvery: 1000 });
    renameSync(`${native}.tmp`, native);
  }
  const t = performance.now();
  const { chain } = await verifyAuditExport({ path: native, trust: { keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] }, hmacKey: null });
  const seconds = (performance.now() - t) / 1000;
  if (chain.verdict !== 'intact') throw new Error(`the native baseline export did not verify: ${chain.verdict}`);
  return { mb: statSync(native).size / 1048576, seconds };
}

const MB = Number(process.env.AGT_BENCH_MB ?? 200);
const TOOLS = ['erp.refund', 'crm.lookup', 'mail.send', 'kb.search'];
const AGENTS = ['did:web:refunds.example.com:agent-7', 'did:web:ops.example.com:triage-2'];
const TYPES = ['policy_evaluation', 'tool_invocation', 'tool_blocked', 'trust_handshake'];

const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex');

/** Writes a log exactly as StdoutAuditSink would: keys sorted, ", "/": " separators, timestamps with Z. */
async function writeLog(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  let written = 0;
  let prev = '';
  let i = 0;
  const t0 = Date.UTC(2026, 10, 19, 9, 0, 0);
  while (written < bytes) {
    const tool = TOOLS[i % TOOLS.length];
    const agent = AGENTS[i % AGENTS.length];
    const type = TYPES[i % TYPES.length];
    const micros = (i * 1250007) % 1_000_000;
    const secs = new Date(t0 + Math.floor(i * 1.25) * 1000).toISOString().slice(0, 19);
    const frac = micros ? '.' + String(micros).padStart(6, '0') : '';
    const amount = i % 3 === 0 ? `${(i % 5000) + 0.5}` : `${i % 20000}`;
    const data = `{"args": {"amount": ${amount}, "currency": "EUR", "note": "caf\\u00e9 r\\u00e9sum\\u00e9"}, "request_id": "req-${i}", "tool": "${tool}"}`;
    const rawData = `{"args": {"amount": ${amount}, "currency": "EUR", "note": "café résumé"}, "request_id": "req-${i}", "tool": "${tool}"}`;
    const id = `audit_${i.toString(16).padStart(16, '0')}`;
    const outcome = type === 'tool_blocked' ? 'denied' : 'success';
    const resource = `invoice/${1000 + (i % 9000)}`;
    const canonical = `{"action": "${tool}", "agent_did": "${agent}", "data": ${data}, "entry_id": "${id}", "event_type": "${type}", "outcome": "${outcome}", "previous_hash": "${prev}", "resource": "${resource}", "timestamp": "${secs}${frac}+00:00"}`;
    const hash = sha(canonical);
    const line = `{"action": "${tool}", "agent_did": "${agent}", "data": ${rawData}, "entry_hash": "${hash}", "entry_id": "${id}", "environment": "prod", "event_type": "${type}", "outcome": "${outcome}", "policy_decision": "${outcome === 'denied' ? 'deny' : 'allow'}", "policy_version": "refunds@8", "previous_hash": "${prev}", "resource": "${resource}", "sandbox_id": "sbx-1", "timestamp": "${secs}${frac}Z", "trace_id": "trace-${i >> 4}"}\n`;
    prev = hash;
    written += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
    i++;
  }
  out.end();
  await once(out, 'finish');
  return i;
}

const given = process.env.AGT_BENCH_FILE;
const dir = given ? null : mkdtempSync(path.join(os.tmpdir(), 'agt-bench-'));
const file = given ?? path.join(dir!, 'agt-mesh.jsonl');
try {
  if (!given || !existsSync(file)) {
    const t = performance.now();
    const n = await writeLog(file, MB * 1024 * 1024);
    console.log(`wrote ${n} entries, ${(statSync(file).size / 1048576).toFixed(1)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const start = performance.now();
  const r = await agtMeshJsonlReader.verify({ path: file, trust: null, hmacKey: null });
  const secs = (performance.now() - start) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const size = statSync(file).size / 1048576;
  console.log(
    JSON.stringify({
      reader: r.format,
      verdict: r.verdict,
      findings: r.findings.length,
      entries: r.events,
      mb: +size.toFixed(1),
      seconds: +secs.toFixed(2),
      mbPerSecond: +(size / secs).toFixed(1),
      peakRssMb: +(peak / 1048576).toFixed(0),
    }),
  );
  if (r.verdict !== 'unanchored' || r.findings.length !== 0) {
    console.error('the synthetic log did not verify cleanly:', r.firstFailure?.message);
    process.exitCode = 1;
  }
  // The baseline, measured in the same run: our own format's verifier on an export of about the same size.
  const native = await nativeBaseline(statSync(file).size);
  const nativePerMb = native.seconds / native.mb;
  console.log(JSON.stringify({ reader: 'audit-export/1 (baseline)', mb: +native.mb.toFixed(1), seconds: +native.seconds.toFixed(2), mbPerSecond: +(native.mb / native.seconds).toFixed(1) }));
  console.log(`AGT stdout log: ${(secs / size / nativePerMb).toFixed(2)}× the time per MB of our own format (target ≤ 3)`);
} finally {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
