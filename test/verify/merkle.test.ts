import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/shared/hex';
import { sha256 } from '../../src/shared/crypto';
import { IncrementalMerkleTree, MerkleLevels, consistencyProof, inclusionProof, inclusionProofFrom, leafHash, subtreeRoot, verifyConsistency, verifyInclusion } from '../../src/shared/verify/merkle';

// The RFC 6962 reference vectors (certificate-transparency / transparency-dev).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(fromHex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const leafHashes = LEAVES.map((l) => leafHash(sha256, l));
const source = (i: number) => leafHashes[i];

describe('RFC 6962 Merkle tree', () => {
  it('roots for sizes 0..8 match the reference vectors, incrementally and recursively', () => {
    const tree = new IncrementalMerkleTree(sha256);
    expect(toHex(tree.root())).toBe(ROOTS[0]);
    for (let n = 1; n <= 8; n++) {
      tree.append(LEAVES[n - 1]);
      expect(toHex(tree.root()), `size ${n}`).toBe(ROOTS[n]);
      expect(toHex(subtreeRoot(sha256, source, 0, n))).toBe(ROOTS[n]);
      expect(toHex(new MerkleLevels(sha256, leafHashes.slice(0, n)).root(0, n))).toBe(ROOTS[n]);
    }
  });

  it('inclusion proofs match the reference vectors', () => {
    const cases: [number, number, string[]][] = [
      [0, 1, []],
      [
        0,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        5,
        8,
        [
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
      [
        1,
        5,
        [
          '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [index, size, expected] of cases) {
      const proof = inclusionProof(sha256, source, index, size);
      expect(proof.map(toHex), `${index}/${size}`).toEqual(expected);
      expect(inclusionProofFrom(new MerkleLevels(sha256, leafHashes.slice(0, size)), index, size).map(toHex)).toEqual(expected);
      const { ok, steps } = verifyInclusion(sha256, leafHashes[index], index, size, proof, fromHex(ROOTS[size]));
      expect(ok).toBe(true);
      expect(steps).toHaveLength(expected.length);
    }
  });

  it('consistency proofs match the reference vectors and verify', () => {
    const cases: [number, number, string[]][] = [
      [1, 1, []],
      [
        1,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        6,
        8,
        [
          '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
    ];
    for (const [m, n, expected] of cases) {
      const proof = consistencyProof(sha256, source, m, n);
      expect(proof.map(toHex), `${m}->${n}`).toEqual(expected);
      expect(verifyConsistency(sha256, m, n, fromHex(ROOTS[m]), fromHex(ROOTS[n]), proof)).toBe(true);
    }
  });

  it('proofs verify for every leaf and size, and fail for a wrong leaf or root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (n, a, b) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(sha256, new Uint8Array([i, i >> 8])));
        const src = (i: number) => leaves[i];
        const root = subtreeRoot(sha256, src, 0, n);
        const index = a % n;
        const proof = inclusionProof(sha256, src, index, n);
        expect(verifyInclusion(sha256, leaves[index], index, n, proof, root).ok).toBe(true);
        const wrong = leafHash(sha256, new Uint8Array([255, 255, 255]));
        expect(verifyInclusion(sha256, wrong, index, n, proof, root).ok).toBe(false);
        const m = (b % n) + 1;
        const old = subtreeRoot(sha256, src, 0, m);
        const cproof = consistencyProof(sha256, src, m, n);
        expect(verifyConsistency(sha256, m, n, old, root, cproof)).toBe(true);
        if (m < n) expect(verifyConsistency(sha256, m, n, wrong, root, cproof)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
