import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors/errors';

/** node:util parseArgs, with its errors turned into usage errors (exit 2). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function intOption(value: string | undefined, name: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a whole number, not "${value}"`);
  return Number(value);
}

/** `--wait-timeout SECONDS` of a --redis run, in ms (undefined: the submitter's default). */
export function waitTimeoutOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = intOption(value, 'wait-timeout');
  if (seconds < 1) throw new UsageError('--wait-timeout takes a number of seconds above 0');
  return seconds * 1000;
}
