/**
 * AGT TRACE v0.2 Trust Records (agentmesh/governance/trace_sink.py, signed by
 * agentrust_trace's sign_record): the bytes the Ed25519 signature covers, who
 * vouches for the record, and the three values that bind it to the session's
 * agent-mesh audit log (call_count, tool_transcript.hash, runtime.measurement).
 * Pure: the caller brings SHA-256 and the Ed25519 check.
 */
import type { Ed25519Verify } from '../../crypto';
import { toHex } from '../../hex';
import { utf8 } from '../../hex';
import { finding, type Finding } from '../../verify/findings';
import type { SignerStatus } from '../../verify/answers';
import { parseUtcTimestamp } from '../../export/timestamp';
import { LexNumber, LexObject, type LexValue } from '../../json/lexeme-json';
import { lexObject, pythonDumps, type PythonDumpsOptions } from '../../json/foreign-json';
import { agtMerkleRoot, ZERO_HASH } from './hashing';
import type { Sha256Hex } from '../../crypto';

export const TRACE_EAT_PROFILE = 'tag:agentrust-io.com,2026:trace-v0.2';

/**
 * Python's repr of the number a JSON lexeme denotes, as json.dumps writes it
 * after json.loads: integers exactly (arbitrary size, "-0" is 0), floats in
 * the shortest round-trip form with ".0" added, exponent form when the
 * decimal point falls before the 4th digit after it or past the 16th before.
 */
export function pythonNumberText(lexeme: string): string {
  if (/^-?\d+$/.test(lexeme)) return BigInt(lexeme).toString();
  const x = Number(lexeme);
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const decpt = Number(expText) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const exp = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    return `${sign}${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}e${exp}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

const PYTHON_COMPACT_ASCII: PythonDumpsOptions = { sortKeys: true, ensureAscii: true, separators: [',', ':'], numberText: pythonNumberText };
/**
 * json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=True) of
 * the value Python's json.loads would make of `v`: keys by code point, every
 * non-ASCII character as a lowercase \uXXXX escape, numbers in Python's form.
 */
export function pythonCompactAscii(v: LexValue): string {
  return pythonDumps(v, PYTHON_COMPACT_ASCII);
}

/** The text the record's signature covers: the record without `signature`, compact, sorted, ASCII (so cnf.jwk is covered too). */
export function traceSigningText(record: LexObject): string {
  const unsigned = new LexObject(record.start);
  for (const [k, v] of record.members) if (k !== 'signature') unsigned.members.set(k, v);
  return pythonCompactAscii(unsigned);
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const B64_VALUE = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((c, i) => [c, i]));

/** base64url without padding (as sign_record writes it; padding to a multiple of 4 is accepted), or null when it is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  const bare = text.replace(/={1,2}$/, '');
  if (bare.length !== text.length && text.length % 4 !== 0) return null;
  if (!B64URL.test(bare) || bare.length % 4 === 1) return null;
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of bare) {
    acc = (acc << 6) | B64_VALUE.get(c)!;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

export interface TraceTrustedKey {
  key_id: string;
  public_key: string;
  revoked_at?: string;
}

/** What checking the record itself found: its signature, its signer, and the values that bind it to a log. */
export interface TraceRecordCheck {
  /** About the record itself (seq 0, the line where it starts). */
  findings: Finding[];
  signature: 'valid' | 'invalid' | 'missing';
  /** The Ed25519 public key cnf.jwk names, as hex (what a trust store holds), when readable. */
  publicKey: string | null;
  signer: { status: SignerStatus; key_id: string | null; public_key: string | null };
  /** One sentence on who vouches for the record. */
  anchorSentence: string;
  /** True when the signature holds under a key of the reviewer's trust store, not revoked at `iat`. */
  trusted: boolean;
  iat: number | null;
  /** tool_transcript.call_count as written, when it is an integer. */
  callCount: number | null;
  transcriptHash: string | null;
  measurement: string | null;
}

function member(o: LexValue | undefined, ...path: string[]): LexValue | undefined {
  let v = o;
  for (const p of path) v = v instanceof LexObject ? v.get(p) : undefined;
  return v;
}

function intMember(v: LexValue | undefined): number | null {
  return v instanceof LexNumber && /^-?\d+$/.test(v.lexeme) ? Number(v.lexeme) : null;
}

const NO_TRUST =
  'no trust store was given (--trust), and the signature verifies only under the key the record carries in cnf.jwk, which vouches only for itself: anyone can re-sign an edited record with a key of their own.';

/**
 * Checks a Trust Record's signature under the key in cnf.jwk, then who that
 * key is: only a key of the reviewer's trust store (not revoked at `iat`)
 * makes the record trusted; the embedded key never vouches for anything but
 * itself, so a record re-signed with another key is untrusted, not tampered.
 */
export function checkTraceRecord(record: LexObject, line: number, trust: { keys: readonly TraceTrustedKey[] } | null, verify: Ed25519Verify): TraceRecordCheck {
  const findings: Finding[] = [];
  const base = {
    iat: intMember(record.get('iat')),
    callCount: intMember(member(record, 'tool_transcript', 'call_count')),
    transcriptHash: typeof member(record, 'tool_transcript', 'hash') === 'string' ? (member(record, 'tool_transcript', 'hash') as string) : null,
    measurement: typeof member(record, 'runtime', 'measurement') === 'string' ? (member(record, 'runtime', 'measurement') as string) : null,
  };
  const jwk = member(record, 'cnf', 'jwk');
  const x = member(jwk, 'x');
  const keyBytes = typeof x === 'string' ? fromBase64Url(x) : null;
  const keyOk = member(jwk, 'kty') === 'OKP' && member(jwk, 'crv') === 'Ed25519' && keyBytes !== null && keyBytes.length === 32;
  const publicKey = keyOk ? toHex(keyBytes) : null;
  const none = { status: 'none' as const, key_id: null, public_key: publicKey };
  const sig = record.get('signature');
  if (sig === undefined) {
    findings.push(
      finding('missing-signature', 0, line, 'The Trust Record has no "signature": TRACEAuditSink signs every record it writes, so the signature was removed and nothing vouches for any member.'),
    );
    return { ...base, findings, signature: 'missing', publicKey, signer: none, trusted: false, anchorSentence: 'the Trust Record carries no signature.' };
  }
  const sigBytes = typeof sig === 'string' ? fromBase64Url(sig) : null;
  let why: string | null = null;
  if (!keyOk) why = 'its cnf.jwk is not an Ed25519 public key (kty "OKP", crv "Ed25519", x = 32 bytes in base64url), so there is no key to check it under';
  else if (sigBytes === null || sigBytes.length !== 64) why = 'it is not 64 bytes in base64url';
  else if (!verify(toHex(sigBytes), utf8(traceSigningText(record)), publicKey!))
    why = 'it does not verify under the key the record names in cnf.jwk: a member was changed after signing, or the record was signed by another key';
  if (why) {
    findings.push(finding('bad-signature', 0, line, `The Trust Record's signature does not hold: ${why}.`));
    return { ...base, findings, signature: 'invalid', publicKey, signer: none, trusted: false, anchorSentence: "the Trust Record's signature does not hold." };
  }
  if (!trust) return { ...base, findings, signature: 'valid', publicKey, signer: none, trusted: false, anchorSentence: NO_TRUST };
  const key = trust.keys.find((k) => k.public_key.toLowerCase() === publicKey);
  if (!key) {
    findings.push(
      finding(
        'untrusted-key',
        0,
        line,
        `The Trust Record is signed by a key that is not in your trust store (${publicKey}): its signature holds, but only under the key it carries itself, which anyone can replace after an edit.`,
      ),
    );
    return {
      ...base,
      findings,
      signature: 'valid',
      publicKey,
      signer: { status: 'untrusted', key_id: null, public_key: publicKey },
      trusted: false,
      anchorSentence: 'the Trust Record is signed by a key that is not in your trust store.',
    };
  }
  if (key.revoked_at !== undefined) {
    const revoked = parseUtcTimestamp(key.revoked_at);
    // A missing or unreadable iat never counts as "before the revocation".
    if (base.iat === null || revoked === null || base.iat * 1000 >= revoked) {
      findings.push(
        finding(
          'revoked-key',
          0,
          line,
          `The Trust Record is signed by key "${key.key_id}", which your trust store says was revoked at ${key.revoked_at}, ${base.iat === null ? 'and its iat is not a whole number of seconds' : `not after its iat (${new Date(base.iat * 1000).toISOString()})`}.`,
        ),
      );
      return {
        ...base,
        findings,
        signature: 'valid',
        publicKey,
        signer: { status: 'revoked', key_id: key.key_id, public_key: publicKey },
        trusted: false,
        anchorSentence: `the Trust Record is signed by key "${key.key_id}", revoked before it could have been signed.`,
      };
    }
  }
  return {
    ...base,
    findings,
    signature: 'valid',
    publicKey,
    signer: { status: 'trusted', key_id: key.key_id, public_key: publicKey },
    trusted: true,
    anchorSentence: `the Trust Record is signed by key "${key.key_id}" of your trust store.`,
  };
}

