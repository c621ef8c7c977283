/**
 * `audit-replay replay <export> --policies <dir> [--against name@version|digest] [--json] [--workers N]`
 * Exit codes: 0 every decision matched and no sequence finding, 1 divergences,
 * not-replayable decisions or sequence findings, 2 unusable input.
 */
import { replayExitCode } from '../../../shared/replay/report';
import { replayExport } from '../replay/replay-service';
import { intOption, parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';

const SHOWN = 50;

export const replayCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    policies: { type: 'string' },
    against: { type: 'string' },
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('replay takes exactly one export file');
  if (!values.policies) throw new UsageError('--policies <folder of bundles> is required');
  const workers = values.workers === undefined ? 1 : intOption(values.workers, 'workers');
  if (workers < 1 || workers > 64) throw new UsageError('--workers takes a number from 1 to 64');
  const run = await replayExport({ exportPath: positionals[0], policies: values.policies, against: values.against ?? null, workers });
  const r = run.report;
  if (values.json) {
    // The report's own members plus its SHA-256: drop report_sha256, canonicalize, hash, and it must match.
    io.stdout.write(JSON.stringify({ ...r, report_sha256: run.sha256 }) + '\n');
    return replayExitCode(r);
  }
  const out: string[] = [];
  out.push(`${positionals[0]}: ${r.decisions} decisions: ${r.matched} matched, ${r.diverged} diverged, ${r.not_replayable} not replayable; ${r.sequence_findings.length} sequence findings`);
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
  for (const f of r.sequence_findings.slice(0, SHOWN)) out.push(`    [${f.kind}] seq ${f.seq}: ${f.message}`);
  if (r.sequence_findings.length > SHOWN) out.push(`    … ${r.sequence_findings.length - SHOWN} more (use --json for all)`);
  const w = r.what_if;
  if (w) {
    out.push(`  what-if against ${w.against.name}@${w.against.version} (${w.against.digest}): ${w.changed} of ${w.evaluated} decisions change${w.errors ? `, ${w.errors} refused by that bundle` : ''}`);
    for (const [t, n] of Object.entries(w.by_transition).sort()) out.push(`    ${t}: ${n}`);
    for (const [id, n] of Object.entries(w.by_policy).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) out.push(`    policy ${id}: ${n}`);
  }
  out.push(`  report sha256: ${run.sha256}`);
  io.stdout.write(out.join('\n') + '\n');
  return replayExitCode(r);
};
