/**
 * RFC 6962 Merkle tree hashes over event hashes: inclusion proofs (audit
 * paths) and consistency proofs, computed and checked. Leaves are the 32-byte
 * event hashes; leaf = H(0x00 || d), node = H(0x01 || left || right).
 */
import type { Sha256 } from '../crypto';

/** Every hash in a tree or a proof is a SHA-256 output, 32 bytes. */
export const HASH_BYTES = 32;

export function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

/**
 * Builders refuse a hash of another length loudly: an empty or cut hash would
 * otherwise give a root that looks like any other.
 */
function requireHash(h: Uint8Array, what: string): Uint8Array {
  if (!isHash(h)) throw new RangeError(`${what} is ${h instanceof Uint8Array ? `${h.length} bytes long` : 'not bytes'}; a Merkle tree hash is ${HASH_BYTES} bytes`);
  return h;
}

export function leafHash(sha256: Sha256, data: Uint8Array): Uint8Array {
  const buf = new Uint8Array(data.length + 1);
  buf[0] = 0;
  buf.set(data, 1);
  return sha256(buf);
}

export function nodeHash(sha256: Sha256, left: Uint8Array, right: Uint8Array): Uint8Array {
  requireHash(left, 'the left child hash');
  requireHash(right, 'the right child hash');
  const buf = new Uint8Array(left.length + right.length + 1);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** Largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Leaves are read through a function, so callers can page them from disk. */
export type LeafSource = (index: number) => Uint8Array;

/** MTH(D[start:end]) over already-hashed leaves (leaf hashes, not raw data). */
export function subtreeRoot(sha256: Sha256, leafHashes: LeafSource, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return sha256(new Uint8Array(0));
  if (n === 1) return requireHash(leafHashes(start), `leaf hash ${start}`);
  const k = splitPoint(n);
  return nodeHash(sha256, subtreeRoot(sha256, leafHashes, start, start + k), subtreeRoot(sha256, leafHashes, start + k, end));
}

/** Appends leaf hashes to a stack of perfect subtrees given flat (sizes, 32-byte roots); returns the new depth. */
export type MerkleAppend = (sizes: Float64Array, stack: Uint8Array, depth: number, leaves: Uint8Array) => number;

/**
 * An append-only tree that knows its root at every size in O(log n): the
 * stack of perfect subtrees RFC 6962's left-heavy shape decomposes into.
 */
export class IncrementalMerkleTree {
  private readonly stack: { size: number; hash: Uint8Array }[] = [];
  size = 0;
  constructor(private readonly sha256: Sha256) {}

  appendLeafHash(leaf: Uint8Array): void {
    requireHash(leaf, 'the leaf hash');
    let node = { size: 1, hash: leaf };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(this.sha256, left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size++;
  }

  /**
   * Appends many leaf hashes (32 bytes each, in order). `bulk` does the same
   * work over a flat copy of the stack (the Node side passes a native one);
   * without it, one by one.
   */
  appendLeafHashes(leaves: Uint8Array, bulk?: MerkleAppend): void {
    if (leaves.length % HASH_BYTES !== 0) throw new RangeError(`${leaves.length} bytes of leaf hashes is not a whole number of ${HASH_BYTES}-byte hashes`);
    if (!bulk) {
      for (let i = 0; i + 32 <= leaves.length; i += 32) this.appendLeafHash(leaves.slice(i, i + 32));
      return;
    }
    const sizes = new Float64Array(64);
    const stack = new Uint8Array(32 * 64);
    this.stack.forEach((node, i) => {
      sizes[i] = node.size;
      stack.set(node.hash, 32 * i);
    });
    const depth = bulk(sizes, stack, this.stack.length, leaves);
    this.stack.length = 0;
    for (let i = 0; i < depth; i++) this.stack.push({ size: sizes[i], hash: stack.slice(32 * i, 32 * i + 32) });
    this.size += leaves.length / 32;
  }

  append(data: Uint8Array): void {
    this.appendLeafHash(leafHash(this.sha256, data));
  }

  /**
   * Appends a perfect subtree of `size` leaves (a power of two) by its root:
   * how a compact range computed elsewhere (compactRange) is merged in. It
   * must sit where the tree's shape allows it: the tree's size a multiple of
   * `size`, and `size` no larger than the smallest subtree on the stack.
   */
  appendSubtree(size: number, hash: Uint8Array): void {
    requireHash(hash, 'the subtree root');
    if (!Number.isSafeInteger(size) || size < 1 || Math.log2(size) % 1 !== 0) throw new RangeError(`a subtree of ${size} leaves is not a power of two`);
    if (this.size % size !== 0) throw new RangeError(`a subtree of ${size} leaves cannot start at leaf ${this.size}`);
    let node = { size, hash };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(this.sha256, left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size += size;
  }

  root(): Uint8Array {
    if (this.stack.length === 0) return this.sha256(new Uint8Array(0));
    let h = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHash(this.sha256, this.stack[i].hash, h);
    return h;
  }
}

/** One node of a compact range: the root of `size` leaves (a power of two) starting at an aligned position. */
export interface RangeNode {
  size: number;
  hash: Uint8Array;
}

/**
 * The compact range of leaves [start, start + n): the fewest aligned perfect
 * subtrees that cover them, left to right (at most about 2·log2(n)). Appended
 * in order (appendSubtree) to a tree of exactly `start` leaves, they give the
 * same tree as appending every leaf, so ranges verified apart merge to the
 * roots of the whole. `leaves` are leaf hashes, 32 bytes each; `bulk` as in
 * appendLeafHashes.
 */
export function compactRange(sha256: Sha256, start: number, leaves: Uint8Array, bulk?: MerkleAppend): RangeNode[] {
  if (leaves.length % HASH_BYTES !== 0) throw new RangeError(`${leaves.length} bytes of leaf hashes is not a whole number of ${HASH_BYTES}-byte hashes`);
  const n = leaves.length / HASH_BYTES;
  const out: RangeNode[] = [];
  let at = 0;
  while (at < n) {
    const pos = start + at;
    // The largest power of two that both divides the position (any, at 0) and fits in what is left.
    let size = 1;
    while (size * 2 <= n - at && (pos === 0 || pos % (size * 2) === 0)) size *= 2;
    const tree = new IncrementalMerkleTree(sha256);
    tree.appendLeafHashes(leaves.subarray(at * HASH_BYTES, (at + size) * HASH_BYTES), bulk);
    out.push({ size, hash: tree.root() });
    at += size;
  }
  return out;
}

/** RFC 6962 PATH(m, D[n]) given any way to get the root of leaves [start, end). */
export function auditPath(subtree: (start: number, end: number) => Uint8Array, index: number, size: number): Uint8Array[] {
  if (index < 0 || index >= size) throw new RangeError(`leaf ${index} is outside a tree of ${size}`);
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n <= 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(subtree(start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(subtree(start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 PATH(m, D[n]): the audit path for leaf m in a tree of size n. */
export function inclusionProof(sha256: Sha256, leafHashes: LeafSource, index: number, size: number): Uint8Array[] {
  return auditPath((start, end) => subtreeRoot(sha256, leafHashes, start, end), index, size);
}

export interface InclusionStep {
  /** Which side the sibling stands on. */
  side: 'left' | 'right';
  sibling: Uint8Array;
  result: Uint8Array;
}

/**
 * RFC 9162 §2.1.3.2 inclusion verification, returning each step so the UI can
 * show it. A leaf, root or proof hash that is not 32 bytes, or an index or
 * size that is not a whole number, is not a proof: ok is false, with no steps.
 */
export function verifyInclusion(sha256: Sha256, leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array): { ok: boolean; steps: InclusionStep[] } {
  const steps: InclusionStep[] = [];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return { ok: false, steps };
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return { ok: false, steps };
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return { ok: false, steps };
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sha256, p, r);
      steps.push({ side: 'left', sibling: p, result: r });
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(sha256, r, p);
      steps.push({ side: 'right', sibling: p, result: r });
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { ok: sn === 0 && equalBytes(r, root), steps };
}

/** RFC 6962 PROOF(m, D[n]): consistency between the first m leaves and all n. */
export function consistencyProof(sha256: Sha256, leafHashes: LeafSource, m: number, n: number): Uint8Array[] {
  if (m < 1 || m > n) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  const proof: Uint8Array[] = [];
  const sub = (mm: number, start: number, end: number, complete: boolean): void => {
    const size = end - start;
    if (mm === size) {
      if (!complete) proof.push(subtreeRoot(sha256, leafHashes, start, end));
      return;
    }
    const k = splitPoint(size);
    if (mm <= k) {
      sub(mm, start, start + k, complete);
      proof.push(subtreeRoot(sha256, leafHashes, start + k, end));
    } else {
      sub(mm - k, start + k, end, false);
      proof.push(subtreeRoot(sha256, leafHashes, start, start + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** RFC 9162 §2.1.4.2 consistency verification; false for roots or proof hashes that are not 32 bytes. */
export function verifyConsistency(sha256: Sha256, m: number, n: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 1 || m > n) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  let path = [...proof];
  if ((m & (m - 1)) === 0) path = [oldRoot, ...path];
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(sha256, c, fr);
      sr = nodeHash(sha256, c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sha256, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every aligned perfect subtree of a tree, computed once in O(n), so any
 * subtree root (and so any inclusion or consistency proof) costs O(log² n)
 * afterwards. 64 bytes per leaf.
 */
export class MerkleLevels {
  /** levels[k][j] = root of leaves [j·2^k, (j+1)·2^k). */
  private readonly levels: Uint8Array[][] = [];

  constructor(
    private readonly sha256: Sha256,
    leafHashes: Uint8Array[],
  ) {
    leafHashes.forEach((h, i) => requireHash(h, `leaf hash ${i}`));
    this.levels.push(leafHashes);
    let level = leafHashes;
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let j = 0; j + 1 < level.length; j += 2) next.push(nodeHash(sha256, level[j], level[j + 1]));
      this.levels.push(next);
      level = next;
    }
  }

  get size(): number {
    return this.levels[0].length;
  }

  /** MTH over leaves [start, end). */
  root(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 0) return this.sha256(new Uint8Array(0));
    if ((n & (n - 1)) === 0 && start % n === 0) {
      const k = Math.log2(n);
      const hit = this.levels[k]?.[start / n];
      if (hit) return hit;
    }
    if (n === 1) return this.levels[0][start];
    const k = splitPoint(n);
    return nodeHash(this.sha256, this.root(start, start + k), this.root(start + k, end));
  }
}

/** RFC 6962 PATH(m, D[n]) using a precomputed tree. */
export function inclusionProofFrom(tree: MerkleLevels, index: number, size: number): Uint8Array[] {
  return auditPath((start, end) => tree.root(start, end), index, size);
}

/** Perfect subtrees this big or bigger are remembered by PrefixRoots; smaller ones are recomputed. */
const MEMO_LEVEL = 8;

/**
 * Roots of earlier prefixes of a growing tree (a checkpoint that lags behind
 * the events read so far), without recomputing the whole tree each time: an
 * aligned perfect subtree of 2^8 leaves or more is computed at most once and
 * remembered, so any number of checkpoints costs O(n) hashing in all plus
 * O(2^8 + log n) each. Memory: about one byte per leaf, and only for the
 * subtrees some checkpoint needed.
 */
export class PrefixRoots {
  private readonly memo = new Map<number, Uint8Array>();

  /** `recorded(i)` is the i-th leaf's data (the 32-byte event hash), not yet leaf-hashed. */
  constructor(
    private readonly sha256: Sha256,
    private readonly recorded: LeafSource,
  ) {}

  /** MTH(D[0:size]). */
  root(size: number): Uint8Array {
    if (size <= 0) return this.sha256(new Uint8Array(0));
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (let level = Math.floor(Math.log2(size)); level >= 0; level--) {
      const width = 2 ** level;
      if (size - offset >= width) {
        parts.push(this.perfect(level, offset / width));
        offset += width;
      }
    }
    let h = parts[parts.length - 1];
    for (let i = parts.length - 2; i >= 0; i--) h = nodeHash(this.sha256, parts[i], h);
    return h;
  }

  /** Root of leaves [index·2^level, (index+1)·2^level). */
  private perfect(level: number, index: number): Uint8Array {
    if (level === 0) return leafHash(this.sha256, this.recorded(index));
    const key = level * 2 ** 44 + index;
    if (level >= MEMO_LEVEL) {
      const hit = this.memo.get(key);
      if (hit) return hit;
    }
    const h = nodeHash(this.sha256, this.perfect(level - 1, 2 * index), this.perfect(level - 1, 2 * index + 1));
    if (level >= MEMO_LEVEL) this.memo.set(key, h);
    return h;
  }
}
