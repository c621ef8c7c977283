// AGT's Claude Code / opencode plugin log: read as its own format, with the
// plugin's own hash, and its known rotation failure said for what it is.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFormat, readerById } from '../../src/main/node/formats/registry';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/agt-next');
const dir = mkdtempSync(path.join(os.tmpdir(), 'plugin-'));

interface PluginEntry {
  timestamp: string;
  agentId: string;
  action: string;
  decision: string;
  previousHash: string;
  hash: string;
}

/** What lib/audit.mjs (AGT b5705588) leaves after `appends` appends: each one hashes five members, appends, keeps the last 10,000. */
function pluginLog(appends: number): PluginEntry[] {
  let entries: PluginEntry[] = [];
  for (let i = 0; i < appends; i++) {
    const previousHash = entries.length > 0 ? entries[entries.length - 1].hash : '0'.repeat(64);
    const base = {
      timestamp: new Date(Date.UTC(2026, 10, 21, 14) + i * 1000).toISOString(),
      agentId: 'claude-code:sess-9',
      action: i % 7 === 0 ? 'prompt.submit' : 'tool.Read',
      decision: 'allow',
      previousHash,
    };
    entries.push({ ...base, hash: createHash('sha256').update(JSON.stringify(base)).digest('hex') });
    entries = entries.slice(-10000);
  }
  return entries;
}

function write(name: string, entries: unknown[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(entries, null, 2) + '\n');
  return file;
}

const verify = (file: string, format = 'agt-cli-plugin') => readerById(format)!.verify({ path: file, trust: null, hmacKey: null });

describe('agt-cli-plugin', () => {
  it('is detected by the plugin member order, and the SDK export still as agt-ts-sdk', async () => {
    expect((await detectFormat(path.join(FIXTURES, 'plugin-valid.json'))).reader.id).toBe('agt-cli-plugin');
    expect((await detectFormat(path.resolve(FIXTURES, '../agt/ts-valid-small.json'))).reader.id).toBe('agt-ts-sdk');
  });

  it("after the 10,001st append: starts mid-chain, said to be the plugin's own rotation, not tampering", async () => {
    const file = write('rotated.json', pluginLog(10001));
    const r = await verify(file);
    expect(r.events).toBe(10000);
    expect(r.verdict).toBe('unanchored');
    expect(r.chainStart).toBe('anchored-head');
    expect(r.findings.filter((f) => f.severity === 'integrity')).toEqual([]);
    const mid = r.findings.find((f) => f.kind === 'starts-mid-chain')!;
    expect(mid.seq).toBe(0);
    expect(mid.line).toBe(2);
    expect(mid.message).toMatch(/10,001st append .* every later append throws/);
    expect(mid.message).toMatch(/exactly 10,000 entries, as that rotation leaves it/);
    expect(r.details.rotation).toMatch(/consistent with the plugin/);
  });

  it('a head cut to another length is not explained by the rotation, and says so', async () => {
    const r = await verify(write('cut-head.json', pluginLog(10001).slice(5)));
    const mid = r.findings.find((f) => f.kind === 'starts-mid-chain')!;
    expect(mid.message).toMatch(/holds 9,995 entries, not the 10,000 that rotation leaves/);
    expect(r.verdict).toBe('unanchored');
    expect((await verify(write('genesis.json', pluginLog(20)))).findings).toEqual([]);
  });

  it('hashes exactly the five members the plugin hashes: an added skillAuditMetadata is unauthenticated here, hashed by the SDK reader', async () => {
    const entries: Record<string, unknown>[] = pluginLog(5).map((e) => ({ ...e }));
    entries[2] = { ...entries[2], skillAuditMetadata: { skill: 'x' } };
    const file = write('with-metadata.json', entries);
    const plugin = await verify(file);
    expect(plugin.verdict).toBe('unanchored');
    expect(plugin.unauthenticatedFields).toEqual(['skillAuditMetadata']);
    const sdk = await verify(file, 'agt-ts-sdk');
    expect(sdk.verdict).toBe('tampered');
    expect(sdk.firstFailure?.kind).toBe('hash-mismatch');
  });

  it('reads the {seamHash, entries} layout of later plugin versions: the head links to the seam, which is covered by nothing', async () => {
    // Later lib/audit.mjs: on overflow, keep the last `limit` entries and the hash of the last one dropped as seamHash.
    const all = pluginLog(25);
    const seamed = (entries: PluginEntry[], seamHash: string) => {
      const file = path.join(dir, `seam-${entries.length}-${seamHash.slice(0, 6)}.json`);
      writeFileSync(file, JSON.stringify({ seamHash, entries }, null, 2) + '\n');
      return file;
    };
    const file = seamed(all.slice(15), all[14].hash);
    expect((await detectFormat(file)).reader.id).toBe('agt-cli-plugin');
    const r = await verify(file);
    expect(r.verdict).toBe('unanchored');
    expect(r.findings.map((f) => f.kind)).toEqual(['starts-mid-chain']);
    expect(r.findings[0].message).toMatch(/seamHash later plugin versions keep/);
    expect(r.unauthenticatedFields).toEqual(['seamHash']);
    const cut = await verify(seamed(all.slice(16), all[14].hash));
    expect([cut.verdict, cut.firstFailure?.kind, cut.firstFailure?.seq]).toEqual(['tampered', 'broken-link', 0]);
    // A head cut that rewrites the seam too leaves nothing to see.
    expect((await verify(seamed(all.slice(16), all[15].hash))).verdict).toBe('unanchored');
  });

  it('an edited decision is caught at its entry and line', async () => {
    const entries = pluginLog(12);
    entries[6].decision = 'deny';
    const file = write('edited.json', entries);
    const r = await verify(file);
    expect(r.verdict).toBe('tampered');
    expect([r.firstFailure?.kind, r.firstFailure?.seq]).toEqual(['hash-mismatch', 6]);
    expect(readFileSync(file, 'utf8').split('\n')[r.firstFailure!.line! - 1].trim()).toBe('{');
  });
});
