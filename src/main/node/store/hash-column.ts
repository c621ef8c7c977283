/**
 * Hash columns (migration 6): 64 hex digits are kept as their 32 bytes,
 * any other text as it is; an empty BLOB stands for "none" where NULL has
 * another meaning (computed_hash NULL: equal to recorded_hash; prev_hash
 * NULL: equal to the previous event's recorded hash).
 */
const HEX64 = /^[0-9a-f]{64}$/;
const NONE = Buffer.alloc(0);

export type HashCell = Buffer | string | null;

/** A hash as stored; null becomes the empty BLOB ("none"). */
export function encodeHash(hash: string | null): Buffer | string {
  if (hash === null) return NONE;
  return HEX64.test(hash) ? Buffer.from(hash, 'hex') : hash;
}

/** A stored hash back as text; the empty BLOB (and NULL) as null. */
export function decodeHash(cell: HashCell): string | null {
  if (cell === null) return null;
  if (typeof cell === 'string') return cell;
  return cell.length ? cell.toString('hex') : null;
}
