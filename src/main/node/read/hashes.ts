/**
 * SHA-256 on Node's own crypto, the fast twin of shared/crypto.ts's portable
 * `sha256` (same function type, so either plugs into the Merkle tree and the
 * chain verifier).
 */
import { hash } from 'node:crypto';
import type { Sha256 } from '../../../shared/crypto';

// crypto.hash (Node 20.12+): one call, no Hash object; about twice as fast for a line.
export const nodeSha256: Sha256 = (data) => hash('sha256', data, 'buffer');
