import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../../src/shared/json/canonical';
import { reportContentSha256, signedMessage, verifyReportSignature } from '../../src/shared/report/seal';
import { ed25519PublicKey, verifyEd25519 } from '../../src/shared/crypto';
import { cli, sampleInputs, type SampleInputs } from './fixtures';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex } from '../../src/shared/hex';
import { malleableSignature } from '../support/ed25519-forge';

let i: SampleInputs;
let signedFile: string;
let unsignedFile: string;
let key: { key_id: string; public_key: string; secret_key: string };
let keyTrust: string;

beforeAll(async () => {
  i = sampleInputs();
  const keyFile = path.join(i.dir, 'reviewer-key.json');
  keyTrust = path.join(i.dir, 'reviewer-trust.json');
  // The generator's key file layout: {key_id, alg, public_key, secret_key}.
  const g = await cli('generate', '--events', '10', '--seed', 'reviewer', '--out', path.join(i.dir, 'unused.jsonl'), '--key-out', keyFile, '--trust-out', keyTrust);
  expect(g.code, g.stderr).toBe(0);
  key = JSON.parse(readFileSync(keyFile, 'utf8'));
  signedFile = path.join(i.dir, 'signed.json');
  unsignedFile = path.join(i.dir, 'unsigned.json');
  const common = [i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath];
  expect((await cli('report', ...common, '--sign-key', keyFile, '--out', signedFile)).code).toBe(0);
  expect((await cli('report', ...common, '--out', unsignedFile)).code).toBe(0);
}, 90_000);

describe('signed reports', () => {
  it('signs canon(report without "signature") with Ed25519; signing leaves report_sha256 alone', () => {
    const signed = JSON.parse(readFileSync(signedFile, 'utf8'));
    const unsigned = JSON.parse(readFileSync(unsignedFile, 'utf8'));
    expect(signed.report_sha256).toBe(unsigned.report_sha256);
    expect(reportContentSha256(signed)).toBe(signed.report_sha256);
    expect(signed.signature).toMatchObject({ alg: 'ed25519', key_id: key.key_id, public_key: ed25519PublicKey(key.secret_key) });
    const { signature, ...rest } = signed;
    expect(new TextDecoder().decode(signedMessage(signed))).toBe(canonicalize(rest));
    expect(verifyEd25519(signature.sig, signedMessage(signed), key.public_key)).toBe(true);
  });

  it('verify-report accepts it with the public key or a trust store (exit 0)', async () => {
    const r1 = await cli('verify-report', signedFile, '--public-key', key.public_key);
    expect(r1.code, r1.stdout + r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/SIGNATURE VALID/);
    expect((await cli('verify-report', signedFile, '--trust', keyTrust)).code).toBe(0);
  }, 30_000);

  it('fails when the report is changed, the signature is swapped, another key is given, or it is unsigned (exit 1)', async () => {
    const signed = JSON.parse(readFileSync(signedFile, 'utf8'));
    const tampered = structuredClone(signed);
    tampered.verification.findings.push({ kind: 'hash-mismatch', seq: 1, line: 3, index: 1, message: 'planted', severity: 'integrity' });
    const t1 = path.join(i.dir, 't1.json');
    writeFileSync(t1, JSON.stringify(tampered));
    const r1 = await cli('verify-report', t1, '--public-key', key.public_key);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toMatch(/edited after it was made/);

    // Content changed and report_sha256 recomputed: the signature no longer verifies.
    tampered.report_sha256 = reportContentSha256(tampered);
    writeFileSync(t1, JSON.stringify(tampered));
    const r2 = await cli('verify-report', t1, '--public-key', key.public_key);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toMatch(/does not verify/);

    const other = '11'.repeat(32);
    expect((await cli('verify-report', signedFile, '--public-key', ed25519PublicKey(other))).code).toBe(1);
    // The sample's trust store holds other keys: the report's key_id is not among them.
    expect((await cli('verify-report', signedFile, '--trust', i.trustPath)).code).toBe(1);
    expect((await cli('verify-report', unsignedFile, '--public-key', key.public_key)).code).toBe(1);
    expect((await cli('verify-report', signedFile)).code).toBe(2);
  }, 60_000);

  it('refuses a key revoked in the trust store, and a signature whose bytes were flipped', () => {
    const signed = JSON.parse(readFileSync(signedFile, 'utf8'));
    expect(verifyReportSignature(signed, [{ key_id: key.key_id, public_key: key.public_key, revoked_at: '2026-01-01T00:00:00Z' }])).toMatchObject({ ok: false });
    const flipped = structuredClone(signed);
    flipped.signature.sig = (flipped.signature.sig[0] === '0' ? '1' : '0') + flipped.signature.sig.slice(1);
    expect(verifyReportSignature(flipped, [{ key_id: null, public_key: key.public_key }]).ok).toBe(false);
    expect(verifyReportSignature(signed, [{ key_id: null, public_key: key.public_key }]).ok).toBe(true);
  });

  it('verify-report says NOT VERIFIED for a tcId-151-style signature by the right key, which ZIP-215 would accept (exit 1)', async () => {
    const signed = JSON.parse(readFileSync(signedFile, 'utf8'));
    const forged = structuredClone(signed);
    forged.signature.sig = malleableSignature(signedMessage(signed), key.secret_key);
    // noble's default (ZIP-215) rules, which verify-report used before: SIGNATURE VALID.
    expect(ed25519.verify(fromHex(forged.signature.sig), signedMessage(forged), fromHex(key.public_key))).toBe(true);
    const file = path.join(i.dir, 'malleable.json');
    writeFileSync(file, JSON.stringify(forged));
    const r = await cli('verify-report', file, '--public-key', key.public_key);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/NOT VERIFIED/);
    expect(r.stdout).not.toMatch(/SIGNATURE VALID/);
    expect((await cli('verify-report', file, '--trust', keyTrust)).code).toBe(1);
  }, 30_000);

  it('check-report still reproduces a signed report (the signature is not part of the content)', async () => {
    const r = await cli('check-report', signedFile, i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath);
    expect(r.code, r.stdout).toBe(0);
  }, 30_000);
});
