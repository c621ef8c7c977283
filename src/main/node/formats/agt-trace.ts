/**
 * AGT TRACE v0.2 Trust Record (TRACEAuditSink.emit): one signed JSON object
 * per session. The Ed25519 signature covers every member but itself; the key
 * it names in cnf.jwk vouches only for itself, so only a key of the
 * reviewer's trust store anchors the record.
 */
import type { FormatVerification } from '../../../shared/formats/case-model';
import { LexJsonError, LexObject, LineIndex, parseLexJson } from '../../../shared/json/lexeme-json';
import { checkTraceRecord, TRACE_EAT_PROFILE, traceSigningText, type TraceRecordCheck } from '../../../shared/formats/agt/trace-record';
import { compactJson, text } from '../../../shared/formats/agt/case-events';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { VerifyInputs } from '../../../shared/formats/case-model';
import type { FormatReader } from './reader';
import { readText } from './source';
import { nodeVerifyEd25519 } from './node-ed25519';
import { buildVerification } from './agt-common';
import { hasMembers } from './head-view';

export const AGT_TRACE_FORMAT = 'agt-trace-v0.2';

export type LoadedTraceRecord = { ok: true; record: LexObject; line: number; check: TraceRecordCheck } | { ok: false; line: number | null; problem: string; cutOff: boolean };

/** Reads and checks a Trust Record file; a file that is not one JSON object is a problem naming the line, never a throw. */
export async function loadTraceRecord(path: string, trust: VerifyInputs['trust']): Promise<LoadedTraceRecord> {
  const textOfFile = await readText(path);
  const lines = new LineIndex(textOfFile);
  let value;
  try {
    // Strict: a member written twice would let two readers see two records under one signature.
    value = parseLexJson(textOfFile, undefined, { strict: true });
  } catch (err) {
    const e = err as LexJsonError;
    const line = lines.lineOf(typeof e.offset === 'number' ? e.offset : 0);
    return {
      ok: false,
      line,
      cutOff: e.atEnd === true,
      problem: e.atEnd ? `the file ends at line ${line} in the middle of the record: it was cut off` : `the file is not valid JSON at line ${line} (${e.message})`,
    };
  }
  if (!(value instanceof LexObject)) return { ok: false, line: 1, cutOff: false, problem: 'the file is JSON but not one JSON object, as a Trust Record is' };
  const line = lines.lineOf(value.start);
  return { ok: true, record: value, line, check: checkTraceRecord(value, line, trust, nodeVerifyEd25519) };
}

export const agtTraceReader: FormatReader = {
  id: AGT_TRACE_FORMAT,
  describe: 'AGT TRACE v0.2 Trust Record from TRACEAuditSink (one JSON object, Ed25519 over every member; keys via --trust)',
  detect(head) {
    const d = head.document;
    if (d instanceof LexObject && d.get('eat_profile') === TRACE_EAT_PROFILE) {
      return { score: 95, reason: `a JSON object whose eat_profile is "${TRACE_EAT_PROFILE}", as AGT's TRACEAuditSink writes` };
    }
    if (hasMembers(d, 'eat_profile', 'cnf', 'tool_transcript', 'signature')) {
      return { score: 80, reason: 'a JSON object with eat_profile, cnf, tool_transcript and signature, as a TRACE Trust Record has' };
    }
    return null;
  },
  async verify(o) {
    const loaded = await loadTraceRecord(o.path, o.trust);
    const findings = new FindingCollector();
    if (!loaded.ok) {
      findings.push(finding(loaded.cutOff ? 'truncated' : 'malformed-line', null, loaded.line, `The Trust Record cannot be read: ${loaded.problem}.`));
      return recordVerification(o.formatReason, findings, null, null, { malformed: true });
    }
    const { record, line, check } = loaded;
    findings.add(check.findings);
    const profile = record.get('eat_profile');
    o.onEvent?.({
      index: 0,
      seq: 0,
      line,
      ts: check.iat === null ? '' : new Date(check.iat * 1000).toISOString(),
      kind: 'trust.record',
      actorType: 'agent',
      actorId: text(record.get('subject')),
      outcome: null,
      summary: `TRACE Trust Record: ${check.callCount ?? '?'} entries, data class ${text(record.get('data_class')) || '?'}`,
      raw: compactJson(record),
      canonical: traceSigningText(record),
      recordedHash: null,
      computedHash: null,
      prevHash: null,
      unauthenticated: [],
    });
    return recordVerification(o.formatReason, findings, record, check, {
      malformed: false,
      profile: profile === TRACE_EAT_PROFILE ? null : `Its eat_profile is ${JSON.stringify(text(profile))}, not "${TRACE_EAT_PROFILE}"; it was checked with the v0.2 recipe.`,
    });
  },
};

function recordVerification(
  formatReason: string | undefined,
  findings: FindingCollector,
  record: LexObject | null,
  check: TraceRecordCheck | null,
  o: { malformed: boolean; profile?: string | null },
): FormatVerification {
  const signed = check?.signature === 'valid';
  const v = buildVerification({
    format: AGT_TRACE_FORMAT,
    formatReason: formatReason ?? `read as ${AGT_TRACE_FORMAT}`,
    findings,
    events: record ? 1 : 0,
    headHash: null,
    chainStart: 'none',
    // The format signs every member but the signature: a failed or missing signature is a finding, not an unsigned member.
    unauthenticated: [],
    malformed: o.malformed,
    anchored: check?.trusted === true,
    anchorSentence: check?.anchorSentence ?? 'the Trust Record cannot be read.',
    signer: check?.signer ?? { status: 'none', key_id: null, public_key: null },
    noun: 'record',
    details: check
      ? {
          subject: text(record!.get('subject')),
          iat: check.iat,
          signature: check.signature,
          publicKey: check.publicKey,
          callCount: check.callCount,
          transcriptHash: check.transcriptHash,
          measurement: check.measurement,
          transparency: record!.get('transparency') === undefined || record!.get('transparency') === null ? null : compactJson(record!.get('transparency')!),
        }
      : {},
  });
  // A single signed object has no chain or tail: say what the signature proves instead.
  const transparency = record?.get('transparency');
  const anchorOutside =
    transparency === undefined || transparency === null
      ? ' Nothing anchors the record outside itself (transparency is null), so a deleted record cannot be seen.'
      : ' Its transparency member is not checked here, so whether the record was logged elsewhere is not known.';
  const profile = o.profile ? ` ${o.profile}` : '';
  if (v.verdict === 'intact') v.verdictReason = `The Trust Record's signature covers every member (cnf.jwk included) and holds, and ${check!.anchorSentence}${anchorOutside}${profile}`;
  else if (v.verdict === 'unanchored') v.verdictReason = `The Trust Record's signature holds, but ${check!.anchorSentence}${profile}`;
  else if (v.verdict === 'tampered') v.verdictReason = `Tampering found: ${v.firstFailure!.message}${profile}`;
  if (v.verdict !== 'malformed') {
    // The signature is the record's integrity check; buildVerification only knows chains.
    if (signed && v.integrity.status === 'unknown') v.integrity = { status: 'intact', unproven: [], sentence: 'The signature covers every member of the record and holds.' };
  }
  return v;
}
