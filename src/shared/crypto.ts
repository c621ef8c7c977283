/** Pure-JS primitives for the shared layer; Node code may inject faster ones. */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex, utf8 } from './hex';
import type { Sha256 } from './verify/merkle';

export const sha256: Sha256 = (data) => nobleSha256(data);

export function sha256HexOfText(text: string): string {
  return toHex(nobleSha256(utf8(text)));
}

export function verifyEd25519(sigHex: string, message: Uint8Array, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(fromHex(sigHex), message, fromHex(publicKeyHex));
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
