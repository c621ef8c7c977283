import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { verifyAuditExport } from '../../src/main/node/formats/audit-export-reader';
import { nodeSha256 } from '../../src/main/node/read/hashes';
import { nodeVerifyEd25519 } from '../../src/main/node/formats/node-ed25519';
import { summarizeBatch } from '../../src/main/node/formats/summarize-batch';
import type { LineBatch } from '../../src/main/node/read/line-batches';
import { ChainVerifier } from '../../src/shared/verify/chain-verifier';
import { summarizeLine } from '../../src/shared/export/parse-line';
import type { Finding } from '../../src/shared/verify/findings';
import { canonicalize } from '../../src/shared/json/canonical';
import { ed25519PublicKey } from '../../src/shared/crypto';
import { OTHER_KEY, TEST_KEY, buildLines, hashEvent, header, lineOfSeq, rechain, signCheckpoint, specs, tmpDir, trustFor, writeExportFile, type Line } from '../support/export-builder';

let dir: string;
beforeAll(() => {
  dir = tmpDir();
});

/**
 * Every case runs twice, on the JavaScript reference and with the native fast
 * path (when it is built, see native-scan.test.ts), and both must say the
 * same, byte for byte.
 */
async function verify(lines: (Line | string)[], options: { trust?: unknown; newline?: boolean; workers?: number } = {}) {
  const file = writeExportFile(dir, `e-${Math.random().toString(36).slice(2)}.jsonl`, lines, options.newline ?? true);
  const trust = options.trust === undefined ? trustFor() : (options.trust as ReturnType<typeof trustFor> | null);
  const reference = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: options.workers ?? 0, native: false });
  const fast = await verifyAuditExport({ path: file, trust, hmacKey: null, workers: options.workers ?? 0, native: true });
  expect(JSON.stringify(fast.verification), 'the native fast path disagrees with the JavaScript reference').toBe(JSON.stringify(reference.verification));
  return fast.chain;
}

const kinds = (fs: Finding[]) => fs.map((f) => f.kind);

/** The verifier fed one summary per line, as it was before summaries of junk were folded. */
function lineByLine(text: string[]) {
  const verifier = new ChainVerifier({ sha256: nodeSha256, verifySignature: nodeVerifyEd25519, trust: trustFor() });
  text.forEach((t, i) => verifier.add(summarizeLine(t, i + 1, (x) => createHash('sha256').update(x, 'utf8').digest('hex'))));
  return verifier.finish({ lastLineTerminated: true, lines: text.length });
}

