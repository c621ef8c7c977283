import { compareExports } from '../verify/compare-exports';
import { loadTrustStore } from '../verify/trust-store';
import { parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';

export const compareCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean', default: false }, trust: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('compare takes the older export and the newer export');
  const trust = values.trust ? await loadTrustStore(values.trust) : null;
  const result = await compareExports(positionals[0], positionals[1], trust);
  if (values.json) io.stdout.write(JSON.stringify(result) + '\n');
  else {
    io.stdout.write(`${result.relation.toUpperCase()}: ${result.message}\n`);
    for (const side of [result.older, result.newer]) {
      if (side.verdict === 'tampered' || side.verdict === 'malformed') io.stdout.write(`  note: ${side.path} is itself ${side.verdict}; run verify on it.\n`);
    }
  }
  const sound = [result.older.verdict, result.newer.verdict].every((v) => v !== 'tampered' && v !== 'malformed');
  return sound && ['identical', 'extends', 'continues'].includes(result.relation) ? 0 : 1;
};
