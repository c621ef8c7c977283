import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEntryProof, PROOF_FORMAT, readEntryProof, type EntryProofFile } from '../../src/shared/verify/entry-proof';
import { nodeSha256, nodeSha256Hex } from '../../src/main/node/read/hashes';
import { nodeVerifyEd25519 } from '../../src/main/node/formats/node-ed25519';
import { sha256, sha256HexOfText } from '../../src/shared/crypto';
import type { TrustStore } from '../../src/shared/export/types';
import { openSampleCases, SAMPLE, TRUST, type SampleCases } from './proof-fixture';

let cases: SampleCases;
const trust = JSON.parse(readFileSync(TRUST, 'utf8')) as TrustStore;
const lines = readFileSync(SAMPLE, 'utf8').split('\n');
const check = (proof: EntryProofFile, store: TrustStore | null = trust) => checkEntryProof(proof, { sha256: nodeSha256, sha256Hex: nodeSha256Hex, trust: store, verifySignature: nodeVerifyEd25519 });

beforeAll(async () => {
  cases = await openSampleCases();
});
afterAll(async () => {
  await cases?.close();
});

async function proofOf(index: number): Promise<{ proof: EntryProofFile; text: string }> {
  const made = (await cases.service.exportEntryProof(cases.sample, index))!;
  return { proof: readEntryProof(JSON.parse(made.text)), text: made.text };
}

describe('audit-replay-proof/1 from the desk', () => {
  it('holds the entry and checkpoint lines exactly as the export has them, the audit path and the named key, in kilobytes', async () => {
    const { proof, text } = await proofOf(1300);
    expect(proof.format).toBe(PROOF_FORMAT);
    expect(proof.entry.seq).toBe(1300);
    expect(proof.entry.text).toBe(lines[proof.entry.line - 1]);
    expect(proof.checkpoint.text).toBe(lines[proof.checkpoint.line - 1]);
    const cp = JSON.parse(proof.checkpoint.text) as { tree_size: number; seq_hi: number };
    expect(cp.seq_hi).toBeGreaterThanOrEqual(1300);
    expect(proof.inclusion.tree_size).toBe(cp.tree_size);
    expect(proof.inclusion.path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(cp.tree_size)));
    expect(proof.inclusion.path.length).toBeGreaterThan(0);
    const header = JSON.parse(lines[0]) as { keys: { public_key: string }[] };
    expect(proof.key?.public_key).toBe(header.keys[0].public_key);
    expect(proof.export.sha256).toBe(nodeSha256Hex(readFileSync(SAMPLE)));
    expect(proof.export.file_name).toBe('export.jsonl');
    expect(Buffer.byteLength(text)).toBeLessThan(16 * 1024);
  });

  it('reads intact with the trust store, by the pure and the Node primitives alike', async () => {
    for (const index of [0, 1, 249, 250, 1299, 2499]) {
      const { proof } = await proofOf(index);
      const node = check(proof);
      expect(node.verdict, `${index}: ${node.problems.join('; ')}`).toBe('intact');
      expect(node.signer.status).toBe('trusted');
      expect(node.checks).toMatchObject({ content: true, agrees: true, inclusion: true, position: true, signature: 'valid' });
      const pure = checkEntryProof(proof, { sha256, sha256Hex: sha256HexOfText, trust });
      expect(pure.verdict).toBe('intact');
      expect(pure.checks.steps).toEqual(node.checks.steps);
    }
  });

  it('is unanchored without a trust store, untrusted under a substituted key, revoked after a revocation: never tampered', async () => {
    const { proof } = await proofOf(42);
    const none = check(proof, null);
    expect([none.verdict, none.integrity.status, none.signer.status]).toEqual(['unanchored', 'intact', 'none']);
    const other = { keys: [{ ...trust.keys[0], public_key: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a' }] };
    const sub = check(proof, other);
    expect([sub.verdict, sub.integrity.status, sub.signer.status]).toEqual(['unanchored', 'intact', 'untrusted']);
    expect(sub.signer.sentence).toMatch(/substituted/);
    const elsewhere = check(proof, { keys: [{ ...other.keys[0], key_id: 'someone-else' }] });
    expect([elsewhere.verdict, elsewhere.signer.status]).toEqual(['unanchored', 'untrusted']);
    const revoked = check(proof, { keys: [{ ...trust.keys[0], revoked_at: '2000-01-01T00:00:00.000Z' }] });
    expect([revoked.verdict, revoked.integrity.status, revoked.signer.status]).toEqual(['unanchored', 'intact', 'revoked']);
    const later = check(proof, { keys: [{ ...trust.keys[0], revoked_at: '2100-01-01T00:00:00.000Z' }] });
    expect(later.verdict).toBe('intact');
  });

  it('writes the file where it is asked, and never over the export or the trust store', async () => {
    const out = path.join(cases.dir, 'p.json');
    const saved = (await cases.service.exportEntryProof(cases.sample, 7, out))!;
    expect(saved.path).toBe(out);
    expect(readFileSync(out, 'utf8')).toBe(saved.text);
    expect(saved.sha256).toBe(nodeSha256Hex(saved.text));
    expect(saved.command).toBe('audit-replay verify-proof p.json --trust trust.json');
    writeFileSync(path.join(cases.dir, 'x'), '');
    await expect(cases.service.exportEntryProof(cases.sample, 7, SAMPLE)).rejects.toThrow(/is the export this case examines; choose another file/);
    await expect(cases.service.exportEntryProof(cases.sample, 7, TRUST)).rejects.toThrow(/is the trust store of this case/);
  });

  it('is refused, in a sentence, for an event no holding checkpoint covers', async () => {
    // In the tampered sample, events from seq 1250 on are covered only by checkpoints that do not match them.
    await expect(cases.service.exportEntryProof(cases.tampered, 1300)).rejects.toThrow(
      /^Event seq 1300 is not covered by any checkpoint whose signature holds, so a proof of it would prove nothing\.$/,
    );
    const before = (await cases.service.exportEntryProof(cases.tampered, 100))!;
    expect(check(readEntryProof(JSON.parse(before.text))).verdict).toBe('intact');
  });
});

describe('readEntryProof', () => {
  it('names the member that is wrong', async () => {
    const { proof } = await proofOf(3);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test writes members of the wrong type on purpose
    type Loose = Record<string, any>;
    const bad = (edit: (p: Loose) => void) => {
      const copy = JSON.parse(JSON.stringify(proof)) as Loose;
      edit(copy);
      return () => readEntryProof(copy);
    };
    expect(bad((p) => (p.format = 'audit-replay-proof/2'))).toThrow(/"format" is "audit-replay-proof\/2", not "audit-replay-proof\/1"/);
    expect(bad((p) => delete p.inclusion)).toThrow(/no "inclusion" object/);
    expect(bad((p) => (p.inclusion.path[1] = 'zz'))).toThrow(/"inclusion.path\[1\]" is not 64 lowercase hex digits/);
    expect(bad((p) => (p.entry.seq = -1))).toThrow(/"entry.seq" is not a whole number/);
    expect(bad((p) => (p.entry.text = 5))).toThrow(/"entry.text" is not a string/);
    expect(() => readEntryProof([])).toThrow(/not a JSON object/);
  });
});