function batchOf(lines: string[]): LineBatch {
  const bytes = new Uint8Array(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
  const offsets = new Uint32Array(lines.length + 1);
  let at = 0;
  lines.forEach((l, i) => {
    offsets[i] = at;
    at += Buffer.byteLength(l, 'utf8') + 1;
  });
  offsets[lines.length] = at;
  return { firstLine: 1, bytes, offsets };
}
const first = (fs: Finding[]) => fs.find((f) => f.severity === 'integrity');

describe('a valid export', () => {
  it('is intact with a trust store, with no findings', async () => {
    const chain = await verify(buildLines(specs(35), { every: 10 }));
    expect(chain.verdict).toBe('intact');
    expect(chain.findings).toEqual([]);
    expect(chain.events).toBe(35);
    expect(chain.anchoredEvents).toBe(35);
  });

  it('is unanchored without a trust store, and says why', async () => {
    const chain = await verify(buildLines(specs(12)), { trust: null });
    expect(chain.verdict).toBe('unanchored');
    expect(kinds(chain.findings)).toEqual(['unanchored-tail']);
    expect(chain.findings[0].message).toMatch(/no trust store/);
  });

  it('gives the same result with 0, 1 and 2 hash workers', async () => {
    const lines = buildLines(specs(40), { every: 7 });
    lines[9] = { ...lines[9], data: { edited: true } };
    const results = [];
    for (const workers of [0, 1, 2]) results.push(JSON.stringify(await verify(lines, { workers })));
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
  });

  it('accepts awkward but valid content: non-ASCII, escapes, extreme numbers, empty objects, deep nesting, any member order and spacing', async () => {
    let deep: unknown = { leaf: 'bottom' };
    for (let i = 0; i < 60; i++) deep = { level: i, inner: deep, list: [deep === null ? null : i] };
    const data = [
      { text: 'Zürich — 東京 — 😀 — \u2028 — \u0000\u001f "quoted" \\ back', empty: {}, emptyList: [] },
      { big: 1.7976931348623157e308, small: 5e-324, neg: -0, int: 9007199254740991, frac: 0.1 + 0.2, exp: 1e21, tiny: 1e-7 },
      { deep },
      { '': 'empty key', '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3, a: { z: 1, a: 2 } },
    ];
    const lines = buildLines(
      data.map((d) => ({ data: d })),
      { every: 2 },
    );
    // Write events with members reversed and extra spaces: hashes cover content, not bytes.
    const text = lines.map((l) => (l.type === 'event' ? JSON.stringify(Object.fromEntries(Object.entries(l).reverse()), null, 1).replace(/\n/g, ' ') : canonicalize(l)));
    const chain = await verify(text);
    expect(chain.findings).toEqual([]);
    expect(chain.verdict).toBe('intact');
  });
});

describe('tampering, done the way an attacker would, is found at the right event and line', () => {
  const base = () => buildLines(specs(30), { every: 10 });

  it('editing a field: hash-mismatch at that event', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 12);
    lines[at - 1] = { ...lines[at - 1], data: { request_id: 'req-12', tool: 'pay_invoice', args: { amount: 999999 } } };
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'hash-mismatch', seq: 12, line: at });
    expect(kinds(chain.findings)).not.toContain('broken-link');
  });

  it('deleting an event: broken-link and seq-gap at the next one, checkpoint-mismatch after', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 5);
    lines.splice(at - 1, 1);
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ seq: 6, line: at });
    expect(
      chain.findings
        .filter((f) => f.line === at)
        .map((f) => f.kind)
        .sort(),
    ).toEqual(['broken-link', 'seq-gap']);
    expect(kinds(chain.findings)).toContain('checkpoint-mismatch');
  });

  it('inserting a forged event that links to its predecessor: the event after it breaks', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 7);
    const prev = lines[at - 2];
    const forged = hashEvent({ ...prev, seq: 7, data: { request_id: 'forged', tool: 'pay_invoice', args: { amount: 1 } }, prev_hash: prev.hash });
    lines.splice(at - 1, 0, forged);
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'broken-link', seq: 7, line: at + 1 });
    expect(kinds(chain.findings)).toContain('seq-duplicate');
  });

  it('swapping two events: broken-link and seq-regression where the order breaks', async () => {
    const lines = base();
    const a = lineOfSeq(lines, 3);
    [lines[a - 1], lines[a]] = [lines[a], lines[a - 1]];
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'broken-link', seq: 4, line: a });
    expect(kinds(chain.findings)).toContain('seq-regression');
  });

  it('cutting the head: the first remaining event does not link to the genesis', async () => {
    const lines = base();
    const cut = [lines[0], ...lines.slice(4)];
    const chain = await verify(cut);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'broken-link', seq: 3, line: 2 });
    expect(first(chain.findings)!.message).toMatch(/genesis/);
  });

  it('cutting the tail: no final checkpoint is truncated, the cut events unanchored', async () => {
    const lines = base();
    const cut = lines.slice(0, lineOfSeq(lines, 24));
    const chain = await verify(cut);
    expect(chain.verdict).toBe('tampered');
    expect(kinds(chain.findings)).toEqual(expect.arrayContaining(['truncated', 'unanchored-tail']));
    expect(chain.findings.find((f) => f.kind === 'unanchored-tail')).toMatchObject({ seq: 20 });
  });

  it('a last line without a line end is truncated', async () => {
    const chain = await verify(base(), { newline: false });
    expect(chain.verdict).toBe('tampered');
    expect(chain.findings.find((f) => f.kind === 'truncated')?.line).toBe(base().length);
  });

  it('editing an event and re-hashing it alone: broken-link at the event after it', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 12);
    lines[at - 1] = hashEvent({ ...lines[at - 1], data: { request_id: 'req-12', tool: 'pay_invoice', args: { amount: 1 } } });
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(kinds(chain.findings)).not.toContain('hash-mismatch');
    const f = first(chain.findings)!;
    expect([f.kind, f.seq, f.line]).toEqual(['broken-link', 13, lineOfSeq(lines, 13)]);
  });

  it('rewriting the chain after an edit and re-hashing it: the next signed checkpoint no longer matches', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 12);
    lines[at - 1] = { ...lines[at - 1], data: { request_id: 'req-12', tool: 'pay_invoice', args: { amount: 1 } } };
    const chain = await verify(rechain(lines));
    expect(chain.verdict).toBe('tampered');
    expect(kinds(chain.findings)).not.toContain('hash-mismatch');
    expect(kinds(chain.findings)).not.toContain('broken-link');
    const f = first(chain.findings)!;
    expect(f.kind).toBe('checkpoint-mismatch');
    expect(f.seq).toBe(19);
    expect(f.line).toBe(lineOfSeq(lines, 19) + 1);
  });

  it('rewriting the chain and re-signing every checkpoint with another key under the trusted name (key substitution): untrusted-key, not proven', async () => {
    const lines = buildLines(specs(30), { every: 10, key: OTHER_KEY });
    const chain = await verify(lines);
    // Consistent content signed by someone the reviewer does not trust: unproven, not "altered".
    expect(chain.verdict).toBe('unanchored');
    expect(chain.integrity.status).toBe('intact');
    expect(chain.signer).toMatchObject({ status: 'untrusted', key_id: OTHER_KEY.keyId, public_key: ed25519PublicKey(OTHER_KEY.secret) });
    expect(chain.findings.find((f) => f.kind === 'untrusted-key')).toMatchObject({ seq: 9, severity: 'anchor' });
    expect(chain.findings.find((f) => f.kind === 'untrusted-key')!.message).toMatch(/substituted/);
    expect(kinds(chain.findings)).not.toContain('bad-signature');
  });

  it('re-signing with another key under the trusted name while the header keeps the trusted key: bad-signature, tampered', async () => {
    const lines = buildLines(specs(30), { every: 10, key: OTHER_KEY });
    lines[0] = header();
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'bad-signature', seq: 9 });
  });

  it('signing with a key not in the trust store: untrusted-key, not proven', async () => {
    const stranger = { keyId: 'stranger', secret: OTHER_KEY.secret };
    const chain = await verify(buildLines(specs(12), { every: 5, key: stranger }));
    expect(chain.verdict).toBe('unanchored');
    expect(chain.integrity.status).toBe('intact');
    expect(chain.signer).toMatchObject({ status: 'untrusted', key_id: 'stranger' });
    expect(chain.findings.find((f) => f.kind === 'untrusted-key')).toMatchObject({ seq: 4 });
  });

  it('forging a checkpoint (new root, old signature): bad-signature', async () => {
    const lines = base();
    const cpAt = lines.findIndex((l) => l.type === 'checkpoint');
    lines[cpAt] = { ...lines[cpAt], merkle_root: 'ab'.repeat(32) };
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'bad-signature', line: cpAt + 1 });
  });

  it('a re-signed checkpoint over a wrong root, signed with the real key: checkpoint-mismatch', async () => {
    const lines = base();
    const cpAt = lines.findIndex((l) => l.type === 'checkpoint');
    lines[cpAt] = signCheckpoint({ ...lines[cpAt], merkle_root: 'cd'.repeat(32) }, TEST_KEY);
    const chain = await verify(lines);
    expect(first(chain.findings)).toMatchObject({ kind: 'checkpoint-mismatch', line: cpAt + 1 });
  });

  it('a key revoked before the checkpoint was signed: revoked-key', async () => {
    const chain = await verify(base(), { trust: trustFor(TEST_KEY, { revoked_at: '2026-01-01T00:00:00.000Z' }) });
    expect(chain.verdict).toBe('unanchored');
    expect(chain.signer).toMatchObject({ status: 'revoked', key_id: TEST_KEY.keyId });
    expect(kinds(chain.findings)).toContain('revoked-key');
  });

  it('a duplicate member name that changes meaning: malformed-line, and verification goes on', async () => {
    const lines = base();
    const at = lineOfSeq(lines, 8);
    const text = lines.map((l) => canonicalize(l));
    // Hash computed over the first "kind"; a last-wins parser would read the second.
    text[at - 1] = text[at - 1].replace('"kind":"action.requested"', '"kind":"action.requested","kind":"approval.granted"');
    lines[lineOfSeq(lines, 20) - 1] = { ...lines[lineOfSeq(lines, 20) - 1], data: {} };
    text[lineOfSeq(lines, 20) - 1] = canonicalize(lines[lineOfSeq(lines, 20) - 1]);
    const chain = await verify(text);
    expect(chain.verdict).toBe('tampered');
    expect(first(chain.findings)).toMatchObject({ kind: 'malformed-line', line: at });
    expect(first(chain.findings)!.message).toMatch(/duplicate member name "kind"/);
    expect(chain.findings.find((f) => f.kind === 'hash-mismatch')).toMatchObject({ seq: 20 });
  });

  it('lone surrogates and non-finite numbers are malformed lines', async () => {
    const lines = base();
    const text = lines.map((l) => canonicalize(l));
    const a = lineOfSeq(lines, 2);
    const b = lineOfSeq(lines, 4);
    text[a - 1] = text[a - 1].replace('"tool":"pay_invoice"', '"tool":"pay\\ud800invoice"');
    text[b - 1] = text[b - 1].replace(/"amount":\d+/, '"amount":1e400');
    const chain = await verify(text);
    const malformed = chain.findings.filter((f) => f.kind === 'malformed-line');
    expect(malformed.map((f) => f.line)).toEqual([a, b]);
    expect(malformed[0].message).toMatch(/surrogate/);
    expect(malformed[1].message).toMatch(/finite/);
  });

  it('a timestamp going back is a warning, not tampering', async () => {
    const s = specs(10);
    s[5] = { ts: '2026-11-25T02:00:00.000Z' };
    const chain = await verify(buildLines(s, { every: 5 }));
    expect(chain.verdict).toBe('intact');
    expect(chain.findings.map((f) => [f.kind, f.severity, f.seq])).toEqual([['ts-regression', 'warning', 5]]);
  });

  it('a file that is not an export at all is malformed', async () => {
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'hello\nworld\n');
    const { chain } = await verifyAuditExport({ path: file, trust: null, hmacKey: null, workers: 0 });
    expect(chain.verdict).toBe('malformed');
    expect(chain.findings[0]).toMatchObject({ kind: 'malformed-line', line: 1 });
  });

  it('the first point of failure is the first integrity finding in file order', async () => {
    const lines = base();
    const a = lineOfSeq(lines, 20);
    const b = lineOfSeq(lines, 4);
    lines[a - 1] = { ...lines[a - 1], data: {} };
    lines[b - 1] = { ...lines[b - 1], data: {} };
    const chain = await verify(lines);
    expect(chain.firstFailure).toMatchObject({ kind: 'hash-mismatch', seq: 4, line: b });
  });
});

