/**
 * The evidence report of a case in the app: everything is run again from the
 * case's inputs (the same code as `audit-replay report`, so the bytes match),
 * with the case's notes. A case whose export changed on disk is refused.
 */
import type { CaseSummary, ReportExport, ReportFormat } from '../../../shared/api/audit-api';
import type { StoredNote } from '../store/notes-store';
import { buildEvidenceReport } from './build-report';
import type { HtmlToPdf } from './pdf';
import { writeReport } from './report-files';
import { refuseOutputsOverInputs } from '../read/files';

export interface CaseReportRequest {
  summary: CaseSummary;
  notes: StoredNote[];
  format: ReportFormat;
  outPath: string;
  /** The case's own store, which the report must not overwrite either. */
  caseStore?: string;
  htmlToPdf?: HtmlToPdf;
  summarizeWorkerUrl?: string;
}

export async function exportCaseReport(request: CaseReportRequest): Promise<ReportExport> {
  const s = request.summary;
  // Before the re-run: a report written over the export, the trust store, a policy file or the case would destroy the evidence.
  refuseOutputsOverInputs(
    [{ path: request.outPath, label: request.outPath }],
    [
      { path: s.exportPath, role: 'export this case examines' },
      { path: s.trustPath, role: 'trust store of this case' },
      { path: s.policiesPath, role: 'policy folder of this case' },
      { path: request.caseStore, role: 'case store itself' },
    ],
  );
  const report = await buildEvidenceReport({
    exportPath: s.exportPath,
    trustPath: s.trustPath,
    policiesPath: s.policiesPath,
    notes: request.notes,
    summarizeWorkerUrl: request.summarizeWorkerUrl,
    replayWorkers: 0,
  });
  if (report.examined.export.sha256 !== s.exportSha256) {
    throw new Error(`${s.exportName} changed on disk since this case was opened (its SHA-256 is no longer the one recorded as evidence); open it again as a new case.`);
  }
  const bytes = await writeReport(report, request.format, request.outPath, request.htmlToPdf);
  return { path: request.outPath, format: request.format, reportSha256: report.report_sha256, bytes };
}
