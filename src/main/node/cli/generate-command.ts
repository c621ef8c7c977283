import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deriveKey, writeExport } from '../generate/generate-export';
import type { PolicyRef } from '../../../shared/replay/types';
import { createCedarDecider } from '../replay/decider';
import { intOption, parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import { refuseOutputsOverInputs, writeOutputFile, type NamedOutput } from '../read/files';
import type { CliCommand } from './io';

const SAMPLE_BUNDLE = fileURLToPath(new URL('../../../../resources/sample/policies/ap-policy-v7', import.meta.url));

export const generateCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(
    args,
    {
      events: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'key-out': { type: 'string' },
      'trust-out': { type: 'string' },
      'checkpoint-every': { type: 'string' },
      policy: { type: 'string' },
      'plant-divergences': { type: 'string' },
      'plant-conduct': { type: 'string' },
      genesis: { type: 'string' },
      'first-seq': { type: 'string' },
    },
    false,
  );
  if (values.genesis !== undefined && !/^[0-9a-f]{64}$/.test(values.genesis)) throw new UsageError('--genesis takes 64 lowercase hex (the head hash of the export this one continues)');
  const events = intOption(values.events, 'events');
  if (!values.out) throw new UsageError('--out is required');
  if (!values['key-out']) throw new UsageError('--key-out is required');
  const seed = values.seed!;
  const key = deriveKey(seed);
  const bundle = values.policy ?? SAMPLE_BUNDLE;
  if (!existsSync(path.join(bundle, 'manifest.json'))) throw new UsageError(`--policy ${bundle}: not a policy bundle folder (no manifest.json)`);
  const outputs: NamedOutput[] = [
    { path: values.out, label: `--out ${values.out}` },
    { path: values['key-out'], label: `--key-out ${values['key-out']}` },
  ];
  if (values['trust-out']) outputs.push({ path: values['trust-out'], label: `--trust-out ${values['trust-out']}` });
  // The three files must be three, and none may land in the bundle the outcomes are decided by.
  refuseOutputsOverInputs(outputs, [{ path: bundle, role: 'policy bundle given with --policy' }]);
  // Outcomes are recorded as the pinned Cedar bundle decides them, so the sample replays clean.
  const decide = createCedarDecider(bundle);
  const policy: PolicyRef = decide.policy;
  const result = await writeExport(values.out, {
    events,
    seed,
    checkpointEvery: intOption(values['checkpoint-every'], 'checkpoint-every', 1000),
    key,
    policy,
    decide,
    plantDivergences: intOption(values['plant-divergences'], 'plant-divergences', 0),
    plantConduct: intOption(values['plant-conduct'], 'plant-conduct', 0),
    genesis: values.genesis,
    firstSeq: values['first-seq'] === undefined ? undefined : intOption(values['first-seq'], 'first-seq'),
  });
  await writeOutputFile(values['key-out'], JSON.stringify({ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex, secret_key: key.secretKeyHex }, null, 2) + '\n');
  const trustOut = values['trust-out'];
  if (trustOut) {
    await writeOutputFile(trustOut, JSON.stringify({ keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: key.publicKeyHex }] }, null, 2) + '\n');
  }
  io.stderr.write(`wrote ${result.events} events in ${result.lines} lines to ${values.out}${trustOut ? `, trust store to ${trustOut}` : ''}\n`);
  return 0;
};
