/** The app's name and version, from package.json (bundled into the Electron build). */
import packageJson from '../../../../package.json' with { type: 'json' };

export const APP = { name: packageJson.name, version: packageJson.version } as const;
