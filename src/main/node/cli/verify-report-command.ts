/**
 * `audit-replay verify-report <report.json> (--public-key HEX | --trust trust.json)`
 * Checks report_sha256 and the Ed25519 signature with a key the reviewer
 * supplies (never the one the report names). Exit 0 verifies, 1 does not, 2 unusable.
 */
import { verifyReportSignature } from '../../../shared/report/seal';
import { HEX64 } from '../../../shared/hex';
import { loadTrustStore } from '../verify/trust-store';
import { readJsonFile } from '../report/report-files';
import { parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';

export const verifyReportCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { 'public-key': { type: 'string' }, trust: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('verify-report takes exactly one report (.json)');
  if (Boolean(values['public-key']) === Boolean(values.trust)) throw new UsageError('give either --public-key HEX or --trust trust.json');
  let keys: { key_id: string | null; public_key: string; revoked_at?: string | null }[];
  if (values['public-key']) {
    const hex = values['public-key'].toLowerCase();
    if (!HEX64.test(hex)) throw new UsageError('--public-key takes 64 hex characters (an Ed25519 public key)');
    keys = [{ key_id: null, public_key: hex }];
  } else {
    keys = (await loadTrustStore(values.trust!)).keys.map((k) => ({ key_id: k.key_id, public_key: k.public_key, revoked_at: k.revoked_at ?? null }));
  }
  const report = await readJsonFile(positionals[0], 'report');
  const result = verifyReportSignature(report, keys);
  if (result.ok) {
    io.stdout.write(`${positionals[0]}: SIGNATURE VALID: signed by ${result.keyId} (${result.publicKey}); report sha256 ${(report as { report_sha256: string }).report_sha256}\n`);
    return 0;
  }
  io.stdout.write(`${positionals[0]}: NOT VERIFIED: ${result.problem}\n`);
  return 1;
};
