/** Pure-JS primitives for the shared layer; Node code may inject faster ones. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex, utf8 } from './hex';

/** A SHA-256 function: this portable one, or Node's faster `nodeSha256` (main/node/read/hashes.ts). */
export type Sha256 = (data: Uint8Array) => Uint8Array;

export const sha256: Sha256 = (data) => nobleSha256(data);

export function sha256HexOfText(text: string): string {
  return toHex(nobleSha256(utf8(text)));
}

/** The one shape of an Ed25519 check, so a faster one can be injected where it must give the same answer. */
export type Ed25519Verify = (sigHex: string, message: Uint8Array, publicKeyHex: string) => boolean;

/**
 * Ed25519 under strict RFC 8032 (noble's zip215: false), the rule for every
 * signature Audit Replay checks: R and A must be canonical encodings (y < p,
 * no x = 0 with the sign bit set), S < L, and A must not be of small order; the
 * cofactored equation [8][S]B = [8]R + [8][k]A decides. ZIP-215 (noble's
 * default) accepts other encodings of the same R, so one signer would have
 * several valid signatures and other verifiers would disagree with ours.
 */
export const verifyEd25519: Ed25519Verify = (sigHex, message, publicKeyHex) => {
  try {
    return ed25519.verify(fromHex(sigHex), message, fromHex(publicKeyHex), { zip215: false });
  } catch {
    return false;
  }
};

/** The public-key half of verifyEd25519's rule: 32 bytes, a canonical encoding of a curve point, not of small order. */
export function isStrictEd25519PublicKey(publicKeyHex: string): boolean {
  try {
    const bytes = fromHex(publicKeyHex);
    return bytes.length === 32 && !ed25519.Point.fromBytes(bytes, false).isSmallOrder();
  } catch {
    return false;
  }
}

export function signEd25519(message: Uint8Array, secretKeyHex: string): string {
  return toHex(ed25519.sign(message, fromHex(secretKeyHex)));
}

export function ed25519PublicKey(secretKeyHex: string): string {
  return toHex(ed25519.getPublicKey(fromHex(secretKeyHex)));
}
