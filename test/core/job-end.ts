import type { AuditService } from '../../src/main/node/service/audit-service';
import type { JobProgress } from '../../src/shared/api/audit-api';

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
