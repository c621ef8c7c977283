/**
 * Forgeries built the way an attacker would, each of which an earlier
 * version called INTACT or turned into "unusable": a verifier fails closed.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cli } from '../support/run-cli';
import { OTHER_KEY, TEST_KEY, buildLines, hashEvent, rechain, sha256Hex, signCheckpoint, specs, tmpDir, toText, trustFor, writeExportFile, type Line } from '../support/export-builder';
import { IncrementalMerkleTree } from '../../src/shared/verify/merkle';
import { nodeSha256 } from '../../src/main/node/read/hashes';
import { ChainVerifier } from '../../src/shared/verify/chain-verifier';
import { summarizeLine } from '../../src/shared/export/parse-line';
import { canonicalize } from '../../src/shared/json/canonical';
import { toHex } from '../../src/shared/hex';
import { verifyAuditExport } from '../../src/main/node/formats/audit-export-reader';

let dir: string;
beforeAll(() => {
  dir = tmpDir();
});

const REVOKED_AT = '2026-11-20T09:00:00.000Z';

/** Re-hash every event and re-make every checkpoint (root, head, signature) with `key`, dated by `ts(n)`. */
function resign(lines: Line[], key: typeof TEST_KEY, ts: (n: number) => string): Line[] {
  const chained = rechain(lines);
  const tree = new IncrementalMerkleTree(nodeSha256);
  let head = '';
  return chained.map((l) => {
    if (l.type === 'event') {
      tree.append(Buffer.from(l.hash as string, 'hex'));
      head = l.hash as string;
      return l;
    }
    if (l.type !== 'checkpoint') return l;
    const { sig: _sig, ...body } = l;
    void _sig;
    return signCheckpoint({ ...body, head_hash: head, merkle_root: toHex(tree.root()), ts: ts(tree.size), key_id: key.keyId }, key);
  });
}

function write(name: string, content: string | (Line | string)[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : toText(content));
  return file;
}

