// Every case of the AGT fixture manifest: verdict, first point of failure and
// its kind, with and without the key or trust file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readerById, detectFormat } from '../../src/main/node/formats/registry';
import type { VerifyInputs, FormatVerification } from '../../src/shared/formats/case-model';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/agt');

interface Expect {
  verdict: string;
  verdicts?: string[];
  first_bad_index: number | null;
  kind: string | null;
  kinds?: string[];
  key_file?: string;
  trust_file?: string;
  verdict_without_key?: string;
  any_findings?: boolean;
}
interface Case {
  file: string;
  format: string;
  what: string;
  expect: Expect;
}

const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: Case[] };

function inputs(e: Expect, withKey: boolean): VerifyInputs {
  return {
    hmacKey: withKey && e.key_file ? new Uint8Array(readFileSync(path.join(FIXTURES, e.key_file))) : null,
    trust: withKey && e.trust_file ? JSON.parse(readFileSync(path.join(FIXTURES, e.trust_file), 'utf8')) : null,
  };
}

async function run(c: Case, withKey: boolean): Promise<FormatVerification> {
  const reader = readerById(c.format);
  expect(reader, `a reader for ${c.format}`).toBeDefined();
  return reader!.verify({ path: path.join(FIXTURES, c.file), ...inputs(c.expect, withKey) });
}

function checkFirstFailure(r: FormatVerification, e: Expect): void {
  const kinds = e.kinds ?? (e.kind ? [e.kind] : []);
  const integrity = r.findings.filter((f) => f.severity === 'integrity');
  expect(integrity.length, JSON.stringify(r.findings)).toBeGreaterThan(0);
  const first = integrity[0];
  expect(r.firstFailure).toEqual(first);
  expect(first.seq, JSON.stringify(r.findings)).toBe(e.first_bad_index);
  expect(kinds, JSON.stringify(r.findings)).toContain(first.kind);
  expect(first.line).toBeGreaterThan(0);
}

describe('AGT fixture manifest', () => {
  it('lists cases', () => expect(manifest.cases.length).toBeGreaterThan(40));

  it.each(manifest.cases.map((c, i) => [`${i} ${c.file} (${c.format})${c.expect.key_file ? ` key ${c.expect.key_file}` : ''}`, c] as const))('%s', async (_name, c) => {
    const e = c.expect;
    const r = await run(c, true);
    expect(r.format).toBe(c.format);
    expect(e.verdicts ?? [e.verdict], r.verdictReason).toContain(r.verdict);
    if (e.first_bad_index !== null && r.verdict === 'tampered') checkFirstFailure(r, e);
    if (e.first_bad_index !== null && !e.verdicts?.includes('unanchored')) expect(r.verdict).toBe('tampered');
    if (e.first_bad_index === null && r.verdict !== 'tampered' && r.verdict !== 'malformed') {
      expect(r.findings.filter((f) => f.severity === 'integrity')).toEqual([]);
    }
    if (e.any_findings) expect(r.findings.length).toBeGreaterThan(0);
    expect(r.verdictReason.length).toBeGreaterThan(20);
    if (e.verdict_without_key) {
      const bare = await run(c, false);
      expect(bare.verdict, bare.verdictReason).toBe(e.verdict_without_key);
      if (bare.verdict === 'tampered' && e.first_bad_index !== null) checkFirstFailure(bare, e);
    }
  });

  it.each(manifest.cases.map((c) => [c.file, c.format] as const))('detects %s as %s', async (file, format) => {
    const d = await detectFormat(path.join(FIXTURES, file));
    expect(d.reader.id).toBe(format);
    expect(d.reason.length).toBeGreaterThan(10);
  });
});

