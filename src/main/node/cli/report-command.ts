/**
 * `audit-replay report <export> [--trust f] [--policies dir] [--format id] [--hmac-key-file f]
 *    --out report.json|.html|.pdf [--out …] [--notes case.db] [--sign-key key.json] [--workers N]`
 * Writes the evidence report (docs/reports.md). Exit 0 written, 2 unusable input,
 * an --out that is one of the inputs, or an --out that cannot be written.
 * The input paths are printed here, never put in the report.
 */
import path from 'node:path';
import { signReport } from '../../../shared/report/seal';
import { buildEvidenceReport } from '../report/build-report';
import { formatOfPath, readSigningKey, renderReport } from '../report/report-files';
import { readCaseNotes } from '../notes/read-case-notes';
import { fileDigest } from '../read/file-digest';
import { intOption, parseCommandArgs } from './args';
import { InputError, UsageError } from '../errors/errors';
import { checkRegularFile, refuseOutputsOverInputs, writeOutputFile, type NamedInput } from '../read/files';
import type { CliCommand } from './io';

export const reportInputOptions = {
  trust: { type: 'string' },
  policies: { type: 'string' },
  format: { type: 'string' },
  'hmac-key-file': { type: 'string' },
  notes: { type: 'string' },
  workers: { type: 'string' },
} as const;

type ReportInputValues = { trust?: string; policies?: string; format?: string; 'hmac-key-file'?: string; notes?: string; workers?: string };

/** The input files of report and check-report, each refused up front unless it is a regular file (a FIFO would hang the run). */
export async function checkReportInputs(exportPath: string, values: ReportInputValues): Promise<void> {
  await checkRegularFile(exportPath, 'export');
  if (values.trust) await checkRegularFile(values.trust, 'trust store');
  if (values['hmac-key-file']) await checkRegularFile(values['hmac-key-file'], 'HMAC key file');
  if (values.notes) await checkRegularFile(values.notes, 'case store holding the notes');
}

/** What a report reads, for refusing an --out that would overwrite it. */
export function reportInputs(exportPath: string, values: ReportInputValues & { 'sign-key'?: string }): NamedInput[] {
  return [
    { path: exportPath, role: 'export being examined' },
    { path: values.trust, role: 'trust store given with --trust' },
    { path: values.policies, role: 'policy folder given with --policies' },
    { path: values['hmac-key-file'], role: 'HMAC key file given with --hmac-key-file' },
    { path: values.notes, role: 'case store given with --notes' },
    { path: values['sign-key'], role: 'signing key given with --sign-key' },
  ];
}

export async function reportInputsFrom(exportPath: string, values: ReportInputValues) {
  const workers = values.workers === undefined ? 1 : intOption(values.workers, 'workers');
  if (workers < 1 || workers > 64) throw new UsageError('--workers takes a number from 1 to 64');
  let notes;
  if (values.notes) {
    const { sha256 } = await fileDigest(exportPath);
    notes = readCaseNotes(values.notes, sha256);
  }
  return { exportPath, trustPath: values.trust ?? null, policiesPath: values.policies ?? null, format: values.format ?? null, hmacKeyPath: values['hmac-key-file'] ?? null, workers, notes };
}

export const reportCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    ...reportInputOptions,
    out: { type: 'string', multiple: true },
    'sign-key': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('report takes exactly one export file');
  const outs = values.out ?? [];
  if (!outs.length) throw new UsageError('--out report.json|report.html|report.pdf is required (repeat it for several formats)');
  const formats = outs.map(formatOfPath);
  await checkReportInputs(positionals[0], values);
  // Before anything is read at length or written: no --out may be an input, or another --out.
  refuseOutputsOverInputs(
    outs.map((o) => ({ path: o, label: `--out ${o}` })),
    reportInputs(positionals[0], values),
  );
  const key = values['sign-key'] ? await readSigningKey(values['sign-key']) : null;
  let report = await buildEvidenceReport(await reportInputsFrom(positionals[0], values));
  if (key) {
    try {
      report = signReport(report, key);
    } catch (err) {
      throw new InputError((err as Error).message, values['sign-key']);
    }
  }
  const lines: string[] = [];
  for (let i = 0; i < outs.length; i++) {
    const bytes = await renderReport(report, formats[i]);
    await writeOutputFile(outs[i], bytes);
    lines.push(`wrote ${outs[i]} (${formats[i]}, ${bytes.length} bytes)`);
  }
  const r = report;
  lines.push(
    `  verdict: ${r.verification.verdict}; ${r.verification.findings.length} findings; ${r.replay ? `${r.replay.decisions} decisions replayed, ${r.replay.diverged} diverged, ${r.replay.not_replayable} not replayable, ${r.replay.conduct.sequence_findings} workflow violations, ${r.replay.conduct.sequence_warnings ?? 0} warnings` : `not replayed: ${r.replay_error}`}; ${r.notes.length} notes`,
  );
  lines.push(`  report sha256: ${r.report_sha256}${r.signature ? `; signed by ${r.signature.key_id}` : ''}`);
  lines.push(
    `  inputs (not in the report): export ${path.resolve(positionals[0])}${values.trust ? `, trust ${path.resolve(values.trust)}` : ''}${values.policies ? `, policies ${path.resolve(values.policies)}` : ''}${values.notes ? `, notes ${path.resolve(values.notes)}` : ''}`,
  );
  io.stdout.write(lines.join('\n') + '\n');
  return 0;
};
