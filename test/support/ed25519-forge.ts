/**
 * Ed25519 signatures that only a lax verifier accepts, made with keys the
 * tests hold: the attacks on signature checking. Built from the curve
 * arithmetic, so any message can carry one.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { fromHex, toHex } from '../../src/shared/hex';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

export function scalarFromLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

export function scalarToLE(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 255n);
  return out;
}

/** k = SHA-512(R || A || M) mod L, RFC 8032's challenge. */
export function challenge(r: Uint8Array, a: Uint8Array, message: Uint8Array): bigint {
  const buf = new Uint8Array(64 + message.length);
  buf.set(r, 0);
  buf.set(a, 32);
  buf.set(message, 64);
  return scalarFromLE(sha512(buf)) % L;
}

/** R as in Wycheproof tcId 151: y = 1 with the sign bit of x set. Only x = 0 has y = 1, so RFC 8032 refuses to decode it; ZIP-215 reads the identity. */
export const NONCANONICAL_IDENTITY_R = '01' + '00'.repeat(30) + '80';

/**
 * A tcId-151-style signature of `message` by `secretKeyHex`: R is the
 * non-canonical identity and S = k·a, so [S]B = R + [k]A holds for a verifier
 * that reads R as the identity. A second valid-looking signature for a message
 * the key holder signed (or never signed): malleability.
 */
export function malleableSignature(message: Uint8Array, secretKeyHex: string): string {
  const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(fromHex(secretKeyHex));
  const r = fromHex(NONCANONICAL_IDENTITY_R);
  const s = (challenge(r, pointBytes, message) * scalar) % L;
  return toHex(r) + toHex(scalarToLE(s));
}

/** A point of order 8 (its multiples are the whole small-order torsion subgroup). */
export const ORDER_8_POINT = Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

/**
 * A signature by scalar `a` and nonce `r` where `aTorsion` / `rTorsion` add
 * the order-8 point to A / R. The cofactored equation (RFC 8032's, and the
 * shared rule's) accepts it; the cofactorless one accepts only when the
 * torsion term happens to vanish.
 */
export function torsionSignature(message: Uint8Array, a: bigint, r: bigint, opts: { aTorsion?: boolean; rTorsion?: boolean }): { sigHex: string; publicKeyHex: string } {
  let A = Point.BASE.multiply(a);
  let R = Point.BASE.multiply(r);
  if (opts.aTorsion) A = A.add(ORDER_8_POINT);
  if (opts.rTorsion) R = R.add(ORDER_8_POINT);
  const aBytes = A.toBytes();
  const rBytes = R.toBytes();
  const s = (r + challenge(rBytes, aBytes, message) * a) % L;
  return { sigHex: toHex(rBytes) + toHex(scalarToLE(s)), publicKeyHex: toHex(aBytes) };
}

export const CURVE_ORDER = L;
export const FIELD_PRIME = Point.Fp.ORDER;