describe('what the AGT readers report beyond the verdict', () => {
  const fixture = (f: string) => path.join(FIXTURES, f);

  it('shows members outside the agent-mesh hash as unauthenticated', async () => {
    const events: { unauthenticated: string[] }[] = [];
    const r = await readerById('agt-mesh-jsonl')!.verify({ path: fixture('mesh-edit-unhashed.jsonl'), trust: null, hmacKey: null, onEvent: (ev) => events.push(ev) });
    expect(r.unauthenticatedFields).toEqual(expect.arrayContaining(['policy_version', 'matched_rule', 'policy_decision']));
    expect(r.unauthenticatedFields).not.toContain('data');
    expect(events[10].unauthenticated).toEqual(expect.arrayContaining(['policy_version', 'matched_rule']));
    expect(r.findings).toEqual([]);
  });

  it('shows file-sink context members as outside hash and HMAC', async () => {
    const key = new Uint8Array(readFileSync(fixture('file-sink.key')));
    const r = await readerById('agt-file-sink')!.verify({ path: fixture('file-sink-edit-context.jsonl'), trust: null, hmacKey: key });
    expect(r.verdict).toBe('intact');
    expect(r.unauthenticatedFields).toEqual(['compute_driver', 'environment', 'sandbox_id']);
  });

  it('reports the last hash, so a clean tail cut can be compared with an outside record', async () => {
    const lines = readFileSync(fixture('file-sink-cut-tail.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { content_hash: string };
    const r = await readerById('agt-file-sink')!.verify({ path: fixture('file-sink-cut-tail.jsonl'), trust: null, hmacKey: null });
    expect(r.headHash).toBe(last.content_hash);
    expect(r.verdictReason).toContain(last.content_hash);
  });

  it('calls a secret that matches no HMAC a wrong secret (not proven), not tampering, and never reports the secret', async () => {
    const key = readFileSync(fixture('file-sink-wrong.key'));
    const r = await readerById('agt-file-sink')!.verify({ path: fixture('file-sink-valid.jsonl'), trust: null, hmacKey: new Uint8Array(key) });
    expect(r.verdict).toBe('unanchored');
    expect(r.firstFailure).toBeNull();
    expect(r.signer.status).toBe('wrong-secret');
    expect(r.integrity.status).toBe('intact');
    expect(r.findings.find((f) => f.kind === 'wrong-secret')!.message).toMatch(/not the one this log was written with/);
    expect(r.verdictReason).toMatch(/^Not proven: .*secret/);
    expect(r.verdictReason).not.toMatch(/altered|forged|tampering found/i);
    expect(JSON.stringify(r)).not.toContain(key.toString('utf8'));
    expect(JSON.stringify(r)).not.toContain(key.toString('hex'));
  });

  it('says where a chain starts mid-way instead of calling it tampering', async () => {
    const r = await readerById('agt-mesh-jsonl')!.verify({ path: fixture('mesh-starts-mid-chain.jsonl'), trust: null, hmacKey: null });
    expect(r.chainStart).toBe('anchored-head');
    const firstLine = JSON.parse(readFileSync(fixture('mesh-starts-mid-chain.jsonl'), 'utf8').split('\n')[0]) as { previous_hash: string };
    expect(r.details.firstEntryLinksTo).toBe(firstLine.previous_hash);
    const ts = await readerById('agt-ts-sdk')!.verify({ path: fixture('ts-evicted.json'), trust: null, hmacKey: null });
    expect(ts.chainStart).toBe('anchored-head');
    const ex = await readerById('agt-mesh-export')!.verify({ path: fixture('export-partial.json'), trust: null, hmacKey: null });
    expect(ex.chainStart).toBe('anchored-head');
    expect(ex.details.merkleRootCheck).toMatch(/not checkable/);
    const valid = await readerById('agt-mesh-export')!.verify({ path: fixture('export-valid.json'), trust: null, hmacKey: null });
    expect(valid.details.merkleRootCheck).toBe('matches');
  });

  it('streams events with the line each entry starts on', async () => {
    const lines: number[] = [];
    const r = await readerById('agt-receipts')!.verify({ path: fixture('receipts-valid.json'), trust: null, hmacKey: null, onEvent: (ev) => lines.push(ev.line) });
    const text = readFileSync(fixture('receipts-valid.json'), 'utf8').split('\n');
    expect(lines).toHaveLength(r.events);
    for (const l of lines) expect(text[l - 1].trim()).toBe('{');
  });

  it('reports an unreadable line in the middle once, and keeps checking after it', async () => {
    const lines = readFileSync(fixture('mesh-valid.jsonl'), 'utf8').split('\n');
    lines[2] = '{"action": "oops",';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'agt-'));
    const file = path.join(dir, 'mesh-garbled.jsonl');
    writeFileSync(file, lines.join('\r\n'));
    const r = await readerById('agt-mesh-jsonl')!.verify({ path: file, trust: null, hmacKey: null });
    expect(r.verdict).toBe('tampered');
    expect(r.findings.map((f) => [f.kind, f.seq, f.line])).toEqual([['malformed-line', 2, 3]]);
    expect(r.events).toBe(25);
  });

  it('marks ACS results as not replayable here, with the reason', async () => {
    const r = await readerById('acs-results')!.verify({ path: fixture('acs-results.jsonl'), trust: null, hmacKey: null });
    expect(r.details.replayable).toBe(false);
    expect(String(r.details.notReplayableReason)).toMatch(/glibc 2\.39/);
    expect(r.events).toBe(23);
  });
});
