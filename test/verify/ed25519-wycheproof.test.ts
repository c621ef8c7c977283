// Every Ed25519 check in Audit Replay is strict RFC 8032: the shared
// verifyEd25519 and the node:crypto one Node injects must give the same answer
// on every Wycheproof vector, and on the inputs where OpenSSL alone would not.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import path from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519PublicKey, isStrictEd25519PublicKey, signEd25519, verifyEd25519 } from '../../src/shared/crypto';
import { nodeVerifyEd25519 } from '../../src/main/node/formats/node-ed25519';
import { fromHex, toHex, utf8 } from '../../src/shared/hex';
import { CURVE_ORDER, FIELD_PRIME, malleableSignature, ORDER_8_POINT, scalarToLE, torsionSignature } from '../support/ed25519-forge';

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[];
}

const FILE = path.resolve(__dirname, '../vectors/wycheproof/ed25519_test.json');
const wycheproof = JSON.parse(readFileSync(FILE, 'utf8')) as WycheproofFile;
const vectors = wycheproof.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));

// "acceptable" would mean a signature some strict verifiers take and others
// refuse; a verdict must not depend on which, so those count as invalid. This
// file has none today; the count below fails loudly if a new copy brings some.
const expected = (t: WycheproofTest) => t.result === 'valid';

const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
/** OpenSSL alone, as the Node path used it before this rule: pinned, because the fast path's "yes" relies on it. */
function opensslOnly(sigHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    return opensslVerify(null, message, createPublicKey({ key: Buffer.concat([SPKI, fromHex(publicKeyHex)]), format: 'der', type: 'spki' }), fromHex(sigHex));
  } catch {
    return false;
  }
}

const zip215 = (sigHex: string, message: Uint8Array, publicKeyHex: string) => ed25519.verify(fromHex(sigHex), message, fromHex(publicKeyHex));

describe('Ed25519: Wycheproof vectors (C2SP/wycheproof testvectors_v1/ed25519_test.json)', () => {
  it('reads every vector in the file', () => {
    expect(vectors).toHaveLength(wycheproof.numberOfTests);
    expect(vectors.filter((t) => t.result === 'acceptable')).toEqual([]);
  });

  it('the shared verifyEd25519 gives result === "valid" on every vector', () => {
    const wrong = vectors.filter((t) => verifyEd25519(t.sig, fromHex(t.msg), t.pk) !== expected(t)).map((t) => `tcId ${t.tcId} (${t.result}, ${t.flags.join(' ')})`);
    expect(wrong).toEqual([]);
  });

  it('the Node-injected nodeVerifyEd25519 gives the same answer on every vector', () => {
    const wrong = vectors.filter((t) => nodeVerifyEd25519(t.sig, fromHex(t.msg), t.pk) !== verifyEd25519(t.sig, fromHex(t.msg), t.pk)).map((t) => `tcId ${t.tcId}`);
    expect(wrong).toEqual([]);
  });

  it('OpenSSL on its own agrees with the strict rule on every vector (what the fast path leans on)', () => {
    const wrong = vectors.filter((t) => opensslOnly(t.sig, fromHex(t.msg), t.pk) !== expected(t)).map((t) => `tcId ${t.tcId}`);
    expect(wrong).toEqual([]);
  });

  it('tcId 151 (R = y 1 with the sign bit of x set) is refused by both, though ZIP-215 accepts it', () => {
    const t = vectors.find((v) => v.tcId === 151)!;
    expect(t.result).toBe('invalid');
    expect(zip215(t.sig, fromHex(t.msg), t.pk)).toBe(true);
    expect(verifyEd25519(t.sig, fromHex(t.msg), t.pk)).toBe(false);
    expect(nodeVerifyEd25519(t.sig, fromHex(t.msg), t.pk)).toBe(false);
  });
});

