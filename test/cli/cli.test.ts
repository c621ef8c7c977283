import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tmpDir } from '../support/export-builder';
import { cli } from '../support/run-cli';
import { FloodWriter } from '../hostile/floods';
import { deriveKey } from '../../src/main/node/generate/generate-export';

let dir: string;
let exportPath: string;
let trustPath: string;

beforeAll(async () => {
  dir = tmpDir();
  exportPath = path.join(dir, 'gen.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const r = await cli('generate', '--events', '1500', '--seed', '42', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath, '--checkpoint-every', '200');
  expect(r.code).toBe(0);
});

describe('audit-replay generate', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other bytes', async () => {
    const again = path.join(dir, 'again.jsonl');
    await cli('generate', '--events', '1500', '--seed', '42', '--out', again, '--key-out', path.join(dir, 'k2.json'), '--checkpoint-every', '200');
    const other = path.join(dir, 'other.jsonl');
    await cli('generate', '--events', '1500', '--seed', '43', '--out', other, '--key-out', path.join(dir, 'k3.json'), '--checkpoint-every', '200');
    const digest = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(digest(again)).toBe(digest(exportPath));
    expect(digest(other)).not.toBe(digest(exportPath));
  });

  it('writes a realistic workflow: several agents, decisions with Cedar requests, approvals, denials, a kill switch, ring changes', () => {
    const events = readFileSync(exportPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'event');
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['action.requested', 'policy.decision', 'approval.requested', 'approval.granted', 'action.executed', 'killswitch.engaged', 'killswitch.released', 'ring.changed']) {
      expect(kinds, k).toContain(k);
    }
    const effects = new Set(events.filter((e) => e.kind === 'policy.decision').map((e) => e.data.outcome.effect));
    expect([...effects].sort()).toEqual(['allow', 'deny', 'require_approval']);
    const agents = new Set(events.filter((e) => e.actor.type === 'agent').map((e) => e.actor.id));
    expect(agents.size).toBeGreaterThanOrEqual(4);
    const decision = events.find((e) => e.kind === 'policy.decision');
    expect(Object.keys(decision.data.request).sort()).toEqual(['action', 'context', 'principal', 'resource']);
    expect(Number.isInteger(decision.data.request.context.amount)).toBe(true);
  });
});

describe('audit-replay verify', () => {
  it('exit 0 and the JSON contract for an intact export', async () => {
    const r = await cli('verify', exportPath, '--trust', trustPath, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verdict: 'intact', events: 1500, findings: [], format: 'audit-export/1' });
    expect(out.file.sha256).toBe(createHash('sha256').update(readFileSync(exportPath)).digest('hex'));
  });

  it('--json says how many findings of each kind were folded: 3,000 events stepping back in time, intact', async () => {
    const write = new FloodWriter(deriveKey('cli-floods'));
    const file = write.events(path.join(dir, 'ts-back.jsonl'), 3000, { tsStep: -1 });
    const trust = path.join(dir, 'floods-trust.json');
    writeFileSync(trust, JSON.stringify(write.trust()));
    const r = await cli('verify', file, '--trust', trust, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('intact');
    expect(out.folded).toEqual({ 'ts-regression': 1999 });
    expect(out.findings).toHaveLength(1001);
    expect(out.findings[1000].message).toBe('1999 more ts-regression findings are not listed one by one (2999 in all).');
    const human = await cli('verify', file, '--trust', trust);
    expect(human.stdout).toContain('findings (1001):');
  });

  it('exit 3 without a trust store (unanchored)', async () => {
    const r = await cli('verify', exportPath, '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).verdict).toBe('unanchored');
  });

  it('exit 1 for a tampered export, with kind, seq, line and message', async () => {
    const lines = readFileSync(exportPath, 'utf8').split('\n');
    lines[100] = lines[100].replace(/"ts":"[^"]+"/, '"ts":"2026-11-24T09:00:00.000Z"');
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, lines.join('\n'));
    const r = await cli('verify', bad, '--trust', trustPath, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verdict).toBe('tampered');
    expect(out.findings[0]).toMatchObject({ kind: 'hash-mismatch', line: 101 });
    expect(typeof out.findings[0].seq).toBe('number');
    expect(out.findings[0].message).toMatch(/changed after it was recorded/);
  });

  it('reads gzip exports the same as plain ones', async () => {
    const gz = path.join(dir, 'gen.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(exportPath)));
    const r = await cli('verify', gz, '--trust', trustPath, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'intact', events: 1500 });
  });

  it('exit 2 with a sentence naming the file for unusable input or arguments', async () => {
    const missing = await cli('verify', path.join(dir, 'missing.jsonl'), '--json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.jsonl/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const badTrust = path.join(dir, 'bad-trust.json');
    writeFileSync(badTrust, '{"keys":[{"key_id":"x","alg":"rsa","public_key":"00"}]}');
    const t = await cli('verify', exportPath, '--trust', badTrust);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/bad-trust\.json: keys\[0\] \("x"\) has alg "rsa"/);
    const noArgs = await cli('verify');
    expect(noArgs.code).toBe(2);
    const unknown = await cli('verify', exportPath, '--frobnicate');
    expect(unknown.code).toBe(2);
  });

  it('human output names the verdict, the last hash and each finding', async () => {
    const r = await cli('verify', exportPath);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/UNANCHORED/);
    expect(r.stdout).toMatch(/last hash: [0-9a-f]{64}/);
    expect(r.stdout).toMatch(/\[unanchored-tail\]/);
  });
});

