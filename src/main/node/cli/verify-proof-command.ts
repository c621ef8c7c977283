import { VERDICT_EXIT_CODE } from '../../../shared/verify/findings';
import { verifyProofFile } from '../verify/verify-proof';
import { parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';
import { integrityWord } from './verify-command';

const SIGNATURE_WORDS: Record<string, string> = {
  valid: 'valid, by a key in your trust store',
  'self-signed': 'not judged: no trust store was given',
  'untrusted-key': 'verifies, but under a key that is not in your trust store',
  'revoked-key': 'verifies, under a key your trust store says was revoked',
  'bad-signature': 'DOES NOT VERIFY',
  backdated: 'dated before the entry it covers',
};

/** `verify-proof <proof.json> [--trust trust.json] [--json]`: exit codes as verify's. */
export const verifyProofCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, {
    trust: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError('verify-proof takes exactly one proof file');
  const r = await verifyProofFile({ path: positionals[0], trustPath: values.trust ?? null });
  if (values.json) {
    io.stdout.write(
      JSON.stringify({
        verdict: r.verdict,
        verdict_reason: r.verdictReason,
        integrity: r.integrity,
        signer: r.signer,
        seq: r.seq,
        line: r.line,
        checks: r.checks,
        problems: r.problems,
        export: r.proof.export,
        checkpoint_line: r.proof.checkpoint.line,
        file: r.file,
        trust: r.trust,
      }) + '\n',
    );
  } else {
    const c = r.checks;
    const out = [
      `${r.file.path}: ${r.verdict.toUpperCase()}`,
      `  ${r.verdictReason}`,
      `  record: ${integrityWord(r.integrity.status)}`,
      ...r.problems.map((p) => `    cannot be proven: ${p}`),
      `  signer: ${r.signer.sentence}`,
    ];
    if (r.signer.status !== 'trusted' && r.signer.public_key) out.push(`    key_id ${r.signer.key_id ?? '(none)'}, public key ${r.signer.public_key}`);
    if (r.signer.advice) out.push(`  what to do: ${r.signer.advice}`);
    out.push(
      `  entry: seq ${r.seq}, line ${r.line} of ${r.proof.export.file_name} (sha256 of the export ${r.proof.export.sha256})`,
      `  content hash: ${c.content ? 'recomputed from the line, equals the recorded hash' : 'DOES NOT MATCH the recorded hash'}${c.recomputedHash ? ` (${c.recomputedHash})` : ''}`,
      `  Merkle inclusion: ${c.inclusion ? `${c.steps.length} step${c.steps.length === 1 ? '' : 's'} from the leaf reach the checkpoint's root` : "DOES NOT REACH the checkpoint's root"} (checkpoint on line ${r.proof.checkpoint.line})`,
      `  checkpoint signature: ${c.signature ? SIGNATURE_WORDS[c.signature] : 'cannot be checked'}`,
      `  what a proof cannot show: that no other event was removed or added; verify the whole export for that.`,
    );
    io.stdout.write(out.join('\n') + '\n');
  }
  return VERDICT_EXIT_CODE[r.verdict];
};