const revokedTrust = () => write(`trust-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(trustFor(TEST_KEY, { revoked_at: REVOKED_AT })));

async function verifyJson(file: string, ...args: string[]) {
  const r = await cli('verify', file, ...args, '--json');
  return { code: r.code, out: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

/** 300 events on 2026-11-25 (after the revocation), seq 250 edited, then re-hashed and re-signed. */
function rewrittenAt250(ts: (n: number) => string): Line[] {
  const lines = buildLines(specs(300), { every: 50 });
  const at = lines.findIndex((l) => l.type === 'event' && l.seq === 250);
  lines[at] = hashEvent({ ...lines[at], data: { request_id: 'req-250', tool: 'pay_invoice', args: { amount: 999999 } } });
  return resign(lines, TEST_KEY, ts);
}

describe('a key the trust store revoked never anchors a rewritten chain', () => {
  for (const bad of ['soon', '2026-13-45T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '2026-11-19T09:00:00.000+01:00']) {
    it(`checkpoints dated ${JSON.stringify(bad)}: not proven (exit 3), signer revoked`, async () => {
      const file = write(
        `revoked-${sha256Hex(bad).slice(0, 8)}.jsonl`,
        rewrittenAt250(() => bad),
      );
      const { code, out } = await verifyJson(file, '--trust', revokedTrust());
      expect(code).toBe(3);
      expect(out.verdict).toBe('unanchored');
      expect(out.signer).toMatchObject({ status: 'revoked', key_id: TEST_KEY.keyId });
      expect(out.findings.map((f: { kind: string }) => f.kind)).toContain('revoked-key');
      expect(out.findings.map((f: { kind: string }) => f.kind)).toContain('bad-timestamp');
    });
  }

  it('checkpoints dated before the revocation but covering events after it: revoked', async () => {
    const file = write(
      'revoked-backdated.jsonl',
      rewrittenAt250(() => '2026-11-01T00:00:00.000Z'),
    );
    const { code, out } = await verifyJson(file, '--trust', revokedTrust());
    expect(code).toBe(3);
    expect(out.signer.status).toBe('revoked');
    expect(out.findings.find((f: { kind: string }) => f.kind === 'revoked-key').message).toMatch(/after the revocation, so it was signed after it/);
  });

  it('checkpoints honestly signed before the revocation, over events before it: intact', async () => {
    const file = write('revoked-honest.jsonl', buildLines(specs(30), { every: 10 }));
    const { code, out } = await verifyJson(file, '--trust', write('trust-late.json', JSON.stringify(trustFor(TEST_KEY, { revoked_at: '2026-12-01T00:00:00.000Z' }))));
    expect(out.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('a checkpoint dated before the events it covers vouches for nothing, even with an unrevoked key', async () => {
    const file = write(
      'backdated.jsonl',
      resign(buildLines(specs(30), { every: 10 }), TEST_KEY, () => '2026-11-01T00:00:00.000Z'),
    );
    const { code, out } = await verifyJson(file, '--trust', write('trust-ok.json', JSON.stringify(trustFor())));
    expect(code).toBe(3);
    expect(out.integrity.status).toBe('intact');
    expect(out.findings.map((f: { kind: string }) => f.kind)).toContain('checkpoint-predates-events');
  });

  it('an event time that does not parse leaves a revoked key unable to show it signed first', async () => {
    const lines = buildLines(specs(20), { every: 10 });
    const at = lines.findIndex((l) => l.type === 'event' && l.seq === 3);
    lines[at] = { ...lines[at], ts: 'yesterday' };
    const file = write(
      'bad-event-ts.jsonl',
      resign(lines, TEST_KEY, () => '2026-11-01T00:00:00.000Z'),
    );
    const { code, out } = await verifyJson(file, '--trust', write('trust-late2.json', JSON.stringify(trustFor(TEST_KEY, { revoked_at: '2026-12-01T00:00:00.000Z' }))));
    expect(code).toBe(3);
    expect(out.signer.status).toBe('revoked');
    expect(out.findings.find((f: { kind: string }) => f.kind === 'bad-timestamp')).toMatchObject({ seq: 3, line: 5 });
  });
});

describe('a flood of checkpoints costs a bounded number of hashes, not events x checkpoints', () => {
  /** Runs the ordered verifier on the lines, counting SHA-256 calls. */
  function hashesFor(text: string[], trust = trustFor()): { hashes: number; verdict: string; kinds: Set<string> } {
    let hashes = 0;
    const verifier = new ChainVerifier({ sha256: (d) => (hashes++, nodeSha256(d)), trust });
    text.forEach((t, i) => verifier.add(summarizeLine(t, i + 1, sha256Hex, false, (h) => toHex(nodeSha256(Buffer.concat([Buffer.from([0]), Buffer.from(h, 'hex')]))))));
    const r = verifier.finish({ lastLineTerminated: true, lines: text.length });
    return { hashes, verdict: r.verdict, kinds: new Set(r.findings.map((f) => f.kind)) };
  }

  const events = 4000;
  const base = () => buildLines(specs(events), { every: events }).map((l) => canonicalize(l));

  it('2,000 checkpoints with bad signatures, lagging behind the events: no root is recomputed', () => {
    const lines = base();
    const final = lines.pop()!;
    const forged = JSON.parse(final) as Line;
    for (let i = 0; i < 2000; i++) lines.push(canonicalize({ ...forged, final: false, tree_size: 1 + i, seq_hi: i, sig: 'ab'.repeat(64) }));
    lines.push(final);
    const r = hashesFor(lines);
    expect(r.verdict).toBe('tampered');
    expect(r.kinds.has('bad-signature')).toBe(true);
    // Without the fix: about events x checkpoints / 2 = 8 million.
    expect(r.hashes).toBeLessThan(4 * events);
  });

  it('2,000 validly signed checkpoints at older sizes: each root from remembered subtrees', () => {
    const lines = base();
    const final = lines.pop()!;
    const tree = new IncrementalMerkleTree(nodeSha256);
    const events_ = lines.slice(1).map((t) => JSON.parse(t) as Line);
    const roots: string[] = [];
    for (const e of events_) {
      tree.append(Buffer.from(e.hash as string, 'hex'));
      roots.push(toHex(tree.root()));
    }
    for (let i = 0; i < 2000; i++) {
      const size = 1 + ((i * 7919) % events);
      lines.push(
        canonicalize(
          signCheckpoint({
            type: 'checkpoint',
            seq_hi: size - 1,
            tree_size: size,
            head_hash: events_[size - 1].hash,
            merkle_root: roots[size - 1],
            ts: '2026-11-25T05:00:00.000Z',
            key_id: TEST_KEY.keyId,
            final: false,
          }),
        ),
      );
    }
    lines.push(final);
    const r = hashesFor(lines);
    expect(r.kinds).toEqual(new Set());
    expect(r.verdict).toBe('intact');
    // Leaf and node hashes of the events (~2n), plus at most ~2^9 per checkpoint.
    expect(r.hashes).toBeLessThan(4 * events + 2000 * 520);
  });
});

describe('unauthenticated header members never change the verdict', () => {
  for (const [name, keys] of [
    ['an object', {}],
    ['a string', 'x'],
    ['a list with null', [null]],
    ['a list with a number key', [{ key_id: 7 }]],
  ] as const) {
    it(`"keys" as ${name}: a warning naming line 1 and the member; intact stays intact, tampered stays tampered`, async () => {
      const lines = buildLines(specs(12), { every: 5 });
      lines[0] = { ...lines[0], keys };
      const trust = write('trust-h.json', JSON.stringify(trustFor()));
      const ok = await verifyJson(write(`hdr-ok-${name.replace(/\W/g, '')}.jsonl`, lines), '--trust', trust);
      expect(ok.code).toBe(0);
      expect(ok.out.findings[0]).toMatchObject({ kind: 'header-member', line: 1, severity: 'warning' });
      expect(ok.out.findings[0].message).toMatch(/"keys"|keys\[0\]/);
      const edited = [...lines];
      edited[3] = { ...edited[3], data: { edited: true } };
      const bad = await verifyJson(write(`hdr-bad-${name.replace(/\W/g, '')}.jsonl`, edited), '--trust', trust);
      expect(bad.code).toBe(1);
      expect(bad.out.verdict).toBe('tampered');
      const noTrust = await verifyJson(write(`hdr-nt-${name.replace(/\W/g, '')}.jsonl`, edited));
      expect(noTrust.code).toBe(1);
    });
  }

  it('"exporter" and "created_at" of the wrong type are named too', async () => {
    const lines = buildLines(specs(5), { every: 5 });
    lines[0] = { ...lines[0], exporter: 'x', created_at: 5 };
    const { code, out } = await verifyJson(write('hdr-exporter.jsonl', lines), '--trust', write('trust-e.json', JSON.stringify(trustFor())));
    expect(code).toBe(0);
    expect(out.findings.map((f: { message: string }) => f.message).join(' ')).toMatch(/"exporter".*|"created_at"/);
  });
});

describe('the trust store is checked member by member', () => {
  const file = () => writeExportFile(dir, 'ts-valid.jsonl', buildLines(specs(5), { every: 5 }));
  const key = trustFor().keys[0];

  it('a duplicate key_id is refused, whichever entry is revoked', async () => {
    for (const keys of [
      [key, { ...key, public_key: trustFor(OTHER_KEY).keys[0].public_key }],
      [{ ...key, revoked_at: REVOKED_AT }, key],
    ]) {
      const trust = write('trust-dup.json', JSON.stringify({ keys }));
      const r = await cli('verify', file(), '--trust', trust);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('trust-dup.json');
      expect(r.stderr).toMatch(/keys\[1\] repeats key_id "test-key" of keys\[0\]/);
    }
  });

  it('a revoked_at that is not an RFC 3339 UTC time is refused', async () => {
    for (const revoked_at of ['soon', '2026-11-20T09:00:00+01:00', '2026-02-30T00:00:00.000Z']) {
      const r = await cli('verify', file(), '--trust', write('trust-rev.json', JSON.stringify({ keys: [{ ...key, revoked_at }] })));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/revoked_at.*not an RFC 3339 UTC time/);
    }
  });

  it('a duplicate member name inside a key is refused', async () => {
    const text = `{"keys":[{"key_id":"test-key","alg":"ed25519","public_key":"${key.public_key}","public_key":"${'0'.repeat(64)}"}]}`;
    const r = await cli('verify', file(), '--trust', write('trust-dupmember.json', text));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON.*duplicate/i);
  });
});

describe('verify --continues judges the earlier export too', () => {
  it('with the earlier export tampered, the later one is not intact (exit 1)', async () => {
    const a = buildLines(specs(10), { every: 5 });
    const aHead = a.filter((l) => l.type === 'event').pop()!.hash as string;
    const b = buildLines(specs(10), { every: 5, genesis: aHead, firstSeq: 10 });
    const trust = write('trust-c.json', JSON.stringify(trustFor()));
    const aFile = write('cont-a.jsonl', a);
    const bFile = write('cont-b.jsonl', b);
    expect((await verifyJson(bFile, '--trust', trust, '--continues', aFile)).code).toBe(0);
    const edited = [...a];
    edited[2] = { ...edited[2], data: { edited: true } };
    const aBad = write('cont-a-bad.jsonl', edited);
    const { code, out } = await verifyJson(bFile, '--trust', trust, '--continues', aBad);
    expect(code).toBe(1);
    expect(out.verdict).toBe('tampered');
    expect(out.findings[0]).toMatchObject({ kind: 'earlier-export-altered', line: 1 });
    expect(out.findings[0].message).toMatch(/cont-a-bad\.jsonl.*TAMPERED/);
  });
});

describe('a lagging checkpoint over a long clean run is judged on the latest event it covers', () => {
  it('a revoked key backdating a checkpoint inside a run: the fast path refuses it as line by line does', async () => {
    // 1,000 events ten minutes apart from 2026-11-19, straddling the revocation (2026-11-20 09:00):
    // the native scan takes them as one run, whose middle events' times it never sees.
    const events = specs(1000).map((_, i) => ({ ts: new Date(Date.UTC(2026, 10, 19) + i * 600_000).toISOString() }));
    const lines = buildLines(events, { every: 5000 });
    const tree = new IncrementalMerkleTree(nodeSha256);
    const covered = lines.filter((l) => l.type === 'event').slice(0, 600);
    for (const e of covered) tree.append(Buffer.from(e.hash as string, 'hex'));
    const lagging = signCheckpoint({
      type: 'checkpoint',
      seq_hi: 599,
      tree_size: 600,
      head_hash: covered[599].hash,
      merkle_root: toHex(tree.root()),
      ts: '2026-11-19T12:00:00.000Z',
      key_id: TEST_KEY.keyId,
      final: false,
    });
    lines.splice(lines.length - 1, 0, lagging);
    const file = write('lagging-backdated.jsonl', lines);
    const trust = trustFor(TEST_KEY, { revoked_at: REVOKED_AT });
    const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0, native: false });
    const fast = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: 0, native: true });
    const laggingLine = lines.indexOf(lagging) + 1;
    const onLagging = reference.verification.findings.filter((f) => f.line === laggingLine).map((f) => f.kind);
    expect(onLagging.length).toBeGreaterThan(0);
    expect(JSON.stringify(fast.verification)).toBe(JSON.stringify(reference.verification));
  });
});
