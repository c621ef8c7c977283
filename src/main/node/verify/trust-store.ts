/** Reads the reviewer's trust store, with errors that name the file and what is wrong. */
import type { TrustStore } from '../../../shared/export/types';
import { checkTrustStore, TrustStoreProblem } from '../../../shared/export/trust-check';
import { parseStrictJson } from '../../../shared/json/strict-json';
import { InputError } from '../errors/errors';
import { readRegularFile } from '../read/files';

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
    // Strict: a duplicate member ("public_key" twice) would let two readers see two keys.
    value = parseStrictJson(text);
  } catch (err) {
    throw new InputError(`the trust store is not valid JSON: ${(err as Error).message}`, path);
  }
  try {
    return checkTrustStore(value);
  } catch (err) {
    if (err instanceof TrustStoreProblem) throw new InputError(err.message, path);
    throw err;
  }
}
