/**
 * `audit-replay check-report <report.json> <export> [--trust f] [--policies dir] [--format id] [--hmac-key-file f] [--notes case.db] [--json]`
 * Re-runs everything and says whether the report reproduces exactly.
 * Exit 0 reproduces, 1 differs (or the report was edited), 2 unusable.
 */
import { checkReport } from '../report/check-report';
import { readJsonFile } from '../report/report-files';
import { parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';
import { checkReportInputs, reportInputOptions, reportInputsFrom } from './report-command';
import { checkRegularFile } from '../read/files';

const SHOWN = 40;

export const checkReportCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { ...reportInputOptions, json: { type: 'boolean', default: false } });
  if (positionals.length !== 2) throw new UsageError('check-report takes the report (.json) and the export it was made from');
  const [reportFile, exportPath] = positionals;
  await checkRegularFile(reportFile, 'report');
  await checkReportInputs(exportPath, values);
  const report = await readJsonFile(reportFile, 'report');
  const check = await checkReport(report, reportFile, await reportInputsFrom(exportPath, values));
  const recorded = (report as { report_sha256?: unknown }).report_sha256;
  if (values.json) {
    io.stdout.write(
      JSON.stringify({ reproduces: check.reproduces, edited: check.edited, differences: check.differences, recorded_sha256: recorded ?? null, rerun_sha256: check.rebuilt.report_sha256 }) + '\n',
    );
    return check.reproduces ? 0 : 1;
  }
  const out: string[] = [];
  if (check.reproduces) out.push(`${reportFile}: REPRODUCES: the re-run gives the same report, byte for byte (sha256 ${check.rebuilt.report_sha256})`);
  else {
    out.push(`${reportFile}: DIFFERS`);
    if (check.edited) out.push('  the report does not match its own report_sha256: it was edited after it was made');
    if (check.differences.length) {
      out.push(`  members that differ from the re-run (${check.differences.length}${check.differences.length >= 200 ? '+' : ''}):`);
      for (const p of check.differences.slice(0, SHOWN)) out.push(`    ${p}`);
      if (check.differences.length > SHOWN) out.push(`    … ${check.differences.length - SHOWN} more (use --json)`);
    }
    out.push(`  recorded sha256 ${String(recorded)}, re-run ${check.rebuilt.report_sha256}`);
    const hint = check.differences.find((p) => p.startsWith('/examined/'));
    if (hint) out.push('  an input differs from the one the report examined (export, trust store, policy bundles); /app differs when another app version re-ran it');
  }
  io.stdout.write(out.join('\n') + '\n');
  return check.reproduces ? 0 : 1;
};
