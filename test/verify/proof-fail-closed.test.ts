/** A proof that was edited anywhere its answer depends on must never read intact. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEntryProof, readEntryProof, type EntryProofFile } from '../../src/shared/verify/entry-proof';
import { nodeSha256, nodeSha256Hex } from '../../src/main/node/read/hashes';
import { nodeVerifyEd25519 } from '../../src/main/node/formats/node-ed25519';
import { leafHash, verifyInclusion } from '../../src/shared/verify/merkle';
import { fromHex, toHex } from '../../src/shared/hex';
import type { TrustStore } from '../../src/shared/export/types';
import { canonicalize } from '../../src/shared/json/canonical';
import { openSampleCases, SAMPLE, TRUST, type SampleCases } from './proof-fixture';

let cases: SampleCases;
let good: EntryProofFile;
const trust = JSON.parse(readFileSync(TRUST, 'utf8')) as TrustStore;
const check = (proof: EntryProofFile) => checkEntryProof(proof, { sha256: nodeSha256, sha256Hex: nodeSha256Hex, trust, verifySignature: nodeVerifyEd25519 });
const edited = (edit: (p: EntryProofFile) => void): EntryProofFile => {
  const copy = structuredClone(good);
  edit(copy);
  return copy;
};
/** Another character of the same class, so the text stays as readable as it was. */
const other = (c: string) => (/[0-9]/.test(c) ? String((Number(c) + 1) % 10) : /[a-z]/.test(c) ? String.fromCharCode(((c.charCodeAt(0) - 97 + 1) % 26) + 97) : c);

beforeAll(async () => {
  cases = await openSampleCases();
  good = readEntryProof(JSON.parse((await cases.service.exportEntryProof(cases.sample, 777))!.text));
  expect(check(good).verdict).toBe('intact');
});
afterAll(async () => {
  await cases?.close();
});

describe('a proof fails closed', () => {
  it('when its line was edited: the content no longer hashes to its recorded hash', () => {
    const p = edited((q) => (q.entry.text = q.entry.text.replace('"seq":777', '"seq":778')));
    const r = check(p);
    expect(r.verdict).toBe('tampered');
    expect(r.checks.content).toBe(false);
    expect(r.integrity.sentence).toMatch(/^The record was altered: event 778 \(line \d+\) cannot be proven: the entry's content hashes to/);
  });

  it('when its line was edited and rehashed: the new hash is not the leaf under the signed root', () => {
    const p = edited((q) => {
      const obj = JSON.parse(q.entry.text) as Record<string, unknown> & { data: Record<string, unknown> };
      obj.data = { ...obj.data, note: 'rewritten' };
      delete obj.hash;
      const hash = nodeSha256Hex(canonicalize(obj));
      q.entry.text = canonicalize({ ...obj, hash });
      q.entry.hash = hash;
    });
    const r = check(p);
    expect(r.checks.content).toBe(true);
    expect(r.checks.inclusion).toBe(false);
    expect(r.verdict).toBe('tampered');
  });

  it('when its audit path was altered: a flipped sibling, a dropped one, a swapped pair, an added one', () => {
    for (const edit of [
      (q: EntryProofFile) => (q.inclusion.path[0] = toHex(fromHex(q.inclusion.path[0]).map((b, i) => (i === 0 ? b ^ 1 : b)))),
      (q: EntryProofFile) => q.inclusion.path.pop(),
      (q: EntryProofFile) => ([q.inclusion.path[0], q.inclusion.path[1]] = [q.inclusion.path[1], q.inclusion.path[0]]),
      (q: EntryProofFile) => q.inclusion.path.push(q.inclusion.path[0]),
      (q: EntryProofFile) => (q.inclusion.leaf_index += 1),
      (q: EntryProofFile) => (q.inclusion.tree_size += 1),
    ]) {
      const r = check(edited(edit));
      expect(r.verdict).toBe('tampered');
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });

  it('when its signature is for another root: another checkpoint of the same export, or a root recomputed for a forged leaf', () => {
    const lines = readFileSync(SAMPLE, 'utf8').split('\n');
    const others = lines.filter((l) => l.includes('"type":"checkpoint"') && l !== good.checkpoint.text);
    expect(others.length).toBeGreaterThan(3);
    for (const text of others) {
      const r = check(edited((q) => (q.checkpoint.text = text)));
      expect(r.verdict, text.slice(0, 80)).toBe('tampered');
    }
    // The forger's tree: the same path over a forged leaf gives a root; the signature over the old root does not cover it.
    const forged = edited((q) => {
      const leaf = leafHash(nodeSha256, fromHex('ab'.repeat(32)));
      const steps = verifyInclusion(nodeSha256, leaf, q.inclusion.leaf_index, q.inclusion.tree_size, q.inclusion.path.map(fromHex), new Uint8Array(32)).steps;
      const root = toHex(steps[steps.length - 1].result);
      const cp = JSON.parse(q.checkpoint.text) as Record<string, unknown>;
      q.checkpoint.text = JSON.stringify({ ...cp, merkle_root: root });
    });
    const r = check(forged);
    expect(r.checks.signature).toBe('bad-signature');
    expect(r.verdict).toBe('tampered');
  });

  it('when any letter or digit of the entry line, the checkpoint line, the recorded hashes or the path is changed', () => {
    const mutations: [string, (q: EntryProofFile) => void][] = [];
    const each = (name: string, get: (q: EntryProofFile) => string, set: (q: EntryProofFile, v: string) => void) => {
      const text = get(good);
      for (let i = 0; i < text.length; i++) {
        if (other(text[i]) === text[i]) continue;
        mutations.push([`${name}[${i}]`, (q) => set(q, text.slice(0, i) + other(text[i]) + text.slice(i + 1))]);
      }
    };
    each(
      'entry.text',
      (q) => q.entry.text,
      (q, v) => (q.entry.text = v),
    );
    each(
      'checkpoint.text',
      (q) => q.checkpoint.text,
      (q, v) => (q.checkpoint.text = v),
    );
    each(
      'entry.hash',
      (q) => q.entry.hash,
      (q, v) => (q.entry.hash = v),
    );
    each(
      'entry.prev_hash',
      (q) => q.entry.prev_hash,
      (q, v) => (q.entry.prev_hash = v),
    );
    good.inclusion.path.forEach((_, k) =>
      each(
        `path[${k}]`,
        (q) => q.inclusion.path[k],
        (q, v) => (q.inclusion.path[k] = v),
      ),
    );
    expect(mutations.length).toBeGreaterThan(1000);
    // Through the file's text, as verify-proof reads it: a proof that is not readable is refused, which is not intact either.
    const verdictOf = (p: EntryProofFile) => {
      try {
        return check(readEntryProof(JSON.parse(JSON.stringify(p)))).verdict;
      } catch {
        return 'unreadable';
      }
    };
    const intact = mutations.filter(([, m]) => verdictOf(edited(m)) === 'intact').map(([name]) => name);
    // And checked directly, without the reader's member checks: still never intact, and never a throw.
    expect(mutations.filter(([, m]) => check(edited(m)).verdict === 'intact')).toEqual([]);
    expect(intact).toEqual([]);
  });
});
