/** Cases of the bundled samples, opened through the real service, and proofs exported from them as the desk does. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { jobEnd } from '../support/job-end';

export const SAMPLE = path.resolve(__dirname, '../../resources/sample/export.jsonl');
export const TAMPERED = path.resolve(__dirname, '../../resources/sample/export-tampered.jsonl');
export const TRUST = path.resolve(__dirname, '../../resources/sample/trust.json');

export interface SampleCases {
  dir: string;
  service: AuditService;
  /** The sample opened with its trust store. */
  sample: string;
  /** The tampered sample opened with the same trust store. */
  tampered: string;
  close(): Promise<void>;
}

export async function openSampleCases(): Promise<SampleCases> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'entry-proof-'));
  const service = createAuditService({ casesDir: path.join(dir, 'cases'), workers: 1 });
  const open = async (exportPath: string) => {
    const { jobId } = await service.openExport({ exportPath, trustPath: TRUST });
    const end = await jobEnd(service, jobId);
    if (end.phase !== 'done') throw new Error(`the sample did not open: ${end.error}`);
    return end.caseId!;
  };
  const sample = await open(SAMPLE);
  const tampered = await open(TAMPERED);
  return { dir, service, sample, tampered, close: () => service.close() };
}
