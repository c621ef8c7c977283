/**
 * One entry's proof, small enough to mail (`audit-replay-proof/1`): the
 * entry's exact line, the RFC 6962 audit path from its leaf to the root of
 * the checkpoint that covers it, that checkpoint's exact line and the public
 * key the export names for its signer. Checking it needs no export: the
 * entry's hash is recomputed from its line, the path is walked to the signed
 * root, and the signature is judged against the reviewer's trust store as
 * the chain verifier judges it. The format is in docs/verification.md.
 *
 * A proof says less than a whole export does: it cannot show that no event
 * was removed before or after this one, only that this entry, as written, is
 * the leaf at its position under a root its signer signed.
 */
import { fromHex, HEX64, toHex, utf8 } from '../hex';
import { verifyEd25519 as verifyPure, type Ed25519Verify, type Sha256, type Sha256Hex } from '../crypto';
import { EXPORT_FORMAT, type TrustStore, type TrustedKey } from '../export/types';
import { summarizeLine, type CheckpointSummary, type EventSummary } from '../export/parse-line';
import { parseUtcTimestamp } from '../export/timestamp';
import { leafHash, verifyInclusion, type InclusionStep } from './merkle';
import { UNTRUSTED_ADVICE, verdictFromAnswers, type IntegrityAnswer, type SignerAnswer, type Stretch } from './answers';
import type { Verdict } from './findings';

export const PROOF_FORMAT = 'audit-replay-proof/1';

/** A proof is kilobytes; anything much bigger is not one (and is not read whole into memory by the CLI). */
export const MAX_PROOF_BYTES = 1 << 20;

export interface EntryProofFile {
  format: typeof PROOF_FORMAT;
  /** The export the entry was taken from: for the reader (nothing here can check it without the export). */
  export: { file_name: string; sha256: string; format: typeof EXPORT_FORMAT; export_id: string | null; chain_id: string | null };
  /** `text` is the entry's line exactly as the export has it, without its line end. `hash` and `prev_hash` repeat what it records. */
  entry: { seq: number; line: number; text: string; hash: string; prev_hash: string };
  /** RFC 6962 PATH(leaf_index, D[tree_size]): sibling hashes from the leaf up, hex. */
  inclusion: { leaf_index: number; tree_size: number; path: string[] };
  /** The covering checkpoint's line exactly as the export has it, without its line end. */
  checkpoint: { line: number; text: string };
  /** The signer's key as the export's header names it (never trusted for that): null when the header names none for the checkpoint's key_id. */
  key: { key_id: string; alg: string; public_key: string } | null;
}

/** A proof file that is not one: the sentence says which member is wrong. */
export class ProofFileProblem extends Error {
  override name = 'ProofFileProblem';
}

export interface BuildEntryProofInput {
  exportName: string;
  exportSha256: string;
  exportId: string | null;
  chainId: string | null;
  seq: number;
  line: number;
  /** The entry's line as written. */
  text: string;
  recordedHash: string;
  prevHash: string;
  leafIndex: number;
  treeSize: number;
  path: readonly Uint8Array[];
  checkpointLine: number;
  checkpointText: string;
  key: { key_id: string; alg: string; public_key: string } | null;
}

export function buildEntryProof(p: BuildEntryProofInput): EntryProofFile {
  return {
    format: PROOF_FORMAT,
    export: { file_name: p.exportName, sha256: p.exportSha256, format: EXPORT_FORMAT, export_id: p.exportId, chain_id: p.chainId },
    entry: { seq: p.seq, line: p.line, text: p.text, hash: p.recordedHash, prev_hash: p.prevHash },
    inclusion: { leaf_index: p.leafIndex, tree_size: p.treeSize, path: p.path.map(toHex) },
    checkpoint: { line: p.checkpointLine, text: p.checkpointText },
    key: p.key,
  };
}

/** Checkpoint statuses whose signature holds under some key: a proof under one says something (who vouches is the reader's trust store's answer). */
const PROVABLE = new Set(['valid', 'self-signed', 'untrusted-key', 'revoked-key']);