describe('Ed25519: strict rule beyond the vectors', () => {
  const secret = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const publicKey = ed25519PublicKey(secret);
  const message = utf8('checkpoint 42');

  it('an honest signature verifies on both paths', () => {
    const sig = signEd25519(message, secret);
    expect(verifyEd25519(sig, message, publicKey)).toBe(true);
    expect(nodeVerifyEd25519(sig, message, publicKey)).toBe(true);
  });

  it('a tcId-151-style signature made for any message is refused by both (ZIP-215 takes it)', () => {
    const sig = malleableSignature(message, secret);
    expect(zip215(sig, message, publicKey)).toBe(true);
    expect(verifyEd25519(sig, message, publicKey)).toBe(false);
    expect(nodeVerifyEd25519(sig, message, publicKey)).toBe(false);
  });

  it('S + L (non-canonical S) and hex with trailing characters are refused by both', () => {
    const sig = signEd25519(message, secret);
    const s = BigInt('0x' + toHex(fromHex(sig.slice(64)).reverse()));
    const sPlusL = sig.slice(0, 64) + toHex(scalarToLE(s + CURVE_ORDER));
    for (const bad of [sPlusL, sig + 'zz', sig + '0', sig.slice(0, 126)]) {
      expect(verifyEd25519(bad, message, publicKey), bad).toBe(false);
      expect(nodeVerifyEd25519(bad, message, publicKey), bad).toBe(false);
    }
  });

  // Where OpenSSL alone and the strict rule part: the Node path must still
  // answer as the shared one does.
  const identity = '01' + '00'.repeat(31);
  const identityNonCanonical = toHex(scalarToLE(FIELD_PRIME + 1n)); // y = p + 1, i.e. y = 1
  const rIdentityS0 = identity + '00'.repeat(32);
  const cases: { name: string; sigHex: string; publicKeyHex: string; msg: Uint8Array; strict: boolean }[] = [
    { name: 'small-order key (identity), R = identity, S = 0: OpenSSL accepts for any message', sigHex: rIdentityS0, publicKeyHex: identity, msg: message, strict: false },
    { name: 'non-canonical encoding of the identity key: OpenSSL accepts', sigHex: rIdentityS0, publicKeyHex: identityNonCanonical, msg: message, strict: false },
    { name: 'small-order key of order 8', sigHex: rIdentityS0, publicKeyHex: toHex(ORDER_8_POINT.toBytes()), msg: message, strict: false },
  ];
  for (let i = 0; i < 4; i++) {
    const msg = utf8(`mixed ${i}`);
    cases.push({
      name: `key with a small-order component, message ${i}: cofactored accepts, OpenSSL (cofactorless) mostly not`,
      msg,
      strict: true,
      ...torsionSignature(msg, 123456789n, 987654321n + BigInt(i), { aTorsion: true }),
    });
  }
  cases.push({ name: 'R with a small-order component: cofactored accepts, OpenSSL refuses', msg: message, strict: true, ...torsionSignature(message, 123456789n, 987654321n, { rTorsion: true }) });

  for (const c of cases) {
    it(c.name, () => {
      expect(verifyEd25519(c.sigHex, c.msg, c.publicKeyHex)).toBe(c.strict);
      expect(nodeVerifyEd25519(c.sigHex, c.msg, c.publicKeyHex)).toBe(c.strict);
    });
  }

  it('those cases really are ones where OpenSSL alone disagrees (else the tests above prove nothing)', () => {
    const disagree = cases.filter((c) => opensslOnly(c.sigHex, c.msg, c.publicKeyHex) !== c.strict);
    expect(disagree.length).toBeGreaterThanOrEqual(4);
    expect(opensslOnly(rIdentityS0, message, identity)).toBe(true);
  });

  it('isStrictEd25519PublicKey: canonical, on the curve, not of small order', () => {
    expect(isStrictEd25519PublicKey(publicKey)).toBe(true);
    expect(isStrictEd25519PublicKey(identity)).toBe(false);
    expect(isStrictEd25519PublicKey(identityNonCanonical)).toBe(false);
    expect(isStrictEd25519PublicKey(publicKey.slice(2))).toBe(false);
    expect(isStrictEd25519PublicKey(publicKey + '00')).toBe(false);
    expect(isStrictEd25519PublicKey('zz' + publicKey.slice(2))).toBe(false);
  });
});
