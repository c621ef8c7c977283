/**
 * `verify <agent-mesh log> --trace-record <record.json>`: the session's
 * StdoutAuditSink log checked against the TRACE Trust Record signed at
 * session close. The record binds the entry count, a hash over every member
 * of every entry (the 13 entry_hash leaves out too) and the Merkle root of the
 * entry hashes, so an edit outside entry_hash, a recomputed chain and a cut
 * tail all show; a log that matches a record signed by a trusted key is intact.
 */
import { createHash } from 'node:crypto';
import type { FormatVerification, VerifyInputs } from '../../../shared/formats/case-model';
import { AUDIT_ENTRY_SET, transcriptEntryText, traceMeasurement } from '../../../shared/formats/agt/trace-record';
import { chainStartSentence } from '../../../shared/formats/chain-check';
import { finding, FindingCollector, type Finding } from '../../../shared/verify/findings';
import { agtMeshJsonlReader } from '../formats/agt-mesh-jsonl';
import { loadTraceRecord } from '../formats/agt-trace';
import { buildVerification, objectLines } from '../formats/agt-common';
import { nodeSha256Hex } from '../read/hashes';
import type { VerifyFileOptions } from '../formats/reader';
import { InputError } from '../errors/errors';
import { fileDigest } from '../read/file-digest';

/** One binding of the record to the log: what the record says, what the log gives. */
export interface TraceBinding {
  recorded: string | number | null;
  /** Null when the log could not be read far enough to compute it. */
  computed: string | number | null;
  matches: boolean;
}

/** What --json prints as "trace_record". */
export interface TraceRecordSummary {
  path: string;
  sha256: string;
  bytes: number;
  signature: 'valid' | 'invalid' | 'missing';
  signer: { status: string; key_id: string | null; public_key: string | null };
  iat: number | null;
  /** The last entry's timestamp in whole epoch seconds, which TRACEAuditSink writes as iat. */
  last_entry_time: number | null;
  checks: { call_count: TraceBinding; transcript_hash: TraceBinding; measurement: TraceBinding };
  /** False when the record's signature does not hold: the checks are shown, but a record that does not hold vouches for nothing and they were not used. */
  checks_used: boolean;
}

interface LogFacts {
  entries: number;
  /** False when an entry could not be parsed or has no entry_hash: the transcript and root cannot be rebuilt. */
  complete: boolean;
  transcriptHash: string;
  measurement: string;
  lastEntryTime: number | null;
  /** Members of the log's entries outside AuditEntry's member set (covered by nothing, record or not). */
  outsideEntry: Set<string>;
}

/** The log's side of the three bindings, streamed: one pass, the transcript hashed as it is read. */
async function logFacts(o: VerifyFileOptions): Promise<LogFacts> {
  const transcript = createHash('sha256');
  const hashes: string[] = [];
  const outsideEntry = new Set<string>();
  let complete = true;
  let lastTs: unknown = null;
  const lines = objectLines({ path: o.path, trust: null, hmacKey: null, signal: o.signal }, 'entry', () => (complete = false));
  let n = 0;
  for await (const { entry } of lines) {
    const h = entry.get('entry_hash');
    if (typeof h !== 'string') complete = false;
    else hashes.push(h);
    transcript.update((n++ === 0 ? '[' : ',') + transcriptEntryText(entry), 'utf8');
    for (const k of entry.keys()) if (!AUDIT_ENTRY_SET.has(k)) outsideEntry.add(k);
    lastTs = entry.get('timestamp');
  }
  transcript.update(n === 0 ? '[]' : ']', 'utf8');
  const t = typeof lastTs === 'string' ? Date.parse(lastTs) : NaN;
  return {
    entries: lines.stats.entries,
    complete: complete && n === lines.stats.entries,
    transcriptHash: 'sha256:' + transcript.digest('hex'),
    measurement: traceMeasurement(hashes, nodeSha256Hex),
    lastEntryTime: Number.isNaN(t) ? null : Math.floor(t / 1000),
    outsideEntry,
  };
}

const OR_OTHER = 'or the record is of another session';

