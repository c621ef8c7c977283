/**
 * The reviewer's trust store, checked member by member before anything uses
 * it: a key that is there twice, a revocation time that does not parse, or a
 * member of the wrong type must never quietly change who is trusted.
 */
import { HEX64 } from '../hex';
import { parseUtcTimestamp, TIMESTAMP_RULE } from './timestamp';
import type { TrustStore, TrustedKey } from './types';

export class TrustStoreProblem extends Error {}

/** The trust store as typed members, or a TrustStoreProblem naming the member that is wrong. */
export function checkTrustStore(value: unknown): TrustStore {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TrustStoreProblem('the trust store must be a JSON object with a "keys" array');
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new TrustStoreProblem('the trust store must be an object with a "keys" array');
  const seen = new Map<string, number>();
  const checked: TrustedKey[] = keys.map((k: unknown, i) => {
    if (k === null || typeof k !== 'object' || Array.isArray(k)) throw new TrustStoreProblem(`keys[${i}] is not an object`);
    const key = k as Record<string, unknown>;
    if (typeof key.key_id !== 'string' || key.key_id === '') throw new TrustStoreProblem(`keys[${i}] has no "key_id" (a non-empty string)`);
    const name = JSON.stringify(key.key_id);
    const earlier = seen.get(key.key_id);
    if (earlier !== undefined) {
      throw new TrustStoreProblem(`keys[${i}] repeats key_id ${name} of keys[${earlier}]: each key may appear once, so that which one is trusted (or revoked) is never a matter of order`);
    }
    seen.set(key.key_id, i);
    if (key.alg !== 'ed25519') throw new TrustStoreProblem(`keys[${i}] (${name}) has alg ${JSON.stringify(key.alg)}; only "ed25519" is supported`);
    if (typeof key.public_key !== 'string' || !HEX64.test(key.public_key)) throw new TrustStoreProblem(`keys[${i}] (${name}) needs "public_key" as 64 lowercase hex`);
    if (key.revoked_at !== undefined && parseUtcTimestamp(key.revoked_at) === null) {
      throw new TrustStoreProblem(`keys[${i}] (${name}) has a "revoked_at" that is not ${TIMESTAMP_RULE}`);
    }
    return { key_id: key.key_id, alg: key.alg, public_key: key.public_key, ...(key.revoked_at === undefined ? {} : { revoked_at: key.revoked_at as string }) };
  });
  return { keys: checked };
}
