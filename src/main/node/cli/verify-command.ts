import { VERDICT_EXIT_CODE } from '../../../shared/verify/findings';
import { verifyFile, type VerifyFileResult } from '../verify/verify-file';
import { intOption, parseCommandArgs, waitTimeoutOption } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand, CliIo } from './io';
import { progressPrinter } from './progress';
import { describeRange, joinAdjacent, type IntegrityStatus } from '../../../shared/verify/answers';

export const integrityWord = (s: IntegrityStatus) => (s === 'intact' ? 'consistent (every hash, link and root holds)' : s === 'altered' ? 'ALTERED' : 'cannot be checked');

export const verifyCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    trust: { type: 'string' },
    format: { type: 'string' },
    'hmac-key-file': { type: 'string' },
    continues: { type: 'string' },
    'trace-record': { type: 'string' },
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
    redis: { type: 'string' },
    'segment-bytes': { type: 'string' },
    'wait-timeout': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('verify takes exactly one file');
  if (values.redis !== undefined) {
    for (const name of ['format', 'hmac-key-file', 'continues', 'trace-record', 'workers'] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} is not available with --redis (a distributed run verifies an audit-export/1 file with --trust)`);
    }
    const segmentBytes = values['segment-bytes'] === undefined ? undefined : intOption(values['segment-bytes'], 'segment-bytes');
    if (segmentBytes !== undefined && segmentBytes < 1) throw new UsageError('--segment-bytes takes a number of bytes above 0');
    const { verifyDistributed } = await import('../scale/verify-run');
    const run = await verifyDistributed({ path: positionals[0], trustPath: values.trust ?? null, redis: values.redis, segmentBytes, waitTimeoutMs: waitTimeoutOption(values['wait-timeout']) });
    return printVerification(run.result, values.json ?? false, io);
  }
  for (const name of ['segment-bytes', 'wait-timeout'] as const) {
    if (values[name] !== undefined) throw new UsageError(`--${name} is for --redis runs`);
  }
  const progress = progressPrinter(io);
  const result = await verifyFile({
    path: positionals[0],
    trustPath: values.trust ?? null,
    hmacKeyPath: values['hmac-key-file'] ?? null,
    format: values.format ?? null,
    continuesPath: values.continues ?? null,
    traceRecordPath: values['trace-record'] ?? null,
    workers: values.workers === undefined ? undefined : intOption(values.workers, 'workers'),
    onProgress: progress.update,
  });
  progress.done();
  return printVerification(result, values.json ?? false, io);
};

/** What `verify` prints and exits with, for a local or a distributed run alike. */
function printVerification(result: VerifyFileResult, json: boolean, io: CliIo): number {
  if (json) {
    io.stdout.write(
      JSON.stringify({
        verdict: result.verdict,
        integrity: result.integrity,
        signer: result.signer,
        events: result.events,
        findings: result.findings.map((f) => ({ kind: f.kind, seq: f.seq, line: f.line, message: f.message, severity: f.severity })),
        // Per kind, the findings counted but not listed above (each kind's list ends with one finding saying how many).
        folded: result.folded ?? {},
        first_failure: result.firstFailure,
        verdict_reason: result.verdictReason,
        format: result.format,
        format_reason: result.formatReason,
        head_hash: result.headHash,
        chain_start: result.chainStart,
        unauthenticated_fields: result.unauthenticatedFields,
        file: result.file,
        trust: result.trust,
        // The TRACE Trust Record the log was checked against (--trace-record), else null.
        trace_record: result.traceRecord,
        details: result.details,
      }) + '\n',
    );
  } else {
    const out: string[] = [];
    out.push(`${result.file.path}: ${result.verdict.toUpperCase()}`);
    out.push(`  ${result.verdictReason}`);
    const stretches = joinAdjacent(result.integrity.unproven);
    out.push(`  record: ${integrityWord(result.integrity.status)}`);
    for (const s of stretches.slice(0, 5)) out.push(`    cannot be proven: ${describeRange(s)}: ${s.why}`);
    if (stretches.length > 5) out.push(`    … ${stretches.length - 5} more stretches (use --json for all)`);
    out.push(`  signer: ${result.signer.sentence}`);
    if (result.signer.status !== 'trusted' && result.signer.public_key) out.push(`    key_id ${result.signer.key_id ?? '(none)'}, public key ${result.signer.public_key}`);
    if (result.signer.advice) out.push(`  what to do: ${result.signer.advice}`);
    out.push(`  format: ${result.format} (${result.formatReason})`);
    if (result.traceRecord) {
      const t = result.traceRecord;
      const word = (b: { matches: boolean; computed: unknown }) => (b.matches ? 'matches' : b.computed === null ? 'cannot be computed' : 'DIFFERS');
      const checks = t.checks_used
        ? `call_count ${word(t.checks.call_count)}, tool_transcript.hash ${word(t.checks.transcript_hash)}, runtime.measurement ${word(t.checks.measurement)}`
        : 'its values were not compared, since a record whose signature does not hold vouches for nothing';
      out.push(`  trace record: ${t.path}: signature ${t.signature}, signer ${t.signer.status}; ${checks}`);
    }
    out.push(`  events: ${result.events}; sha256 of file: ${result.file.sha256}`);
    if (result.headHash) out.push(`  last hash: ${result.headHash} (compare with an outside record to rule out a cut tail)`);
    if (result.unauthenticatedFields.length) out.push(`  not covered by any hash or signature: ${result.unauthenticatedFields.join(', ')}`);
    const shown = result.findings.slice(0, 50);
    if (shown.length) out.push(`  findings (${result.findings.length}):`);
    for (const f of shown) out.push(`    [${f.kind}] ${f.line !== null ? `line ${f.line}` : 'file'}${f.seq !== null ? `, seq ${f.seq}` : ''}: ${f.message}`);
    if (result.findings.length > shown.length) out.push(`    … ${result.findings.length - shown.length} more (use --json for all)`);
    io.stdout.write(out.join('\n') + '\n');
  }
  return VERDICT_EXIT_CODE[result.verdict];
}
