/**
 * Builds audit-export/1 files for tests, the way an honest exporter would,
 * and gives the tools to attack them the way an insider would.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canonicalize } from '../../src/shared/json/canonical';
import { ed25519PublicKey, signEd25519 } from '../../src/shared/crypto';
import { IncrementalMerkleTree } from '../../src/shared/verify/merkle';
import { toHex, utf8 } from '../../src/shared/hex';
import { nodeSha256 } from '../../src/main/node/read/hashes';

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
export const ZERO = '0'.repeat(64);

export const TEST_KEY = { keyId: 'test-key', secret: sha256Hex('test key secret') };
export const OTHER_KEY = { keyId: 'test-key', secret: sha256Hex('attacker key secret') };
export const trustFor = (key = TEST_KEY, extra: Record<string, unknown> = {}) => ({
  keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: ed25519PublicKey(key.secret), ...extra }],
});

export interface EventSpec {
  kind?: string;
  actor?: { type: string; id: string };
  data?: Record<string, unknown>;
  ts?: string;
}

export type Line = Record<string, unknown>;

export function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'audit-replay-test-'));
}

export function header(genesis = ZERO, firstSeq = 0, key = TEST_KEY): Line {
  return {
    type: 'header',
    format: 'audit-export/1',
    export_id: 'exp-test',
    chain_id: 'test-chain',
    genesis,
    first_seq: firstSeq,
    created_at: '2026-11-25T03:00:00.000Z',
    exporter: { name: 'test', version: '1' },
    keys: [{ key_id: key.keyId, alg: 'ed25519', public_key: ed25519PublicKey(key.secret) }],
  };
}

export function hashEvent(event: Line): Line {
  const { hash: _drop, ...body } = event;
  return { ...body, hash: sha256Hex(canonicalize(body)) };
}

export function signCheckpoint(cp: Line, key = TEST_KEY): Line {
  const { sig: _drop, ...body } = cp;
  return { ...body, sig: signEd25519(utf8(canonicalize(body)), key.secret) };
}

/** Events plus checkpoints every `every` events and a final one, as objects (not yet text). */
export function buildLines(specs: EventSpec[], options: { every?: number; genesis?: string; firstSeq?: number; key?: typeof TEST_KEY } = {}): Line[] {
  const every = options.every ?? 10;
  const genesis = options.genesis ?? ZERO;
  const firstSeq = options.firstSeq ?? 0;
  const lines: Line[] = [header(genesis, firstSeq, options.key)];
  const tree = new IncrementalMerkleTree(nodeSha256);
  let prev = genesis;
  specs.forEach((spec, i) => {
    const event = hashEvent({
      type: 'event',
      seq: firstSeq + i,
      ts: spec.ts ?? new Date(Date.UTC(2026, 10, 25, 3, 0, 0) + i * 1000).toISOString(),
      kind: spec.kind ?? 'action.requested',
      actor: spec.actor ?? { type: 'agent', id: `agent-${i % 3}` },
      data: spec.data ?? { request_id: `req-${i}`, tool: 'pay_invoice', args: { amount: 100 + i } },
      prev_hash: prev,
    });
    lines.push(event);
    tree.append(Buffer.from(event.hash as string, 'hex'));
    prev = event.hash as string;
    const n = i + 1;
    if (n % every === 0 || n === specs.length) lines.push(checkpointFor(tree, firstSeq, n, prev, n === specs.length, options.key));
  });
  return lines;
}

export function checkpointFor(tree: IncrementalMerkleTree, firstSeq: number, n: number, head: string, final: boolean, key = TEST_KEY): Line {
  return signCheckpoint(
    {
      type: 'checkpoint',
      seq_hi: firstSeq + n - 1,
      tree_size: n,
      head_hash: head,
      merkle_root: toHex(tree.root()),
      // Signed after the events it covers (event i is at 03:00:00 + i seconds), as an honest exporter does.
      ts: new Date(Math.max(Date.UTC(2026, 10, 25, 4, 0, 0) + n, Date.UTC(2026, 10, 25, 3, 0, 0) + n * 1000)).toISOString(),
      key_id: key.keyId,
      final,
    },
    key,
  );
}

export function specs(n: number): EventSpec[] {
  return Array.from({ length: n }, () => ({}));
}

/** Recompute every event hash and link from position `from` on, as an attacker rewriting history would. */
export function rechain(lines: Line[]): Line[] {
  let prev = (lines[0].genesis as string) ?? ZERO;
  return lines.map((l) => {
    if (l.type !== 'event') return l;
    const e = hashEvent({ ...l, prev_hash: prev });
    prev = e.hash as string;
    return e;
  });
}

export function toText(lines: (Line | string)[], trailingNewline = true): string {
  const body = lines.map((l) => (typeof l === 'string' ? l : canonicalize(l))).join('\n');
  return trailingNewline ? body + '\n' : body;
}

export function writeExportFile(dir: string, name: string, lines: (Line | string)[], trailingNewline = true): string {
  const file = path.join(dir, name);
  writeFileSync(file, toText(lines, trailingNewline));
  return file;
}

/** 1-based file line of the event with this seq in `lines` (header is line 1). */
export function lineOfSeq(lines: Line[], seq: number): number {
  return lines.findIndex((l) => l.type === 'event' && l.seq === seq) + 1;
}
