/**
 * Where the desk keeps its cases, for every door: the Electron main puts
 * them under its user data folder, and `audit-replay open` defaults to the
 * same folder, worked out as Electron does (appData, then the product name),
 * so a case pre-ingested from the command line is in the desk's recent list.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OpenExportRequest } from '../../../shared/api/audit-api';

/** The product name: Electron's app name (package.json "productName") and so its user data folder's name. */
export const DESK_APP_NAME = 'Audit Replay';

/** The cases folder inside a user data folder. */
export function casesDirIn(userData: string): string {
  return path.join(userData, 'cases');
}

/** Electron's default user data folder for the desk: its appData folder, then the product name. */
export function deskUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
  return path.join(appData, DESK_APP_NAME);
}

/** The cases folder the desk uses when Electron keeps its default user data folder. */
export function defaultCasesDir(env: NodeJS.ProcessEnv = process.env): string {
  return casesDirIn(deskUserDataDir(env));
}

/**
 * The bundled sample (resources/sample in the sources, `sample` in a
 * packaged app's resources) as an open request with its trust store and
 * policies, or null when the folder is not there.
 */
export function bundledSample(sampleDir: string): OpenExportRequest | null {
  const exportPath = path.join(sampleDir, 'export.jsonl');
  if (!existsSync(exportPath)) return null;
  const trust = path.join(sampleDir, 'trust.json');
  const policies = path.join(sampleDir, 'policies');
  return { exportPath, trustPath: existsSync(trust) ? trust : null, policiesPath: existsSync(policies) ? policies : null, hmacKeyPath: null };
}
