/** Reads the reviewer's trust store, with errors that name the file and what is wrong. */
import { readFile } from 'node:fs/promises';
import type { TrustStore } from '../../../shared/export/types';
import { HEX64 } from '../../../shared/hex';
import { InputError } from '../cli/errors';

export async function loadTrustStore(path: string): Promise<TrustStore> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the trust store: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, path);
  }
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