export function provableUnder(checkpointStatus: string): boolean {
  return PROVABLE.has(checkpointStatus);
}

/** The proof file's text: pretty JSON, so a reviewer can read it, ending with a line end. */
export function entryProofText(proof: EntryProofFile): string {
  return `${JSON.stringify(proof, null, 2)}\n`;
}

/** The file name the desk suggests: the export's name without its extension, and the entry's seq. */
export function proofFileName(exportName: string, seq: number): string {
  const base =
    exportName
      .replace(/\.(jsonl|json|ndjson)(\.gz)?$/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .slice(0, 80) || 'export';
  return `${base}.seq-${seq}.proof.json`;
}

/** The command that re-checks a proof offline; the trust store by its file name when the case has one. */
export function proofCommand(fileName: string, trustName: string | null): string {
  const quote = (s: string) => (/^[A-Za-z0-9._/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `audit-replay verify-proof ${quote(fileName)} --trust ${trustName ? quote(trustName) : 'your-trust-store.json'}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The proof's members, each of its type, or a ProofFileProblem naming the first that is not. */
export function readEntryProof(value: unknown): EntryProofFile {
  const fail = (what: string): never => {
    throw new ProofFileProblem(what);
  };
  if (!isObject(value)) fail('it is not a JSON object');
  const v = value as Record<string, unknown>;
  if (v.format !== PROOF_FORMAT) fail(`its "format" is ${JSON.stringify(v.format)?.slice(0, 60) ?? 'missing'}, not "${PROOF_FORMAT}"`);
  const part = (name: string): Record<string, unknown> => (isObject(v[name]) ? (v[name] as Record<string, unknown>) : fail(`it has no "${name}" object`));
  const text = (o: Record<string, unknown>, where: string, name: string): string => (typeof o[name] === 'string' ? (o[name] as string) : fail(`"${where}.${name}" is not a string`));
  const count = (o: Record<string, unknown>, where: string, name: string): number => (isCount(o[name]) ? (o[name] as number) : fail(`"${where}.${name}" is not a whole number of 0 or more`));
  const hash = (o: Record<string, unknown>, where: string, name: string): string => {
    const h = text(o, where, name);
    return HEX64.test(h) ? h : fail(`"${where}.${name}" is not 64 lowercase hex digits`);
  };
  const ex = part('export');
  const entry = part('entry');
  const inclusion = part('inclusion');
  const checkpoint = part('checkpoint');
  if (ex.format !== EXPORT_FORMAT) fail(`"export.format" is not "${EXPORT_FORMAT}"`);
  const optionalText = (o: Record<string, unknown>, where: string, name: string): string | null => (o[name] === null || o[name] === undefined ? null : text(o, where, name));
  const path = inclusion.path;
  if (!Array.isArray(path) || path.length > 64) fail('"inclusion.path" is not a list of at most 64 hashes');
  (path as unknown[]).forEach((h, i) => (typeof h === 'string' && HEX64.test(h) ? null : fail(`"inclusion.path[${i}]" is not 64 lowercase hex digits`)));
  let key: EntryProofFile['key'] = null;
  if (v.key !== null && v.key !== undefined) {
    const k = part('key');
    key = { key_id: text(k, 'key', 'key_id'), alg: text(k, 'key', 'alg'), public_key: text(k, 'key', 'public_key') };
    if (!/^[0-9a-f]{64}$/.test(key.public_key)) fail('"key.public_key" is not 64 lowercase hex digits');
  }
  const entryLine = count(entry, 'entry', 'line');
  const cpLine = count(checkpoint, 'checkpoint', 'line');
  if (entryLine < 1 || cpLine < 1) fail('a line number is below 1');
  return {
    format: PROOF_FORMAT,
    export: {
      file_name: text(ex, 'export', 'file_name'),
      sha256: hash(ex, 'export', 'sha256'),
      format: EXPORT_FORMAT,
      export_id: optionalText(ex, 'export', 'export_id'),
      chain_id: optionalText(ex, 'export', 'chain_id'),
    },
    entry: { seq: count(entry, 'entry', 'seq'), line: entryLine, text: text(entry, 'entry', 'text'), hash: hash(entry, 'entry', 'hash'), prev_hash: hash(entry, 'entry', 'prev_hash') },
    inclusion: { leaf_index: count(inclusion, 'inclusion', 'leaf_index'), tree_size: count(inclusion, 'inclusion', 'tree_size'), path: [...(path as string[])] },
    checkpoint: { line: cpLine, text: text(checkpoint, 'checkpoint', 'text') },
    key,
  };
}

export interface ProofCheckOptions {
  sha256: Sha256;
  sha256Hex: Sha256Hex;
  /** The reviewer's trust store; null: none given, so nothing can anchor the entry. */
  trust: TrustStore | null;
  /** Strict Ed25519 (the shared one by default; Node injects its faster one with the same answers). */
  verifySignature?: Ed25519Verify;
}

/** valid: a trusted key signed it; self-signed: no trust store, the export's key signed it (or no key to check). Else as the chain verifier's statuses. */
export type ProofSignature = 'valid' | 'self-signed' | 'untrusted-key' | 'revoked-key' | 'bad-signature' | 'backdated';

export interface EntryProofCheck {
  verdict: Verdict;
  verdictReason: string;
  integrity: IntegrityAnswer;
  signer: SignerAnswer;
  seq: number;
  line: number;
  /** Each check, for the reader: true holds, false fails, null could not be made. */
  checks: {
    /** The line is an audit-export/1 event and hashes to the hash it records. */
    content: boolean;
    recomputedHash: string | null;
    /** The proof's repeated members (hash, prev_hash, seq, line) say what the lines say. */
    agrees: boolean;
    /** The audit path from the leaf reaches the checkpoint's merkle_root. */
    inclusion: boolean;
    steps: { side: 'left' | 'right'; sibling: string; result: string }[];
    /** The leaf's position and the tree size fit the entry's seq and the checkpoint's seq_hi. */
    position: boolean;
    signature: ProofSignature | null;
  };
  /** Every problem found, each a sentence fragment; empty when the record holds. */
  problems: string[];
}

const short = (h: string) => `${h.slice(0, 12)}…`;

/** Checks a proof read by readEntryProof. Fails closed: anything it cannot show holds is a problem, never a pass. */
export function checkEntryProof(proof: EntryProofFile, options: ProofCheckOptions): EntryProofCheck {
  const problems: string[] = [];
  const verify = options.verifySignature ?? verifyPure;
  const { entry, inclusion } = proof;
  const ev = summarizeLine(entry.text, entry.line, options.sha256Hex);
  const cpLine = summarizeLine(proof.checkpoint.text, proof.checkpoint.line, options.sha256Hex);
  const event: EventSummary | null = ev.t === 'event' ? ev : null;
  const cps: CheckpointSummary | null = cpLine.t === 'checkpoint' ? cpLine : null;
  if (!event) problems.push(`the entry's line is not an ${EXPORT_FORMAT} event (${ev.t === 'malformed' ? ev.reason : `a ${ev.t}`})`);
  if (!cps) problems.push(`the checkpoint's line is not an ${EXPORT_FORMAT} checkpoint (${cpLine.t === 'malformed' ? cpLine.reason : `a ${cpLine.t}`})`);

  const content = event !== null && event.computed === event.hash;
  if (event && !content) problems.push(`the entry's content hashes to ${short(event.computed)}, but it records ${short(event.hash)}: it was edited after it was recorded`);

  let agrees = event !== null;
  if (event) {
    const disagree: string[] = [];
    if (event.hash !== entry.hash) disagree.push(`"entry.hash" ${short(entry.hash)} is not the hash its line records (${short(event.hash)})`);
    if (event.prevHash !== entry.prev_hash) disagree.push(`"entry.prev_hash" ${short(entry.prev_hash)} is not the prev_hash its line records (${short(event.prevHash)})`);
    if (event.seq !== entry.seq) disagree.push(`"entry.seq" ${entry.seq} is not the seq its line records (${event.seq})`);
    if (disagree.length) {
      agrees = false;
      problems.push(`the proof was edited: ${disagree.join('; ')}`);
    }
  }

  let position = false;
  let inclusionOk = false;
  let steps: InclusionStep[] = [];
  if (event && cps) {
    const cp = cps.checkpoint;
    const firstSeq = cp.seq_hi - cp.tree_size + 1;
    position = cp.tree_size === inclusion.tree_size && inclusion.leaf_index < cp.tree_size && inclusion.leaf_index === event.seq - firstSeq;
    if (!position) {
      problems.push(
        `the leaf position ${inclusion.leaf_index} in a tree of ${inclusion.tree_size} does not fit an entry of seq ${event.seq} under a checkpoint of ${cp.tree_size} events up to seq ${cp.seq_hi}`,
      );
    }
    if (inclusion.leaf_index === cp.tree_size - 1 && cp.head_hash !== event.hash) {
      position = false;
      problems.push(`the entry is the checkpoint's last event, but the checkpoint's head_hash is ${short(cp.head_hash)}`);
    }
    // Hex the line parser let through as text must not reach fromHex: a proof that cannot be read is one that does not hold.
    if (!HEX64.test(cp.merkle_root) || !HEX64.test(event.hash) || !inclusion.path.every((h) => HEX64.test(h))) {
      position = false;
      problems.push(`the checkpoint's merkle_root, the entry's hash or a hash of the audit path is not 64 lowercase hex digits`);
    }
    if (position) {
      const leaf = leafHash(options.sha256, fromHex(event.hash));
      const result = verifyInclusion(options.sha256, leaf, inclusion.leaf_index, cp.tree_size, inclusion.path.map(fromHex), fromHex(cp.merkle_root));
      inclusionOk = result.ok;
      steps = result.steps;
      if (!inclusionOk) problems.push(`its audit path does not lead from the entry's leaf to the checkpoint's Merkle root ${short(cp.merkle_root)}`);
    }
  }

  // Who signed, judged as ChainVerifier.signatureStatus judges it: the trust store first, the export's key only to tell untrusted from forged.
  let signature: ProofSignature | null = null;
  let signerKey: TrustedKey | null = null;
  if (cps) {
    const cp = cps.checkpoint;
    const message = utf8(cps.signed);
    const named = proof.key && proof.key.key_id === cp.key_id ? proof.key.public_key : null;
    if (proof.key && proof.key.key_id !== cp.key_id) problems.push(`the proof names key "${proof.key.key_id}", but the checkpoint is signed with key "${cp.key_id}"`);
    if (!options.trust) {
      signature = named && !verify(cp.sig, message, named) ? 'bad-signature' : 'self-signed';
    } else {
      const trusted = options.trust.keys.find((k) => k.key_id === cp.key_id) ?? null;
      if (trusted && verify(cp.sig, message, trusted.public_key)) {
        signerKey = trusted;
        signature = revoked(trusted, cp.ts, event?.ts) ? 'revoked-key' : 'valid';
      } else if (named && named !== trusted?.public_key && verify(cp.sig, message, named)) signature = 'untrusted-key';
      else if (!trusted && !named) signature = 'untrusted-key';
      else signature = 'bad-signature';
    }
    if (signature === 'bad-signature') problems.push(`the checkpoint does not carry a valid signature by key "${cp.key_id}": it was altered or forged`);
    const signedAt = parseUtcTimestamp(cp.ts);
    const entryAt = event ? parseUtcTimestamp(event.ts) : null;
    if (signature !== 'bad-signature' && signedAt !== null && entryAt !== null && signedAt < entryAt)
      signature = signature === 'valid' && signerKey?.revoked_at !== undefined ? 'revoked-key' : 'backdated';
  }

  const seq = event?.seq ?? entry.seq;
  const stretch: Stretch = { from_seq: seq, to_seq: seq, from_line: entry.line, to_line: entry.line, why: '' };
  const altered = problems.length > 0;
  const integrity: IntegrityAnswer = altered
    ? { status: 'altered', unproven: [{ ...stretch, why: problems[0] }], sentence: `The record was altered: event ${seq} (line ${entry.line}) cannot be proven: ${problems[0]}.` }
    : {
        status: 'intact',
        unproven: [],
        sentence: `Event ${seq} (line ${entry.line}) hashes to its recorded hash, and its audit path leads to the Merkle root of the checkpoint on line ${proof.checkpoint.line}.`,
      };
  const signer = signerOf(signature, cps, proof, options.trust, signerKey, stretch);
  const verdict = verdictFromAnswers(false, integrity, signer);
  const verdictReason =
    verdict === 'intact'
      ? `Event ${seq} is as recorded and covered by a checkpoint signed by a key in your trust store.`
      : verdict === 'tampered'
        ? `Event ${seq} cannot be proven: ${problems[0]}.`
        : `Event ${seq} is consistent with its checkpoint, but nobody you trust vouches for it: ${signer.sentence}`;
  return {
    verdict,
    verdictReason,
    integrity,
    signer,
    seq,
    line: entry.line,
    checks: {
      content,
      recomputedHash: event?.computed ?? null,
      agrees,
      inclusion: inclusionOk,
      steps: steps.map((s) => ({ side: s.side, sibling: toHex(s.sibling), result: toHex(s.result) })),
      position,
      signature,
    },
    problems,
  };
}

/**
 * A revoked key vouches only for a checkpoint dated before the revocation and
 * covering this entry dated before it too (a time that does not parse fails
 * closed). The whole export's check also looks at every other event the
 * checkpoint covers; a proof has only this one.
 */
function revoked(key: TrustedKey, signedTs: string, entryTs: string | undefined): boolean {
  if (key.revoked_at === undefined) return false;
  const revokedAt = parseUtcTimestamp(key.revoked_at);
  const signedAt = parseUtcTimestamp(signedTs);
  const entryAt = parseUtcTimestamp(entryTs);
  return revokedAt === null || signedAt === null || entryAt === null || signedAt >= revokedAt || entryAt >= revokedAt;
}

function signerOf(signature: ProofSignature | null, cps: CheckpointSummary | null, proof: EntryProofFile, trust: TrustStore | null, key: TrustedKey | null, stretch: Stretch): SignerAnswer {
  const keyId = cps?.checkpoint.key_id ?? null;
  const named = proof.key && proof.key.key_id === keyId ? proof.key.public_key : null;
  const unvouched = [{ ...stretch, why: 'no checkpoint signed by a key in your trust store covers it' }];
  if (!trust) {
    return {
      status: 'none',
      key_id: keyId,
      public_key: named,
      unvouched,
      sentence: 'No trust store was given, so no signature can vouch for this record: anyone could have recomputed its hashes and signed it with a key of their own.',
      advice: 'Verify again with your trust store (the public keys you hold for this exporter).',
    };
  }
  switch (signature) {
    case 'valid':
      return { status: 'trusted', key_id: keyId, public_key: key?.public_key ?? null, unvouched: [], sentence: `Signed by "${keyId}", in your trust store.`, advice: null };
    case 'revoked-key':
      return {
        status: 'revoked',
        key_id: keyId,
        public_key: key?.public_key ?? null,
        unvouched,
        sentence: `Signed by key "${keyId}", which your trust store says was revoked at ${key?.revoked_at}; its signatures cannot be shown to predate the revocation.`,
        advice: UNTRUSTED_ADVICE,
      };
    case 'untrusted-key': {
      const substituted = trust.keys.some((k) => k.key_id === keyId);
      return {
        status: 'untrusted',
        key_id: keyId,
        public_key: named,
        unvouched,
        sentence: `Signed by key "${keyId}", which is not a key in your trust store${substituted ? ': your trust store holds another public key under that name (the key was substituted)' : ''}.`,
        advice: UNTRUSTED_ADVICE,
      };
    }
    case 'backdated':
      return { status: 'none', key_id: keyId, public_key: named, unvouched, sentence: 'The checkpoint is dated before the entry it covers, so it vouches for nothing.', advice: null };
    default:
      return { status: 'none', key_id: null, public_key: null, unvouched, sentence: 'No checkpoint carries a signature that holds, so nothing vouches for this record.', advice: null };
  }
}
