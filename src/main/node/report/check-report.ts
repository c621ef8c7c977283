/**
 * check-report: run everything again from the inputs and compare with a
 * report, member by member. A report that no longer matches its own
 * report_sha256 was edited; one whose content differs from the re-run was
 * made from other inputs (export, trust store, bundles, notes) or another
 * app version.
 */
import { canonicalize } from '../../../shared/json/canonical';
import { jsonDifferences, reportContentSha256 } from '../../../shared/report/seal';
import { EVIDENCE_REPORT_FORMAT, type EvidenceReport } from '../../../shared/report/types';
import { InputError } from '../errors/errors';
import { buildEvidenceReport, type ReportInputs } from './build-report';

export interface ReportCheck {
  reproduces: boolean;
  /** report_sha256 does not match the report's own content. */
  edited: boolean;
  /** RFC 6901 pointers where the report and the re-run differ (signature ignored). */
  differences: string[];
  rebuilt: EvidenceReport;
}

export async function checkReport(report: unknown, reportFile: string, inputs: ReportInputs): Promise<ReportCheck> {
  if (typeof report !== 'object' || report === null || Array.isArray(report) || (report as { format?: unknown }).format !== EVIDENCE_REPORT_FORMAT) {
    throw new InputError(`not an evidence report (expected "format": "${EVIDENCE_REPORT_FORMAT}")`, reportFile);
  }
  const given = { ...(report as Record<string, unknown>) };
  delete given.signature;
  const edited = given.report_sha256 !== reportContentSha256(given);
  const rebuilt = await buildEvidenceReport(inputs);
  const differences = jsonDifferences(given, rebuilt);
  return { reproduces: !edited && differences.length === 0 && canonicalize(given) === canonicalize(rebuilt), edited, differences, rebuilt };
}