describe('continuation and consistency between exports', () => {
  it('compare: a longer export of the same chain extends the shorter one; an edited one forks', async () => {
    const short = path.join(dir, 'short.jsonl');
    await cli('generate', '--events', '700', '--seed', '42', '--out', short, '--key-out', path.join(dir, 'k4.json'), '--checkpoint-every', '200');
    const ext = await cli('compare', short, exportPath, '--json');
    expect(ext.code).toBe(0);
    const out = JSON.parse(ext.stdout);
    expect(out.relation).toBe('extends');
    expect(out.consistencyProof.length).toBeGreaterThan(0);

    const lines = readFileSync(exportPath, 'utf8').split('\n');
    const idx = lines.findIndex((l) => l.includes('"seq":300,'));
    const edited = JSON.parse(lines[idx]);
    edited.data = { rewritten: true };
    lines[idx] = JSON.stringify(edited);
    const forked = path.join(dir, 'forked.jsonl');
    writeFileSync(forked, lines.join('\n'));
    const fork = await cli('compare', short, forked, '--json');
    // The edit changes no recorded hash, so the trees agree, but the newer file is itself tampered.
    expect(fork.code).toBe(1);
    expect(JSON.parse(fork.stdout).newer.verdict).toBe('tampered');
    // A rewrite changes the recorded hash itself: the trees fork there.
    const rehashed = lines.slice();
    edited.hash = 'f'.repeat(64);
    rehashed[idx] = JSON.stringify(edited);
    writeFileSync(forked, rehashed.join('\n'));
    const fork2 = JSON.parse((await cli('compare', short, forked, '--json')).stdout);
    expect(fork2.relation).toBe('forks');
    expect(fork2.forkAt).toMatchObject({ seq: 300, newerLine: idx + 1 });
  });
});

describe('verify --continues', () => {
  it('accepts an export whose genesis is the head of the earlier one, and refuses one that is not', async () => {
    const head = JSON.parse((await cli('verify', exportPath, '--json')).stdout);
    const next = path.join(dir, 'next.jsonl');
    const g = await cli(
      'generate',
      '--events',
      '300',
      '--seed',
      '42',
      '--out',
      next,
      '--key-out',
      path.join(dir, 'k5.json'),
      '--genesis',
      head.head_hash,
      '--first-seq',
      String(head.details.last_seq + 1),
    );
    expect(g.code).toBe(0);
    const ok = await cli('verify', next, '--trust', trustPath, '--continues', exportPath, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).chain_start).toBe('anchored-head');
    expect(JSON.parse((await cli('compare', exportPath, next, '--json')).stdout).relation).toBe('continues');
    const unrelated = path.join(dir, 'unrelated.jsonl');
    await cli('generate', '--events', '50', '--seed', '9', '--out', unrelated, '--key-out', path.join(dir, 'k6.json'));
    const wrong = await cli('verify', next, '--trust', trustPath, '--continues', unrelated, '--json');
    expect(wrong.code).toBe(1);
    const kinds = JSON.parse(wrong.stdout).findings.map((f: { kind: string; line: number }) => `${f.kind}@${f.line}`);
    expect(kinds).toEqual(expect.arrayContaining(['broken-link@1', 'seq-gap@1']));
  });
});

describe('terminal safety', () => {
  it('control characters, separators and bidi overrides are shown as escapes, and JSON stays the same JSON', async () => {
    const { terminalSafe } = await import('../../src/main/node/cli/io');
    const hostile = 'ok\u001b]0;pwned\u0007\u001b[2K\rINTACT\u009b\u202e\u2028end\n\ttab';
    const safe = terminalSafe(hostile);
    expect(safe).toBe('ok\\u001b]0;pwned\\u0007\\u001b[2K\\u000dINTACT\\u009b\\u202e\\u2028end\n\ttab');
    const json = JSON.stringify({ message: hostile });
    expect(JSON.parse(terminalSafe(json))).toEqual({ message: hostile });
  });
});
