// RFC 6962 proof checks against transparency-dev/merkle's probe files (its
// proof/verify_test.go: wantErr true means the proof must be refused), and
// hashes of the wrong length, which must never make a proof.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256 } from '../../src/shared/crypto';
import { IncrementalMerkleTree, MerkleLevels, consistencyProof, inclusionProof, leafHash, nodeHash, subtreeRoot, verifyConsistency, verifyInclusion } from '../../src/shared/verify/merkle';

const DIR = path.resolve(__dirname, '../vectors/transparency-dev');

function probes<T>(kind: string): { file: string; probe: T }[] {
  const root = path.join(DIR, kind);
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: `${kind}/${f}`, probe: JSON.parse(readFileSync(path.join(root, f), 'utf8')) as T }));
}

/** Go's JSON for []byte: base64, with null for nil. */
const bytes = (b64: string | null): Uint8Array => new Uint8Array(Buffer.from(b64 ?? '', 'base64'));

interface InclusionProbe {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyProbe {
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

describe('transparency-dev/merkle inclusion probes', () => {
  const all = probes<InclusionProbe>('inclusion');

  it('reads them all, valid and invalid', () => {
    expect(all.length).toBeGreaterThanOrEqual(90);
    expect(all.some((p) => !p.probe.wantErr)).toBe(true);
    expect(all.some((p) => p.probe.wantErr)).toBe(true);
  });

  it('every probe that should fail fails, and the valid ones pass', () => {
    const wrong = all
      .filter(({ probe: p }) => verifyInclusion(sha256, bytes(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(bytes), bytes(p.root)).ok === p.wantErr)
      .map(({ file, probe }) => `${file} (${probe.desc}): expected ${probe.wantErr ? 'refused' : 'accepted'}`);
    expect(wrong).toEqual([]);
  });
});

describe('transparency-dev/merkle consistency probes', () => {
  const all = probes<ConsistencyProbe>('consistency');
  // Where we are stricter than the Go library, on purpose: it compares equal
  // sizes' roots without looking at their length; we refuse any root that is
  // not a 32-byte hash.
  const STRICTER: Record<string, string> = {
    'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json': 'its two roots are the 12 bytes "don\'t care 2"',
  };
  const wantRefused = (file: string, p: ConsistencyProbe) => p.wantErr || file in STRICTER;

  it('every probe that should fail fails, and the valid ones pass', () => {
    expect(all.length).toBeGreaterThanOrEqual(90);
    const wrong = all
      .filter(({ file, probe: p }) => verifyConsistency(sha256, p.size1, p.size2, bytes(p.root1), bytes(p.root2), (p.proof ?? []).map(bytes)) === wantRefused(file, p))
      .map(({ file, probe }) => `${file} (${probe.desc}): expected ${wantRefused(file, probe) ? 'refused' : 'accepted'}`);
    expect(wrong).toEqual([]);
  });

  it('the probes we refuse where Go accepts exist and hold hashes of the wrong length', () => {
    for (const file of Object.keys(STRICTER)) {
      const p = all.find((x) => x.file === file)!.probe;
      expect(p.wantErr).toBe(false);
      expect(bytes(p.root1).length).not.toBe(32);
    }
  });
});

describe('hashes that are not 32 bytes', () => {
  const leaves = Array.from({ length: 5 }, (_, i) => leafHash(sha256, new Uint8Array([i])));
  const src = (i: number) => leaves[i];
  const root = subtreeRoot(sha256, src, 0, 5);
  const proof = inclusionProof(sha256, src, 2, 5);
  const sized = (n: number) => new Uint8Array(n).fill(7);
  const cut = (h: Uint8Array) => h.slice(0, 31);
  const padded = (h: Uint8Array) => new Uint8Array([...h, 0]);

  it('the honest proof verifies', () => {
    expect(verifyInclusion(sha256, leaves[2], 2, 5, proof, root).ok).toBe(true);
  });

  it('a 0-byte leaf and root make no proof of a one-leaf tree (they used to be "equal")', () => {
    expect(verifyInclusion(sha256, sized(0), 0, 1, [], sized(0))).toEqual({ ok: false, steps: [] });
  });

  it('a 0-, 31- or 33-byte leaf, root or proof hash is refused, even when its bytes would match', () => {
    for (const n of [0, 1, 31, 33, 64]) {
      expect(verifyInclusion(sha256, sized(n), 0, 1, [], sized(n)).ok, `${n}-byte leaf = root`).toBe(false);
      expect(verifyInclusion(sha256, sized(n), 2, 5, proof, root).ok, `${n}-byte leaf`).toBe(false);
      expect(verifyInclusion(sha256, leaves[2], 2, 5, proof, sized(n)).ok, `${n}-byte root`).toBe(false);
    }
    // A root with one byte cut or added, and a proof hash likewise: the prefix is right, the length is not.
    expect(verifyInclusion(sha256, cut(leaves[0]), 0, 1, [], cut(leaves[0])).ok).toBe(false);
    expect(verifyInclusion(sha256, padded(leaves[0]), 0, 1, [], padded(leaves[0])).ok).toBe(false);
    expect(verifyInclusion(sha256, leaves[2], 2, 5, proof, cut(root)).ok).toBe(false);
    expect(verifyInclusion(sha256, leaves[2], 2, 5, proof, padded(root)).ok).toBe(false);
    expect(verifyInclusion(sha256, leaves[2], 2, 5, [cut(proof[0]), ...proof.slice(1)], root).ok).toBe(false);
    expect(verifyInclusion(sha256, leaves[2], 2, 5, [...proof.slice(0, -1), padded(proof.at(-1)!)], root).ok).toBe(false);
  });

  it('an index or size that is not a whole number, or negative, is refused', () => {
    for (const [index, size] of [
      [-1, 5],
      [2.5, 5],
      [2, 5.5],
      [2, Number.NaN],
      [2, Infinity],
    ]) {
      expect(verifyInclusion(sha256, leaves[2], index, size, proof, root).ok, `${index}/${size}`).toBe(false);
    }
  });

  it('consistency refuses old or new roots and proof hashes of the wrong length', () => {
    const old = subtreeRoot(sha256, src, 0, 3);
    const cproof = consistencyProof(sha256, src, 3, 5);
    expect(verifyConsistency(sha256, 3, 5, old, root, cproof)).toBe(true);
    for (const n of [0, 31, 33]) {
      expect(verifyConsistency(sha256, 3, 5, sized(n), root, cproof)).toBe(false);
      expect(verifyConsistency(sha256, 3, 5, old, sized(n), cproof)).toBe(false);
      expect(verifyConsistency(sha256, 1, 1, sized(n), sized(n), [])).toBe(false);
      expect(verifyConsistency(sha256, 3, 5, old, root, [sized(n), ...cproof.slice(1)])).toBe(false);
    }
    expect(verifyConsistency(sha256, 3, 5, cut(old), cut(root), cproof)).toBe(false);
  });

  it('building a tree from a hash of the wrong length throws, naming the length', () => {
    expect(() => nodeHash(sha256, sized(31), leaves[0])).toThrow(/31 bytes long; a Merkle tree hash is 32 bytes/);
    expect(() => nodeHash(sha256, leaves[0], sized(0))).toThrow(RangeError);
    expect(() => new IncrementalMerkleTree(sha256).appendLeafHash(sized(33))).toThrow(RangeError);
    expect(() => new IncrementalMerkleTree(sha256).appendLeafHashes(sized(33))).toThrow(/not a whole number of 32-byte hashes/);
    expect(() => new MerkleLevels(sha256, [leaves[0], sized(0)])).toThrow(/leaf hash 1/);
    expect(() => subtreeRoot(sha256, () => sized(0), 0, 1)).toThrow(/leaf hash 0/);
  });
});
