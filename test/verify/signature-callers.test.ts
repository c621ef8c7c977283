// Every caller that checks an Ed25519 signature gets the strict rule: the
// chain verifier (its pure default and the node:crypto path Node injects) and
// the AGT receipts reader refuse a tcId-151-style signature made with the very
// key they trust, and accept the honest one. (The report's signature is in
// test/report/signature.test.ts.)
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../../src/shared/json/canonical';
import { ChainVerifier } from '../../src/shared/verify/chain-verifier';
import { summarizeLine } from '../../src/shared/export/parse-line';
import { ed25519PublicKey, sha256, signEd25519 } from '../../src/shared/crypto';
import { utf8 } from '../../src/shared/hex';
import { parseLexJson, type LexObject } from '../../src/shared/json/lexeme-json';
import { receiptPayload } from '../../src/shared/formats/agt/hashing';
import { verifyAuditExport } from '../../src/main/node/formats/audit-export-reader';
import { readerById } from '../../src/main/node/formats/registry';
import { buildLines, sha256Hex, specs, TEST_KEY, tmpDir, toText, trustFor, writeExportFile, type Line } from '../support/export-builder';
import { malleableSignature } from '../support/ed25519-forge';

const dir = tmpDir();

/** The export with its final checkpoint's signature replaced by `sign` over the same bytes. */
function exportWithFinalSig(sign: (message: Uint8Array) => string): Line[] {
  const lines = buildLines(specs(6), { every: 3 });
  const last = lines.length - 1;
  const { sig: _drop, ...body } = lines[last];
  lines[last] = { ...body, sig: sign(utf8(canonicalize(body))) };
  return lines;
}

const honest = (m: Uint8Array) => signEd25519(m, TEST_KEY.secret);
const malleable = (m: Uint8Array) => malleableSignature(m, TEST_KEY.secret);

function pureChain(lines: Line[]) {
  const v = new ChainVerifier({ sha256, trust: trustFor() });
  const hex = (t: string) => Buffer.from(sha256(utf8(t))).toString('hex');
  const text = toText(lines).split('\n').filter(Boolean);
  text.forEach((t, i) => v.add(summarizeLine(t, i + 1, hex)));
  return v.finish({ lastLineTerminated: true, lines: text.length });
}

describe('checkpoint signatures', () => {
  it('the ChainVerifier default (shared, pure JS) refuses the malleable signature', () => {
    expect(pureChain(exportWithFinalSig(honest)).verdict).toBe('intact');
    const r = pureChain(exportWithFinalSig(malleable));
    expect(r.checkpoints.at(-1)!.status).toBe('bad-signature');
    expect(r.findings.map((f) => f.kind)).toContain('bad-signature');
  });

  it('verifyAuditExport (node:crypto injected) refuses it too, with the same result as the pure path', async () => {
    for (const sign of [honest, malleable]) {
      const lines = exportWithFinalSig(sign);
      const file = writeExportFile(dir, `cp-${sign === honest ? 'honest' : 'malleable'}.jsonl`, lines);
      const { chain } = await verifyAuditExport({ path: file, trust: trustFor(), hmacKey: null, workers: 0, native: false });
      const pure = pureChain(lines);
      expect(chain.checkpoints.map((c) => c.status)).toEqual(pure.checkpoints.map((c) => c.status));
      expect(chain.verdict).toBe(pure.verdict);
      expect(chain.checkpoints.at(-1)!.status).toBe(sign === honest ? 'valid' : 'bad-signature');
    }
  });
});

describe('AGT receipts', () => {
  const publicKey = ed25519PublicKey(TEST_KEY.secret);
  function receiptsFile(name: string, sign: (m: Uint8Array) => string): string {
    const receipt: Record<string, unknown> = {
      receipt_id: 'r-1',
      tool_name: 'erp.refund',
      agent_did: 'did:web:example.com:agent-1',
      cedar_policy_id: 'refunds-v1',
      cedar_decision: 'allow',
      args_hash: sha256Hex('{}'),
      timestamp: 1795079800.5,
      session_id: 'sess-1',
      parent_receipt_hash: null,
    };
    const payload = receiptPayload(parseLexJson(JSON.stringify(receipt)) as LexObject);
    if (!payload.ok) throw new Error(payload.problem);
    const full = { ...receipt, payload_hash: sha256Hex(payload.text), signature: sign(utf8(payload.text)), signer_public_key: publicKey, error: null };
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify([full], null, 2));
    return file;
  }
  const trust = { keys: [{ key_id: TEST_KEY.keyId, alg: 'ed25519', public_key: publicKey }] };

  it('an honest receipt verifies; the malleable signature over the same payload is a bad-signature', async () => {
    const reader = readerById('agt-receipts')!;
    const ok = await reader.verify({ path: receiptsFile('honest.json', honest), trust, hmacKey: null });
    expect(ok.findings.filter((f) => f.severity === 'integrity')).toEqual([]);
    const bad = await reader.verify({ path: receiptsFile('malleable.json', malleable), trust, hmacKey: null });
    expect(bad.findings.map((f) => f.kind)).toContain('bad-signature');
    expect(ok.verdict).toBe('intact');
    expect(bad.verdict).toBe('tampered');
  });
});