describe('bounded findings for junk', () => {
  it('lists the first 1,000 unreadable lines and counts the rest in one finding', async () => {
    const lines = buildLines(specs(3), { every: 10 });
    const junk = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? '' : i % 3 === 1 ? 'garbage' : '[1]'));
    const chain = await verify([lines[0], ...junk, ...lines.slice(1)]);
    const malformed = chain.findings.filter((f) => f.kind === 'malformed-line');
    expect(malformed).toHaveLength(1001);
    expect(malformed[0]).toMatchObject({ line: 2 });
    expect(malformed[0].message).toMatch(/empty/);
    expect(malformed[1].message).toMatch(/not an object/);
    expect(malformed[1000]).toMatchObject({ line: null });
    expect(malformed[1000].message).toMatch(/500 more unreadable lines .*1500 in all/);
  });

  it('500k-style warning floods: of 3,000 events stepping back in time, 1,000 ts-regression findings are listed and the rest counted; the verdict stays intact', async () => {
    const base = Date.UTC(2026, 10, 25, 3, 0, 0);
    const lines = buildLines(
      specs(3000).map((_, i) => ({ ts: new Date(base - i * 1000).toISOString() })),
      { every: 1000 },
    );
    const chain = await verify(lines, { workers: 2 });
    expect(chain.verdict).toBe('intact');
    const listed = chain.findings.filter((f) => f.kind === 'ts-regression');
    expect(listed).toHaveLength(1001);
    expect(listed.slice(0, 1000).map((f) => f.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(listed[1000]).toMatchObject({ line: null, seq: null, severity: 'warning', message: '1999 more ts-regression findings are not listed one by one (2999 in all).' });
    expect(chain.folded).toEqual({ 'ts-regression': 1999 });
    expect(chain.findings).toHaveLength(1001);
  });

  it('a folded integrity finding still makes the export tampered, and the first failure is still the first', async () => {
    const lines = buildLines(specs(1500), { every: 500 }).map((l) => (l.type === 'event' ? { ...l, data: { edited: l.seq } } : l));
    const chain = await verify(lines);
    expect(chain.verdict).toBe('tampered');
    expect(chain.folded).toEqual({ 'hash-mismatch': 500 });
    expect(chain.findings.filter((f) => f.kind === 'hash-mismatch')).toHaveLength(1001);
    expect(chain.firstFailure).toMatchObject({ kind: 'hash-mismatch', seq: 0, line: 2 });
  });

  it('floods of blank and `{}` lines give the findings that line-by-line reading gives, inline and on workers, with one summary per run of the same junk', async () => {
    const lines = buildLines(specs(30), { every: 10 });
    const text = [
      canonicalize(lines[0]),
      ...Array(1200).fill(''),
      ...Array(1200).fill('{}'),
      'x',
      'x',
      ...lines.slice(1, 20).map((l) => canonicalize(l)),
      ...Array(300).fill('{}'),
      ...lines.slice(20).map((l) => canonicalize(l)),
    ];
    const reference = lineByLine(text);
    for (const workers of [0, 2]) {
      const chain = await verify(text, { workers });
      expect(chain.findings).toEqual(reference.findings);
      expect(chain.folded).toEqual({ 'malformed-line': 2702 - 1000 });
    }
    expect(reference.folded).toEqual({ 'malformed-line': 1702 });
    // One summary per run of the same junk, not one per line (also without the native scan, and keeping raw lines for ingest).
    const batch = batchOf(text.slice(0, 2401));
    expect(summarizeBatch(batch, false).map((s) => (s.t === 'malformed' ? `${s.line}x${s.count ?? 1}` : s.t))).toEqual(['header', '2x1200', '1202x1200']);
    expect(summarizeBatch(batch, true, false)).toHaveLength(3);
  });

  it('a cut last line without a final checkpoint is one truncated finding, not two', async () => {
    const lines = buildLines(specs(12), { every: 5 });
    const chain = await verify(lines.slice(0, -1), { newline: false });
    expect(chain.findings.filter((f) => f.kind === 'truncated')).toHaveLength(1);
    expect(chain.findings.find((f) => f.kind === 'truncated')!.message).toMatch(/no line end and the export does not end with a final checkpoint/);
  });
});
