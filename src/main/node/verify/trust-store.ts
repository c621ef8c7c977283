/** Reads the reviewer's trust store, with errors that name the file and what is wrong. */
import { readFile } from 'node:fs/promises';
import type { TrustStore } from '../../../shared/export/types';
import { checkTrustStore, TrustStoreProblem } from '../../../shared/export/trust-check';
import { parseStrictJson } from '../../../shared/json/strict-json';
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
