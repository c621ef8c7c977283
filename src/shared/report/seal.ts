/**
 * The report's own hash and signature, and the comparison check-report uses.
 * report_sha256 = H(canon(report without "report_sha256" and "signature")).
 * The signature is Ed25519 over canon(report without "signature"): the signed
 * bytes include report_sha256, so one signature covers the whole report.
 */
import { canonicalize } from '../json/canonical';
import { sha256HexOfText, signEd25519, verifyEd25519, ed25519PublicKey } from '../crypto';
import { HEX128, HEX64, utf8 } from '../hex';
import { EVIDENCE_REPORT_FORMAT, SIGNED_CONTENT, type EvidenceReport, type ReportSignature, type UnsealedReport } from './types';

function without(value: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!names.includes(k)) out[k] = v;
  return out;
}

/** SHA-256 over the report's content: every member but report_sha256 and signature. */
export function reportContentSha256(report: Record<string, unknown>): string {
  return sha256HexOfText(canonicalize(without(report, 'report_sha256', 'signature')));
}

export function sealReport(body: UnsealedReport): EvidenceReport {
  return { ...body, report_sha256: reportContentSha256(body as unknown as Record<string, unknown>) };
}

/** The report file's bytes: canonical JSON and one newline. */
export function reportText(report: EvidenceReport): string {
  return canonicalize(report) + '\n';
}

export function signedMessage(report: Record<string, unknown>): Uint8Array {
  return utf8(canonicalize(without(report, 'signature')));
}

export function signReport(report: EvidenceReport, key: { key_id: string; secret_key: string; public_key?: string }): EvidenceReport {
  const publicKey = ed25519PublicKey(key.secret_key);
  if (key.public_key && key.public_key !== publicKey) throw new Error(`the key file's public_key does not belong to its secret_key (key ${key.key_id})`);
  const unsigned = without(report as unknown as Record<string, unknown>, 'signature') as unknown as EvidenceReport;
  const signature: ReportSignature = {
    alg: 'ed25519',
    key_id: key.key_id,
    public_key: publicKey,
    signed: SIGNED_CONTENT,
    sig: signEd25519(signedMessage(unsigned as unknown as Record<string, unknown>), key.secret_key),
  };
  return { ...unsigned, signature };
}

export type SignatureCheck = { ok: true; keyId: string; publicKey: string } | { ok: false; problem: string };

/** Checks report_sha256 and then the signature against a key the reviewer supplies (never the one the report names). */
export function verifyReportSignature(report: unknown, trustedKeys: { key_id: string | null; public_key: string; revoked_at?: string | null }[]): SignatureCheck {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) return { ok: false, problem: 'the report is not a JSON object' };
  const r = report as Record<string, unknown>;
  if (r.format !== EVIDENCE_REPORT_FORMAT) return { ok: false, problem: `the report's format is ${JSON.stringify(r.format)}, not ${EVIDENCE_REPORT_FORMAT}` };
  if (r.report_sha256 !== reportContentSha256(r)) return { ok: false, problem: 'report_sha256 does not match the report content: the report was edited after it was made' };
  const sig = r.signature as Partial<ReportSignature> | undefined;
  if (!sig || typeof sig !== 'object') return { ok: false, problem: 'the report is not signed' };
  if (sig.alg !== 'ed25519' || typeof sig.sig !== 'string' || !HEX128.test(sig.sig)) return { ok: false, problem: 'the signature member is not an Ed25519 signature' };
  const candidates = trustedKeys.filter((k) => k.key_id === null || k.key_id === sig.key_id);
  if (!candidates.length) return { ok: false, problem: `the report was signed with key ${JSON.stringify(sig.key_id)}, which is not among the keys you gave` };
  const message = signedMessage(r);
  for (const key of candidates) {
    if (!HEX64.test(key.public_key)) continue;
    if (verifyEd25519(sig.sig, message, key.public_key)) {
      if (key.revoked_at)
        return { ok: false, problem: `the signature verifies, but key ${sig.key_id} is revoked (since ${key.revoked_at}) in your trust store, and a report carries no trustworthy signing time` };
      return { ok: true, keyId: String(sig.key_id), publicKey: key.public_key };
    }
  }
  return { ok: false, problem: 'the signature does not verify with the key you gave: the report or its signature was changed, or another key signed it' };
}

/**
 * RFC 6901 pointers to where two JSON values differ, in document order. A
 * member or list with more than `collapse` differences inside is named once
 * (so a shifted timeline does not hide a changed verdict), and at most
 * `limit` pointers are returned.
 */
export function jsonDifferences(a: unknown, b: unknown, limit = 200, collapse = 12): string[] {
  const escape = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  const walk = (x: unknown, y: unknown, at: string): string[] => {
    const xo = typeof x === 'object' && x !== null;
    const yo = typeof y === 'object' && y !== null;
    if (xo && yo && Array.isArray(x) === Array.isArray(y)) {
      const out: string[] = [];
      if (Array.isArray(x) && Array.isArray(y)) {
        const n = Math.max(x.length, y.length);
        for (let i = 0; i < n; i++) out.push(...walk(x[i], y[i], `${at}/${i}`));
      } else {
        const keys = [...new Set([...Object.keys(x as object), ...Object.keys(y as object)])].sort();
        for (const k of keys) out.push(...walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${at}/${escape(k)}`));
      }
      return out.length > collapse && at !== '' ? [at] : out;
    }
    if (x === undefined && y === undefined) return [];
    return xo || yo || x !== y ? [at === '' ? '/' : at] : [];
  };
  return walk(a, b, '').slice(0, limit);
}
