import { verifyAuditExport } from '../src/main/node/verify/audit-export-reader';
import { deriveKey } from '../src/main/node/generate/generate-export';
const key = deriveKey('bench');
const trust = { keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] };
const file = process.env.F ?? '/tmp/audit-replay-bench/export-1000000.jsonl';
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const r = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 2 });
  console.log(r.chain.verdict, ((performance.now() - t) / 1000).toFixed(2), 's');
}
