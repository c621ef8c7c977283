/** The generator signs checkpoints on node:crypto: the signatures must be the shared signer's, byte for byte. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { signEd25519, verifyEd25519, ed25519PublicKey } from '../../src/shared/crypto';
import { toHex } from '../../src/shared/hex';
import { nodeEd25519Signer } from '../../src/main/node/formats/node-ed25519';

it('signs as the shared Ed25519 signer does, for any seed and message', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 600 }), (seed, message) => {
      const secret = toHex(seed);
      const sig = nodeEd25519Signer(secret)(message);
      expect(sig).toBe(signEd25519(message, secret));
      expect(verifyEd25519(sig, message, ed25519PublicKey(secret))).toBe(true);
    }),
    { numRuns: 200 },
  );
});
