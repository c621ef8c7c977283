/**
 * What the app was asked to open at start-up: `--open <export> [--trust <file>]
 * [--policies <dir>]` (also `--open=<export>`), as `npm start` passes for the
 * bundled sample. Paths are made absolute against the launching directory,
 * because the IPC validators and services accept absolute paths only.
 */
import { isAbsolute, resolve } from 'node:path';
import type { OpenExportRequest } from '../../shared/api/audit-api';

export interface LaunchArgs {
  request: OpenExportRequest | null;
  /** Sentences for arguments that were given but unusable. */
  problems: string[];
}

const FLAGS = ['--open', '--trust', '--policies'] as const;
type Flag = (typeof FLAGS)[number];

export function parseLaunchArgs(argv: readonly string[], cwd: string): LaunchArgs {
  const values: Partial<Record<Flag, string>> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    for (const flag of FLAGS) {
      if (arg === flag) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--') || next === '') problems.push(`${flag} needs a path after it.`);
        else {
          values[flag] = next;
          i++;
        }
      } else if (arg.startsWith(`${flag}=`)) {
        const value = arg.slice(flag.length + 1);
        if (value === '') problems.push(`${flag} needs a path after it.`);
        else values[flag] = value;
      }
    }
  }
  const absolute = (p: string | undefined): string | null => (p === undefined ? null : isAbsolute(p) ? p : resolve(cwd, p));
  const exportPath = absolute(values['--open']);
  if (exportPath === null) {
    if (values['--trust'] !== undefined || values['--policies'] !== undefined) problems.push('--trust and --policies apply only together with --open.');
    return { request: null, problems };
  }
  return {
    request: { exportPath, trustPath: absolute(values['--trust']), policiesPath: absolute(values['--policies']) },
    problems,
  };
}
