/**
 * `audit-replay open <export> [--trust f] [--policies dir] [--hmac-key-file f] [--format id] [--cases DIR] [--json]`:
 * make a case exactly as the desk does (the same service, ingest worker and
 * store), for pre-ingesting big exports in a batch. The case lands in the
 * desk's cases folder unless --cases names another, and the desk lists it.
 * Exit codes as `verify`: 0 intact, 1 tampered, 3 unanchored, 2 no case made.
 */
import path from 'node:path';
import { VERDICT_EXIT_CODE } from '../../../shared/verify/findings';
import { InputError, UsageError } from '../errors/errors';
import { createAuditService } from '../service/audit-service';
import { defaultCasesDir } from '../service/desk-folders';
import { caseFile } from '../ingest/ingest-case';
import type { JobProgress } from '../../../shared/api/audit-api';
import { intOption, parseCommandArgs } from './args';
import type { CliCommand } from './io';
import { progressPrinter } from './progress';

export const openCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    trust: { type: 'string' },
    policies: { type: 'string' },
    'hmac-key-file': { type: 'string' },
    format: { type: 'string' },
    cases: { type: 'string' },
    json: { type: 'boolean', default: false },
    workers: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('open takes exactly one export');
  const exportPath = positionals[0];
  const casesDir = path.resolve(values.cases ?? defaultCasesDir());
  const service = createAuditService({ casesDir, workers: values.workers === undefined ? undefined : intOption(values.workers, 'workers') });
  const progress = progressPrinter(io);
  try {
    let end!: (p: JobProgress) => void;
    const ended = new Promise<JobProgress>((resolve) => (end = resolve));
    let jobId: string | null = null;
    const early: JobProgress[] = [];
    const onProgress = (p: JobProgress) => {
      if (jobId === null) {
        early.push(p);
        return;
      }
      if (p.jobId !== jobId) return;
      if (p.phase === 'done' || p.phase === 'failed' || p.phase === 'cancelled') end(p);
      else progress.update(p.bytesDone, p.events);
    };
    service.onProgress(onProgress);
    let started: { jobId: string };
    try {
      started = await service.openExport({
        exportPath,
        trustPath: values.trust ?? null,
        policiesPath: values.policies ?? null,
        hmacKeyPath: values['hmac-key-file'] ?? null,
        format: values.format ?? null,
      });
    } catch (err) {
      // The service words it already (a missing file, a FIFO, a folder).
      throw new InputError((err as Error).message.replace(/\.$/, ''));
    }
    jobId = started.jobId;
    for (const p of early.splice(0)) onProgress(p);
    const last = await ended;
    progress.done();
    if (last.phase !== 'done' || !last.caseId) {
      io.stderr.write(`audit-replay open: ${last.error ?? 'the ingest did not finish'}\n`);
      return 2;
    }
    const summary = await service.getCaseSummary(last.caseId);
    if (values.json) {
      io.stdout.write(
        JSON.stringify({
          case_id: summary.caseId,
          verdict: summary.verdict,
          verdict_reason: summary.verdictReason,
          case_dir: casesDir,
          case_file: caseFile(casesDir, summary.caseId),
          export_path: summary.exportPath,
          export_sha256: summary.exportSha256,
          export_bytes: summary.exportBytes,
          format: summary.format,
          events: summary.events,
          integrity: summary.integrity.status,
          signer: summary.signer.status,
          conduct: summary.conduct.status,
          finding_counts: summary.findingCounts,
          replay: summary.replay,
          replay_error: summary.replayError,
        }) + '\n',
      );
    } else {
      const out = [
        `${summary.exportPath}: ${summary.verdict.toUpperCase()}`,
        `  ${summary.verdictReason}`,
        `  case ${summary.caseId} in ${casesDir}`,
        `  events: ${summary.events}; format: ${summary.format}`,
        `  record: ${summary.integrity.status}; signer: ${summary.signer.status}; conduct: ${summary.conduct.status}`,
      ];
      if (summary.replayError) out.push(`  replay: ${summary.replayError}`);
      io.stdout.write(out.join('\n') + '\n');
    }
    return VERDICT_EXIT_CODE[summary.verdict];
  } finally {
    await service.close();
  }
};
