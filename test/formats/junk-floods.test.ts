// The other formats' readers under floods of junk: every kind of finding is
// listed up to 1,000 and counted beyond, the counts reach the result
// (`folded`), the verdict is what all the findings give, and the agent-mesh
// line job folds a run of the same junk into one result.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agtMeshJsonlReader } from '../../src/main/node/formats/agt-mesh-jsonl';
import { runLineJob } from '../../src/main/node/formats/line-jobs';
import { readerById } from '../../src/main/node/formats/registry';
import type { FormatVerification } from '../../src/shared/formats/case-model';
import { tmpDir } from '../support/export-builder';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/agt');
const dir = tmpDir();
const write = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const ofKind = (r: FormatVerification, kind: string) => r.findings.filter((f) => f.kind === kind);

describe('agt-mesh-jsonl', () => {
  const valid = readFileSync(path.join(FIXTURES, 'mesh-valid.jsonl'), 'utf8').trim().split('\n');
  const file = write('mesh-junk.jsonl', [...valid.slice(0, 5), ...Array(3000).fill('{}'), ...Array(3000).fill('garbage'), ...valid.slice(5)]);

  it('3,000 entries without hashes and 3,000 unreadable lines: 1,000 of each listed, the rest counted, the same on workers', async () => {
    const inline = await agtMeshJsonlReader.verify({ path: file, trust: null, hmacKey: null, workers: 0 });
    expect(inline.verdict).toBe('tampered');
    expect(inline.events).toBe(valid.length + 6000);
    expect(ofKind(inline, 'malformed-line')).toHaveLength(1001);
    expect(inline.folded).toEqual({ 'malformed-line': 5000 });
    expect(ofKind(inline, 'malformed-line')[1000].message).toBe('5000 more unreadable lines are not listed one by one (6000 in all).');
    // The first listed are the first in the file, each with its own entry number and line.
    expect(ofKind(inline, 'malformed-line')[0]).toMatchObject({ seq: 5, line: 6 });
    expect(ofKind(inline, 'malformed-line')[999]).toMatchObject({ seq: 1004, line: 1005 });
    for (const workers of [1, 2]) {
      const pooled = await agtMeshJsonlReader.verify({ path: file, trust: null, hmacKey: null, workers });
      expect(JSON.stringify(pooled)).toBe(JSON.stringify(inline));
    }
    const withEvents = await agtMeshJsonlReader.verify({ path: file, trust: null, hmacKey: null, workers: 2, onEvent: () => {} });
    expect(JSON.stringify(withEvents)).toBe(JSON.stringify(inline));
  });

  it('the line job returns one result for a run of the same junk', () => {
    const text = Buffer.from([...Array(3000).fill('{}'), ...Array(3000).fill('garbage'), '{}'].join('\n') + '\n');
    const starts = [0];
    for (let i = 0; i < text.length - 1; i++) if (text[i] === 10) starts.push(i + 1);
    const results = runLineJob('agt-mesh-jsonl', { firstLine: 1, bytes: new Uint8Array(text), offsets: Uint32Array.from([...starts, text.length]) }, false);
    expect(results.map((r) => [r.t, r.line, 'count' in r ? (r.count ?? 1) : 1])).toEqual([
      ['unchecked', 1, 3000],
      ['unreadable', 3001, 3000],
      ['unchecked', 6001, 1],
    ]);
  });
});

describe('the logs without a chain, and ACS results', () => {
  it('an OPA log of 3,000 entries without decision_id: 1,000 listed and counted beyond', async () => {
    const lines = ['{"decision_id":"d0","path":"p","result":true}', ...Array.from({ length: 3000 }, (_, i) => `{"path":"p","result":${i}}`)];
    const r = await readerById('opa-decision-log')!.verify({ path: write('opa-junk.jsonl', lines), trust: null, hmacKey: null });
    expect(r.verdict).toBe('tampered');
    expect(ofKind(r, 'malformed-line')).toHaveLength(1001);
    expect(r.folded).toEqual({ 'malformed-line': 2000 });
    expect(r.findings.filter((f) => f.kind === 'unanchored')).toHaveLength(1);
  });

  it('ACS results: 3,000 unreadable lines, 1,000 listed', async () => {
    const valid = readFileSync(path.join(FIXTURES, 'acs-results.jsonl'), 'utf8').trim().split('\n');
    const r = await readerById('acs-results')!.verify({ path: write('acs-junk.jsonl', [...valid, ...Array(3000).fill('[1]')]), trust: null, hmacKey: null });
    expect(ofKind(r, 'malformed-line')).toHaveLength(1001);
    expect(r.folded).toEqual({ 'malformed-line': 2000 });
    expect(r.events).toBe(valid.length + 3000);
  });
});
