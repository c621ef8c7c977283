// Every case of the agt-next fixture manifest (TRACE v0.2 Trust Records, the
// session logs they cover, CLI-plugin logs): verdict, findings, where the
// chain starts and what is unauthenticated, with and without the trust store,
// and each session log checked against its Trust Record (verify --trace-record).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readerById, detectFormat } from '../../src/main/node/formats/registry';
import { verifyFile } from '../../src/main/node/verify/verify-file';
import type { FormatVerification, VerifyInputs } from '../../src/shared/formats/case-model';
import type { Finding } from '../../src/shared/verify/findings';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(repoRoot, '../shared/fixtures/agt-next');

interface ExpectedFinding {
  kind: string;
  index: number | null;
  line?: number | null;
}
interface Expect {
  verdict: string;
  findings: ExpectedFinding[];
  unauthenticated: string[];
  trust_file?: string | null;
  verdict_without_trust?: string;
  chain_start?: string;
  with_trace?: { trace_file: string; trust_file: string; verdict: string; findings: ExpectedFinding[] };
}
interface Case {
  file: string;
  format: string;
  also_reads_as?: string;
  what: string;
  expect: Expect;
}

const manifest = JSON.parse(readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: Case[] };

/**
 * The manifest's finding kinds in the project's vocabulary
 * (src/shared/verify/findings.ts): a signature that does not verify is
 * bad-signature, a key outside the trust store untrusted-key, a file that does
 * not parse truncated (cut off) or malformed-line.
 */
const KIND: Record<string, string[]> = {
  'signature-invalid': ['bad-signature'],
  'untrusted-signer': ['untrusted-key'],
  unreadable: ['truncated', 'malformed-line'],
};
const kindsOf = (k: string) => KIND[k] ?? [k];

/**
 * Where the project's rules and the manifest part: a record re-signed with a
 * key the trust store does not hold verifies under the key it carries, so
 * nothing shows an edit; README.md › "Three answers": an untrusted key is "not
 * proven", never "tampered" (exit 3, signer untrusted). The manifest says
 * tampered; the finding (untrusted-key) is the same.
 */
const DEVIATIONS: Record<string, { manifest: string; ours: string }> = {
  'trace-resigned-other-key.json': { manifest: 'tampered', ours: 'unanchored' },
};

/** The plugin's placeholder for "any member but the six it writes": the members of the file outside them. */
const PLUGIN_MEMBERS = new Set(['timestamp', 'agentId', 'action', 'decision', 'previousHash', 'hash']);

/** The entries of a plugin file, or none when it does not parse (the cut file: its readable entries add no member). */
function parsedOrEmpty(text: string): Record<string, unknown>[] {
  try {
    return JSON.parse(text) as Record<string, unknown>[];
  } catch {
    return [];
  }
}

/**
 * The manifest lists every member agent-mesh leaves outside entry_hash; the
 * project lists those the file holds (a member no line has is not shown as
 * unauthenticated). So: exactly the listed members that occur in the file.
 */
function presentOf(file: string, listed: readonly string[]): string[] {
  const text = readFileSync(path.join(FIXTURES, file), 'utf8');
  const members = new Set<string>();
  if (file.endsWith('.jsonl')) for (const l of text.split('\n')) if (l.trim()) for (const k of Object.keys(JSON.parse(l) as object)) members.add(k);
  return listed.filter((k) => members.has(k) || !file.endsWith('.jsonl')).sort();
}

function trustOf(file: string | null | undefined): VerifyInputs['trust'] {
  return file ? (JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as VerifyInputs['trust']) : null;
}

async function run(c: Case, format: string, trustFile: string | null | undefined): Promise<FormatVerification> {
  const reader = readerById(format);
  expect(reader, `a reader for ${format}`).toBeDefined();
  return reader!.verify({ path: path.join(FIXTURES, c.file), trust: trustOf(trustFile), hmacKey: null });
}

/** Every expected finding is reported at its index (and line, when given); the first expected integrity finding is the first failure. */
function checkFindings(got: readonly Finding[], firstFailure: Finding | null, expected: readonly ExpectedFinding[]): void {
  const shown = JSON.stringify(got.map((f) => [f.kind, f.seq, f.line]));
  for (const e of expected) {
    const match = got.find((f) => kindsOf(e.kind).includes(f.kind) && (e.index === null && e.kind === 'unreadable' ? true : f.seq === e.index) && (e.line == null || f.line === e.line));
    expect(match, `${e.kind} at ${e.index} in ${shown}`).toBeDefined();
    expect(match!.message.length, match!.message).toBeGreaterThan(30);
  }
  const integrity = expected.filter((e) => got.some((f) => kindsOf(e.kind).includes(f.kind) && f.severity === 'integrity'));
  if (integrity.length > 0 && integrity[0].index !== null) {
    expect(kindsOf(integrity[0].kind), shown).toContain(firstFailure?.kind);
    expect(firstFailure?.seq, shown).toBe(integrity[0].index);
  } else if (integrity.length > 0) {
    // Whole-file findings have no place in the file to come first by: any of them may lead.
    expect(
      integrity.filter((e) => e.index === null).flatMap((e) => kindsOf(e.kind)),
      shown,
    ).toContain(firstFailure?.kind);
  }
  if (expected.length === 0)
    expect(
      got.filter((f) => f.severity !== 'warning'),
      shown,
    ).toEqual([]);
}

