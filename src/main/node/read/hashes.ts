/**
 * SHA-256 on Node's own crypto: the fast twins of shared/crypto.ts's portable
 * `sha256` and `sha256HexOfText` (same function types, so either plugs into
 * the Merkle tree, the chain verifier and the format readers). Streamed file
 * digests are in file-digest.ts.
 */
import { createHmac, hash } from 'node:crypto';
import type { Sha256, Sha256Hex } from '../../../shared/crypto';

// crypto.hash (Node 20.12+): one call, no Hash object; about twice as fast for a line.
export const nodeSha256: Sha256 = (data) => hash('sha256', data, 'buffer');

/** SHA-256 in hex of text (as UTF-8) or bytes. */
export const nodeSha256Hex: Sha256Hex & ((data: string | Uint8Array) => string) = (data) => hash('sha256', data, 'hex');

export function hmacSha256Hex(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}
