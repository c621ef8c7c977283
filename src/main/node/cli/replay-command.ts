/**
 * `audit-replay replay <export> --policies <dir> [--against name@version|digest] [--json] [--workers N]`
 * Exit codes: 0 every decision matched and no sequence finding, 1 divergences,
 * not-replayable decisions or sequence findings, 2 unusable input.
 */
import { replayExitCode } from '../../../shared/replay/report';
import type { ReplayReport } from '../../../shared/replay/types';
import { replayExport } from '../replay/replay-service';
import { intOption, parseCommandArgs, waitTimeoutOption } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';

const SHOWN = 50;

export const replayCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    policies: { type: 'string' },
    against: { type: 'string' },
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
    redis: { type: 'string' },
    'chunk-bytes': { type: 'string' },
    'wait-timeout': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('replay takes exactly one export file');
  if (!values.policies) throw new UsageError('--policies <folder of bundles> is required');
  let run: { report: ReplayReport; sha256: string };
  if (values.redis !== undefined) {
    if (values.workers !== undefined) throw new UsageError('--workers is not available with --redis (the workers are the ones on the queue)');
    const chunkBytes = values['chunk-bytes'] === undefined ? undefined : intOption(values['chunk-bytes'], 'chunk-bytes');
    if (chunkBytes !== undefined && chunkBytes < 1) throw new UsageError('--chunk-bytes takes a number of bytes above 0');
    const { replayDistributed } = await import('../scale/replay-chunks');
    run = await replayDistributed({
      exportPath: positionals[0],
      policies: values.policies,
      against: values.against ?? null,
      redis: values.redis,
      chunkBytes,
      waitTimeoutMs: waitTimeoutOption(values['wait-timeout']),
    });
  } else {
    for (const name of ['chunk-bytes', 'wait-timeout'] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} is for --redis runs`);
    }
    const workers = values.workers === undefined ? 1 : intOption(values.workers, 'workers');
    if (workers < 1 || workers > 64) throw new UsageError('--workers takes a number from 1 to 64');
    run = await replayExport({ exportPath: positionals[0], policies: values.policies, against: values.against ?? null, workers });
  }
  const r = run.report;
  if (values.json) {
    // The report's own members plus its SHA-256: drop report_sha256, canonicalize, hash, and it must match.
    io.stdout.write(JSON.stringify({ ...r, report_sha256: run.sha256 }) + '\n');
    return replayExitCode(r);
  }
  const out: string[] = [];
  const warnings = r.sequence_findings.filter((f) => f.severity === 'warning').length;
  const violations = r.sequence_findings.length - warnings;
  out.push(
    `${positionals[0]}: ${r.decisions} decisions: ${r.matched} matched, ${r.diverged} diverged, ${r.not_replayable} not replayable; ${violations} workflow ${violations === 1 ? 'violation' : 'violations'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`,
  );
  out.push(`  conduct: ${r.conduct.status === 'clean' ? 'CLEAN' : r.conduct.status === 'violations' ? 'VIOLATIONS' : 'NOT CHECKED IN FULL'}: ${r.conduct.sentence}`);
  out.push(`  bundles: ${r.bundles.map((b) => `${b.name}@${b.version} ${b.digest}`).join(', ')}`);
  if (r.unreadable_lines.length) out.push(`  ${r.unreadable_lines.length} lines could not be read as events (first at line ${r.unreadable_lines[0]}); run verify`);
  if (r.divergences.length) out.push(`  divergences (${r.divergences.length}):`);
  for (const d of r.divergences.slice(0, SHOWN)) {
    const fields = d.fields.map((f) => `${f.field} recorded ${JSON.stringify(f.recorded)}, replayed ${JSON.stringify(f.replayed)}`).join('; ');
    out.push(`    seq ${d.seq} ${d.decision_id} (${d.agent}, ${d.policy.name}@${d.policy.version}): ${fields}`);
  }
  if (r.divergences.length > SHOWN) out.push(`    … ${r.divergences.length - SHOWN} more (use --json for all)`);
  if (r.not_replayable_decisions.length) out.push(`  not replayable (${r.not_replayable_decisions.length}):`);
  for (const n of r.not_replayable_decisions.slice(0, SHOWN)) out.push(`    seq ${n.seq} ${n.decision_id} [${n.reason}]: ${n.message}`);
  if (r.not_replayable_decisions.length > SHOWN) out.push(`    … ${r.not_replayable_decisions.length - SHOWN} more (use --json for all)`);
  if (r.sequence_findings.length) out.push(`  sequence findings (${r.sequence_findings.length}):`);
  for (const f of r.sequence_findings.slice(0, SHOWN))
    out.push(`    [${f.kind}${f.severity === 'warning' ? ', warning' : ''}] seq ${f.seq}: ${f.message}${f.related_seqs.length ? ` (involves seq ${f.related_seqs.join(', seq ')})` : ''}`);
  if (r.sequence_findings.length > SHOWN) out.push(`    … ${r.sequence_findings.length - SHOWN} more (use --json for all)`);
  const w = r.what_if;
  if (w) {
    out.push(
      `  what-if against ${w.against.name}@${w.against.version} (${w.against.digest}): ${w.changed} of ${w.evaluated} decisions change${w.errors ? `, ${w.errors} refused by that bundle` : ''}`,
    );
    for (const [t, n] of Object.entries(w.by_transition).sort()) out.push(`    ${t}: ${n}`);
    for (const [id, n] of Object.entries(w.by_policy).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) out.push(`    policy ${id}: ${n}`);
  }
  out.push(`  report sha256: ${run.sha256}`);
  io.stdout.write(out.join('\n') + '\n');
  return replayExitCode(r);
};
