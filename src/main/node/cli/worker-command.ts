/**
 * `audit-replay worker --redis URL [--concurrency N] [--stall-ms N]`: a
 * BullMQ worker for `verify --redis` and `replay --redis` runs, until it is
 * stopped (SIGTERM or SIGINT finish the jobs in hand, then exit 0).
 */
import { intOption, parseCommandArgs } from './args';
import { UsageError } from '../errors/errors';
import type { CliCommand } from './io';
import { startWorker } from '../scale/worker';

export const workerCommand: CliCommand = async (args, io) => {
  const { values } = parseCommandArgs(args, { redis: { type: 'string' }, concurrency: { type: 'string' }, 'stall-ms': { type: 'string' } }, false);
  if (!values.redis) throw new UsageError('--redis URL is required (for example redis://127.0.0.1:6379)');
  const concurrency = intOption(values.concurrency, 'concurrency', 1);
  if (concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency takes a number from 1 to 64');
  const stallMs = intOption(values['stall-ms'], 'stall-ms', 30_000);
  if (stallMs < 500) throw new UsageError('--stall-ms takes at least 500 (milliseconds)');
  const { close } = await startWorker({ redis: values.redis, concurrency, stallMs });
  io.stderr.write(`audit-replay worker: waiting for jobs on ${values.redis} (concurrency ${concurrency})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await close();
  return 0;
};
