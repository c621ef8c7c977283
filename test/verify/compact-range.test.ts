/** Compact ranges computed apart merge (appendSubtree) to the tree of all the leaves. */
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { compactRange, IncrementalMerkleTree, leafHash } from '../../src/shared/verify/merkle';
import { nodeSha256 } from '../../src/main/node/read/hashes';
import { toHex } from '../../src/shared/hex';

const leaves = (n: number) => {
  const out = new Uint8Array(32 * n);
  for (let i = 0; i < n; i++) out.set(leafHash(nodeSha256, nodeSha256(new TextEncoder().encode(`event ${i}`))), 32 * i);
  return out;
};

it('any cut of the leaves into ranges, merged in order, gives the root at every cut', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 8 }), (sizes) => {
      const all = leaves(sizes.reduce((a, b) => a + b, 0));
      const whole = new IncrementalMerkleTree(nodeSha256);
      const merged = new IncrementalMerkleTree(nodeSha256);
      let at = 0;
      for (const n of sizes) {
        const part = all.subarray(32 * at, 32 * (at + n));
        const range = compactRange(nodeSha256, at, part);
        expect(range.reduce((a, r) => a + r.size, 0)).toBe(n);
        expect(range.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n + 1)) + 1);
        for (const r of range) merged.appendSubtree(r.size, r.hash);
        whole.appendLeafHashes(part);
        at += n;
        expect(merged.size).toBe(whole.size);
        expect(toHex(merged.root())).toBe(toHex(whole.root()));
      }
    }),
    { numRuns: 200 },
  );
});

it('a range computed for another starting leaf is refused, not merged wrong', () => {
  const tree = new IncrementalMerkleTree(nodeSha256);
  tree.appendLeafHashes(leaves(3));
  const range = compactRange(nodeSha256, 4, leaves(4));
  expect(range.map((r) => r.size)).toEqual([4]);
  expect(() => tree.appendSubtree(range[0].size, range[0].hash)).toThrow(/cannot start at leaf 3/);
  expect(() => tree.appendSubtree(3, range[0].hash)).toThrow(/not a power of two/);
});
