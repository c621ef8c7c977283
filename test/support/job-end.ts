import type { AuditService } from '../../src/main/node/service/audit-service';
import type { JobProgress, OpenExportRequest } from '../../src/shared/api/audit-api';

/** The job's last progress event: done, failed or cancelled. */
export function jobEnd(service: AuditService, jobId: string): Promise<JobProgress> {
  return new Promise((resolve) => {
    const off = service.onProgress((p) => {
      if (p.jobId === jobId && ['done', 'failed', 'cancelled'].includes(p.phase)) {
        off();
        resolve(p);
      }
    });
  });
}

/** Opens an export through the service and waits for its case; a job that does not end done fails the test with its sentence. */
export async function ingestCase(service: AuditService, request: OpenExportRequest): Promise<string> {
  const { jobId } = await service.openExport(request);
  const end = await jobEnd(service, jobId);
  if (end.phase !== 'done' || !end.caseId) throw new Error(`The ingest ended ${end.phase}: ${end.error ?? 'no case'}`);
  return end.caseId;
}
