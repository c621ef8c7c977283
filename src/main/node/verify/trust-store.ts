/** Reads the reviewer's trust store, with errors that name the file and what is wrong. */
import type { TrustStore } from '../../../shared/export/types';
import { HEX64 } from '../../../shared/hex';
import { InputError } from '../cli/errors';
import { readRegularFile } from '../cli/files';

export async function loadTrustStore(path: string): Promise<TrustStore> {
  return (await readTrustStore(path)).store;
}

/** The trust store and the bytes it was parsed from (one read, so the digest a report records is of what was used). */
export async function readTrustStore(path: string): Promise<{ store: TrustStore; bytes: Buffer }> {
  const bytes = await readRegularFile(path, 'trust store');
  return { store: parseTrustStore(bytes.toString('utf8'), path), bytes };
}

function parseTrustStore(text: string, path: string): TrustStore {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`the trust store is not valid JSON: ${(err as Error).message}`, path);
  }
  const keys = (value as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new InputError('the trust store must be an object with a "keys" array', path);
  keys.forEach((k, i) => {
    const key = k as Record<string, unknown>;
    if (typeof key?.key_id !== 'string') throw new InputError(`keys[${i}] has no "key_id"`, path);
    if (key.alg !== 'ed25519') throw new InputError(`keys[${i}] ("${key.key_id}") has alg ${JSON.stringify(key.alg)}; only "ed25519" is supported`, path);
    if (typeof key.public_key !== 'string' || !HEX64.test(key.public_key)) throw new InputError(`keys[${i}] ("${key.key_id}") needs "public_key" as 64 lowercase hex`, path);
    if (key.revoked_at !== undefined && (typeof key.revoked_at !== 'string' || Number.isNaN(Date.parse(key.revoked_at)))) {
      throw new InputError(`keys[${i}] ("${key.key_id}") has a "revoked_at" that is not a timestamp`, path);
    }
  });
  return value as TrustStore;
}
