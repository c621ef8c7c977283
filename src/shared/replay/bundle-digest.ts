/**
 * Bundle digest, exactly as spec/audit-export-v1.md pins it:
 * H(canon({"name","version","engine","files":{"<relative path>":"<H(file bytes)>"}}))
 * over every file of the folder except manifest.json, paths joined with "/".
 */
import { canonicalize } from '../json/canonical';
import { sha256HexOfText } from '../crypto';

export interface BundleManifest {
  name: string;
  version: string;
  engine: string;
}

export function bundleDigest(manifest: BundleManifest, fileHashes: Readonly<Record<string, string>>): string {
  const files: Record<string, string> = {};
  for (const path of Object.keys(fileHashes)) {
    if (path === 'manifest.json') continue;
    files[path] = fileHashes[path];
  }
  return sha256HexOfText(canonicalize({ name: manifest.name, version: manifest.version, engine: manifest.engine, files }));
}
