/**
 * The shared strict Ed25519 check (src/shared/crypto.ts), answered by
 * node:crypto (OpenSSL) where it can be: about 30 times faster than pure JS,
 * for thousands of checkpoints and receipts.
 *
 * OpenSSL agrees with the shared rule on every Wycheproof vector but not
 * everywhere: it accepts small-order and non-canonical public keys (the
 * identity key "verifies" R = identity, S = 0 for any message), and it checks
 * the cofactorless equation, so it refuses signatures whose R or A carries a
 * small-order component that the cofactored equation accepts. Hence: a key
 * the shared rule refuses is refused (checked once per key), an OpenSSL "yes"
 * on any other key is final (cofactorless implies cofactored, and OpenSSL
 * compares R byte for byte, so R is canonical), and an OpenSSL "no" is asked
 * again of the shared rule, which costs time only for signatures that fail.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { isStrictEd25519PublicKey, verifyEd25519, type Ed25519Verify } from '../../../shared/crypto';
import { fromHex } from '../../../shared/hex';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Public key (hex as given) to its OpenSSL key, or null when the shared rule refuses the key. */
const publicKeys = new Map<string, KeyObject | null>();

function opensslKey(publicKeyHex: string): KeyObject | null {
  let key = publicKeys.get(publicKeyHex);
  if (key === undefined) {
    key = null;
    if (isStrictEd25519PublicKey(publicKeyHex)) {
      try {
        key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, fromHex(publicKeyHex)]), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
    }
    publicKeys.set(publicKeyHex, key);
  }
  return key;
}

export const nodeVerifyEd25519: Ed25519Verify = (sigHex, message, publicKeyHex) => {
  const key = opensslKey(publicKeyHex);
  if (!key) return false;
  try {
    // fromHex, not Buffer.from(hex), which stops quietly at the first non-hex character.
    if (cryptoVerify(null, message, key, fromHex(sigHex))) return true;
  } catch {
    // A signature OpenSSL cannot read: the shared rule gives the answer.
  }
  return verifyEd25519(sigHex, message, publicKeyHex);
};

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A signer for one Ed25519 seed (64 hex) on node:crypto: the same signature
 * as the shared `signEd25519` (Ed25519 is deterministic, RFC 8032), about a
 * hundred times faster, for the generator's checkpoint every thousand events.
 */
export function nodeEd25519Signer(secretKeyHex: string): (message: Uint8Array) => string {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, fromHex(secretKeyHex)]), format: 'der', type: 'pkcs8' });
  return (message) => cryptoSign(null, message, key).toString('hex');
}
