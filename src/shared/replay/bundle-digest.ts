/**
 * Bundle digest, exactly as spec/audit-export-v1.md pins it:
 * H(canon({"name","version","engine","files":{"<relative path>":"<H(file bytes)>"}}))
 * over every file of the folder except manifest.json, paths joined with "/".
 */
import { canonicalize } from '../json/canonical';

export interface BundleManifest {
  name: string;
  version: string;
  engine: string;
}

/** `sha256Hex` hashes UTF-8 text (injected: node:crypto in Node, @noble/hashes elsewhere). */
export function bundleDigest(manifest: BundleManifest, fileHashes: Readonly<Record<string, string>>, sha256Hex: (text: string) => string): string {
  const files: Record<string, string> = {};
  for (const path of Object.keys(fileHashes)) {
    if (path === 'manifest.json') continue;
    files[path] = fileHashes[path];
  }
  return sha256Hex(canonicalize({ name: manifest.name, version: manifest.version, engine: manifest.engine, files }));
}