/**
 * Every member of agent-mesh's AuditEntry, in the set model_dump() writes:
 * a StdoutAuditSink line drops the null ones, the transcript hash has them all.
 */
export const AUDIT_ENTRY_MEMBERS = [
  'entry_id',
  'timestamp',
  'issued_at',
  'completed_at',
  'event_type',
  'agent_did',
  'action',
  'arguments_hash',
  'resource',
  'target_did',
  'approver_did',
  'data',
  'outcome',
  'policy_decision',
  'matched_rule',
  'policy_version',
  'previous_hash',
  'entry_hash',
  'trace_id',
  'session_id',
  'sandbox_id',
  'environment',
  'compute_driver',
] as const;
export const AUDIT_ENTRY_SET = new Set<string>(AUDIT_ENTRY_MEMBERS);

/** One entry's part of the transcript text: the full AuditEntry member set (absent ones null), as json.dumps writes it there. */
export function transcriptEntryText(line: LexObject): string {
  return pythonCompactAscii(lexObject(AUDIT_ENTRY_MEMBERS.map((k) => [k, line.get(k) ?? null])));
}

/** runtime.measurement as TRACEAuditSink makes it: "sha256:" + SHA-256 of the hex text of AGT's Merkle root (64 zeros for no entries). */
export function traceMeasurement(entryHashes: readonly string[], sha256Hex: Sha256Hex): string {
  return 'sha256:' + sha256Hex(agtMerkleRoot(entryHashes, sha256Hex) ?? ZERO_HASH);
}
