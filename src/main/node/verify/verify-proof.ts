/**
 * `audit-replay verify-proof`: one entry's proof file (audit-replay-proof/1),
 * checked offline against the reviewer's trust store. The checks are the
 * shared ones (shared/verify/entry-proof.ts); here the files are read and
 * every reason a file is unusable becomes one sentence naming it.
 */
import { checkEntryProof, MAX_PROOF_BYTES, ProofFileProblem, readEntryProof, type EntryProofCheck, type EntryProofFile } from '../../../shared/verify/entry-proof';
import { parseStrictJson } from '../../../shared/json/strict-json';
import { InputError } from '../errors/errors';
import { checkRegularFile, readRegularFile } from '../read/files';
import { nodeSha256, nodeSha256Hex } from '../read/hashes';
import { nodeVerifyEd25519 } from '../formats/node-ed25519';
import { loadTrustStore } from './trust-store';

export interface VerifyProofResult extends EntryProofCheck {
  proof: EntryProofFile;
  file: { path: string; sha256: string; bytes: number };
  trust: string | null;
}

/** Reads and parses a proof file, or throws an InputError naming it. */
export async function readProofFile(path: string): Promise<{ proof: EntryProofFile; bytes: Buffer }> {
  const size = (await checkRegularFile(path, 'proof file')).size;
  if (size > MAX_PROOF_BYTES) throw new InputError(`the file is ${size} bytes, too big for an entry's proof (a proof is a few kilobytes; at most ${MAX_PROOF_BYTES})`, path);
  const bytes = await readRegularFile(path, 'proof file');
  let value: unknown;
  try {
    // Strict: two "text" members would let two readers check two different entries.
    value = parseStrictJson(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError(`the file is not an entry's proof: it is not valid JSON (${(err as Error).message})`, path);
  }
  try {
    return { proof: readEntryProof(value), bytes };
  } catch (err) {
    if (err instanceof ProofFileProblem) throw new InputError(`the file is not an audit-replay-proof/1 proof: ${err.message}`, path);
    throw err;
  }
}

export async function verifyProofFile(request: { path: string; trustPath: string | null }): Promise<VerifyProofResult> {
  const { proof, bytes } = await readProofFile(request.path);
  const trust = request.trustPath ? await loadTrustStore(request.trustPath) : null;
  const check = checkEntryProof(proof, { sha256: nodeSha256, sha256Hex: nodeSha256Hex, trust, verifySignature: nodeVerifyEd25519 });
  return { ...check, proof, file: { path: request.path, sha256: nodeSha256Hex(bytes), bytes: bytes.length }, trust: request.trustPath };
}
