/** The pinned reference (name, version, digest) of a policy bundle folder, per the spec's digest rule. */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { canonicalize } from '../../../shared/json/canonical';
import type { PolicyRef } from './generate-export';

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export async function policyRefOf(bundleDir: string): Promise<PolicyRef> {
  const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as { name: string; version: string; engine: string };
  const files: Record<string, string> = {};
  for (const rel of (await listFiles(bundleDir)).sort()) {
    if (rel === 'manifest.json') continue;
    files[rel] = createHash('sha256').update(await readFile(path.join(bundleDir, rel))).digest('hex');
  }
  const digest = createHash('sha256')
    .update(canonicalize({ name: manifest.name, version: manifest.version, engine: manifest.engine, files }), 'utf8')
    .digest('hex');
  return { name: manifest.name, version: manifest.version, digest };
}
