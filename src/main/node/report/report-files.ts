/**
 * Writing a report in the format its file name asks for, reading one back,
 * and the reviewer's signing key file (the generator's layout:
 * {key_id, alg, public_key, secret_key}).
 */
import { renderReportHtml } from '../../../shared/report/html';
import { reportText } from '../../../shared/report/seal';
import type { EvidenceReport } from '../../../shared/report/types';
import type { ReportFormat } from '../../../shared/api/audit-api';
import { HEX64 } from '../../../shared/hex';
import { InputError, UsageError } from '../errors/errors';
import { readRegularFile, writeOutputFile } from '../read/files';
import { chromiumHtmlToPdf, withFixedDates, type HtmlToPdf } from './pdf';

export function formatOfPath(file: string): ReportFormat {
  const m = /\.(json|html?|pdf)$/i.exec(file);
  if (!m) throw new UsageError(`--out must end in .json, .html or .pdf, not "${file}"`);
  const ext = m[1].toLowerCase();
  return ext === 'json' ? 'json' : ext === 'pdf' ? 'pdf' : 'html';
}

export async function renderReport(report: EvidenceReport, format: ReportFormat, htmlToPdf: HtmlToPdf = chromiumHtmlToPdf): Promise<Uint8Array> {
  if (format === 'json') return new TextEncoder().encode(reportText(report));
  const html = renderReportHtml(report);
  if (format === 'html') return new TextEncoder().encode(html);
  return withFixedDates(await htmlToPdf(html));
}

/** Renders and writes whole or not at all (writeOutputFile): a full disk is an OutputError naming outPath, and no half report is left. */
export async function writeReport(report: EvidenceReport, format: ReportFormat, outPath: string, htmlToPdf?: HtmlToPdf): Promise<number> {
  const bytes = await renderReport(report, format, htmlToPdf);
  await writeOutputFile(outPath, bytes);
  return bytes.length;
}

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  const text = (await readRegularFile(file, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`the ${what} is not JSON: ${(err as Error).message}`, file);
  }
}

export interface SigningKey {
  key_id: string;
  alg: 'ed25519';
  public_key?: string;
  secret_key: string;
}

export async function readSigningKey(file: string): Promise<SigningKey> {
  const k = (await readJsonFile(file, 'signing key file')) as Record<string, unknown>;
  if (typeof k?.key_id !== 'string' || !k.key_id) throw new InputError('the key file has no "key_id"', file);
  if (k.alg !== 'ed25519') throw new InputError('the key file\'s "alg" must be "ed25519"', file);
  if (typeof k.secret_key !== 'string' || !HEX64.test(k.secret_key)) throw new InputError('the key file needs "secret_key" as 64 lowercase hex (an Ed25519 seed)', file);
  if (k.public_key !== undefined && (typeof k.public_key !== 'string' || !HEX64.test(k.public_key))) throw new InputError('the key file\'s "public_key" must be 64 lowercase hex', file);
  return { key_id: k.key_id, alg: 'ed25519', public_key: k.public_key as string | undefined, secret_key: k.secret_key };
}