/** The three answers agree with the verdict: altered ⇔ tampered; intact only with a trusted signer; unanchored is consistent but not vouched for. */
function checkAnswers(r: FormatVerification): void {
  const pair = [r.verdict, r.integrity.status];
  if (r.verdict === 'tampered') expect(pair).toEqual(['tampered', 'altered']);
  if (r.verdict === 'malformed') expect(pair).toEqual(['malformed', 'unknown']);
  if (r.verdict === 'intact') expect([...pair, r.signer.status]).toEqual(['intact', 'intact', 'trusted']);
  if (r.verdict === 'unanchored') {
    expect(pair).toEqual(['unanchored', 'intact']);
    expect(r.signer.status).not.toBe('trusted');
  }
  expect(r.signer.sentence.length).toBeGreaterThan(20);
}

describe('agt-next fixture manifest', () => {
  it('lists every fixture file, and every case names a file that exists', () => {
    const listed = new Set(manifest.cases.flatMap((c) => [c.file, c.expect.trust_file, c.expect.with_trace?.trace_file, c.expect.with_trace?.trust_file].filter((f): f is string => !!f)));
    const files = readdirSync(FIXTURES).filter((f) => f !== 'README.md' && f !== 'manifest.json' && f !== 'trace-attacker-trust.json');
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    for (const f of listed) expect(files, f).toContain(f);
    expect(manifest.cases.length).toBe(20);
    expect(new Set(manifest.cases.map((c) => c.format))).toEqual(new Set(['agt-trace-v0.2', 'agt-mesh-jsonl', 'agt-cli-plugin']));
  });

  it('still disagrees with the project only where DEVIATIONS says', () => {
    for (const [file, d] of Object.entries(DEVIATIONS)) expect(manifest.cases.find((c) => c.file === file)?.expect.verdict).toBe(d.manifest);
  });

  it.each(manifest.cases.map((c, i) => [`${i} ${c.file} (${c.format})`, c] as const))('%s', async (_name, c) => {
    const e = c.expect;
    const r = await run(c, c.format, e.trust_file);
    expect(r.format).toBe(c.format);
    expect(r.verdict, r.verdictReason).toBe(DEVIATIONS[c.file]?.ours ?? e.verdict);
    checkFindings(r.findings, r.firstFailure, e.findings);
    checkAnswers(r);
    expect(r.verdictReason.length).toBeGreaterThan(40);
    if (e.chain_start) expect(r.chainStart).toBe(e.chain_start);
    if (c.format === 'agt-cli-plugin') {
      const entries = parsedOrEmpty(readFileSync(path.join(FIXTURES, c.file), 'utf8'));
      const outside = [...new Set(entries.flatMap((x) => Object.keys(x)).filter((k) => !PLUGIN_MEMBERS.has(k)))].sort();
      expect(r.unauthenticatedFields).toEqual(outside);
    } else expect(r.unauthenticatedFields).toEqual(presentOf(c.file, e.unauthenticated));
    if (e.verdict_without_trust) {
      const bare = await run(c, c.format, null);
      expect(bare.verdict, bare.verdictReason).toBe(e.verdict_without_trust);
      expect(bare.signer.status).toBe('none');
      checkAnswers(bare);
      if (bare.verdict === 'tampered') checkFindings(bare.findings, bare.firstFailure, e.findings);
    }
    if (c.also_reads_as) expect((await run(c, c.also_reads_as, e.trust_file)).verdict).toBe(e.verdict);
  });

  it.each(manifest.cases.filter((c) => c.expect.with_trace).map((c) => [c.file, c] as const))('%s checked against its Trust Record', async (_name, c) => {
    const t = c.expect.with_trace!;
    const r = await verifyFile({ path: path.join(FIXTURES, c.file), trustPath: path.join(FIXTURES, t.trust_file), traceRecordPath: path.join(FIXTURES, t.trace_file) });
    expect(r.verdict, r.verdictReason).toBe(t.verdict);
    checkFindings(r.findings, r.firstFailure, t.findings);
    checkAnswers(r);
    // The bindings named in findings are exactly the ones that differ.
    const differs = (k: string) => t.findings.some((f) => f.kind === k);
    expect(r.traceRecord!.checks.call_count.matches).toBe(!differs('call-count-mismatch'));
    expect(r.traceRecord!.checks.transcript_hash.matches).toBe(!differs('transcript-mismatch'));
    expect(r.traceRecord!.checks.measurement.matches).toBe(!differs('measurement-mismatch'));
    if (t.verdict === 'intact') {
      expect(r.signer.status).toBe('trusted');
      expect(r.unauthenticatedFields).toEqual([]);
    }
  });

  it.each(manifest.cases.map((c) => [c.file, c.format] as const))('detects %s as %s', async (file, format) => {
    const d = await detectFormat(path.join(FIXTURES, file));
    expect(d.reader.id).toBe(format);
    expect(d.reason.length).toBeGreaterThan(10);
  });
});