export async function verifyAgainstTraceRecord(o: VerifyFileOptions, tracePath: string, trust: VerifyInputs['trust']): Promise<{ verification: FormatVerification; traceRecord: TraceRecordSummary }> {
  const loaded = await loadTraceRecord(tracePath, trust);
  if (!loaded.ok) throw new InputError(`the Trust Record cannot be read: ${loaded.problem}`, tracePath, loaded.line ?? undefined);
  const { check } = loaded;
  const log = await agtMeshJsonlReader.verify(o);
  const facts = await logFacts(o);
  const name = tracePath;
  const findings = new FindingCollector().add(log.findings);
  const bind = (recorded: string | number | null, computed: string | number | null): TraceBinding => ({ recorded, computed, matches: recorded !== null && recorded === computed });
  const checks = {
    call_count: bind(check.callCount, facts.entries),
    transcript_hash: bind(check.transcriptHash, facts.complete ? facts.transcriptHash : null),
    measurement: bind(check.measurement, facts.complete ? facts.measurement : null),
  };
  const recordFinding = (f: Finding): Finding => finding(f.kind, null, null, `${f.message.replace(/^The Trust Record/, `The Trust Record ${name}`)} It cannot vouch for this log.`);
  if (check.signature !== 'valid') {
    // An altered or unsigned record proves nothing about the log; its bindings are not compared.
    for (const f of check.findings) findings.push(recordFinding(f));
  } else {
    for (const f of check.findings) findings.push(finding(f.kind, null, null, f.message.replace(/^The Trust Record/, `The Trust Record ${name}`)));
    if (!checks.call_count.matches) {
      const fewer = check.callCount !== null && facts.entries < check.callCount;
      findings.push(
        finding(
          'call-count-mismatch',
          null,
          null,
          check.callCount === null
            ? `The Trust Record ${name} has no whole-number tool_transcript.call_count to compare with the log's ${facts.entries} entries.`
            : `The log holds ${facts.entries} entries but the Trust Record ${name} counts ${check.callCount} (tool_transcript.call_count): entries were ${fewer ? 'removed from' : 'added to'} the log after the record was signed${fewer ? ' (a cut tail leaves the chain itself consistent)' : ''}, ${OR_OTHER}.`,
        ),
      );
    }
    if (facts.complete && !checks.transcript_hash.matches) {
      findings.push(
        finding(
          'transcript-mismatch',
          null,
          null,
          `The log's entries do not hash to the Trust Record's tool_transcript.hash (the record says ${check.transcriptHash ?? 'nothing'}, the log gives ${facts.transcriptHash}): a member of an entry differs from what was signed (members outside entry_hash, such as policy_decision or approver_did, included), or entries were added, removed or reordered, ${OR_OTHER}. One hash over the whole transcript cannot say which entry.`,
        ),
      );
    }
    if (facts.complete && !checks.measurement.matches) {
      findings.push(
        finding(
          'measurement-mismatch',
          null,
          null,
          `The Merkle root of the log's entry_hash values does not match the Trust Record's runtime.measurement (the record says ${check.measurement ?? 'nothing'}, the log gives ${facts.measurement}): entry hashes were recomputed (a re-chained log), or entries were added, removed or reordered, ${OR_OTHER}.`,
        ),
      );
    }
  }
  const allMatch = checks.call_count.matches && checks.transcript_hash.matches && checks.measurement.matches;
  const anchored = check.trusted && allMatch;
  const coveredByRecord = check.signature === 'valid' && checks.transcript_hash.matches;
  let anchorSentence: string;
  if (anchored) anchorSentence = `the log matches the Trust Record ${name} (entry count, transcript hash over every member of every entry, Merkle root), and ${check.anchorSentence}`;
  else if (check.signature !== 'valid')
    anchorSentence = `the Trust Record ${name} given to anchor it does not hold, so ${log.signer.status === 'none' ? 'the chain is only hashed, with no key or trusted signature behind it.' : 'nothing vouches for the log.'}`;
  else if (!allMatch) anchorSentence = `${check.anchorSentence.replace(/^the Trust Record/, `the Trust Record ${name}`)} The log does not match it.`;
  else anchorSentence = `the Trust Record ${name}, which the log matches, is not vouched for, since ${check.anchorSentence}`;
  const verification = buildVerification({
    format: log.format,
    formatReason: o.formatReason ?? log.formatReason,
    findings,
    events: log.events,
    headHash: log.headHash,
    chainStart: log.chainStart,
    unauthenticated: coveredByRecord ? facts.outsideEntry : log.unauthenticatedFields,
    malformed: log.verdict === 'malformed',
    anchored,
    anchorSentence,
    signer: check.signature === 'valid' ? check.signer : { status: 'none', key_id: null, public_key: null },
    noun: 'entry',
    details: { ...log.details, traceRecord: tracePath },
  });
  if (verification.verdict === 'intact') {
    // The record's count and root close the tail, so the usual "compare the last hash" advice does not apply.
    verification.verdictReason = `Every entry matches its hash and its link, and ${anchorSentence} ${chainStartSentence(log.chainStart, 'entry')} The record's entry count and Merkle root rule out entries cut from the end.`;
  }
  const file = await fileDigest(tracePath);
  return {
    verification,
    traceRecord: {
      path: tracePath,
      ...file,
      signature: check.signature,
      signer: check.signer,
      iat: check.iat,
      last_entry_time: facts.lastEntryTime,
      checks,
      checks_used: check.signature === 'valid',
    },
  };
}
