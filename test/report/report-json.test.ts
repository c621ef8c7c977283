import { beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildEvidenceReport } from '../../src/main/node/report/build-report';
import { canonicalize } from '../../src/shared/json/canonical';
import { reportText } from '../../src/shared/report/seal';
import { tmpDir } from '../support/export-builder';
import { cli, sampleInputs, type SampleInputs } from './fixtures';

let a: SampleInputs;
let b: SampleInputs;
let reportA: string;

const build = (i: SampleInputs, workers = 1) => buildEvidenceReport({ exportPath: i.exportPath, trustPath: i.trustPath, policiesPath: i.policiesPath, workers });

beforeAll(async () => {
  a = sampleInputs();
  b = sampleInputs(path.join(tmpDir(), 'another', 'machine'));
  reportA = reportText(await build(a));
}, 60_000);

describe('the JSON evidence report', () => {
  it('is canonical, carries its own SHA-256 over everything but report_sha256, and holds what was examined', () => {
    const r = JSON.parse(reportA);
    expect(reportA).toBe(canonicalize(r) + '\n');
    const { report_sha256, ...rest } = r;
    expect(report_sha256).toBe(createHash('sha256').update(canonicalize(rest)).digest('hex'));
    expect(r.examined.export).toMatchObject({ name: 'export.jsonl', bytes: readFileSync(a.exportPath).length, sha256: createHash('sha256').update(readFileSync(a.exportPath)).digest('hex') });
    expect(r.examined.trust.keys.map((k: { key_id: string }) => k.key_id)).toEqual(['ops-sample']);
    expect(r.examined.policies.bundles.map((x: { folder: string; digest: string }) => x.folder)).toEqual(['ap-policy-v7', 'ap-policy-v8']);
    expect(r.app.version).toBe(JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version);
    expect(r.replay.decisions).toBeGreaterThan(0);
    expect(r.replay.divergences.length).toBeGreaterThan(0);
    // Every divergence and sequence finding names its event by seq, line and position.
    for (const d of [...r.replay.divergences, ...r.replay.sequence_findings]) {
      expect(d.line, JSON.stringify(d)).toBeGreaterThan(1);
      expect(Number.isInteger(d.index) && Number.isInteger(d.seq)).toBe(true);
    }
    expect(r.timeline.lanes.length).toBeGreaterThan(3);
  });

  it('gives the same bytes twice, with 1 or 2 workers, and from copies in another folder (no machine path inside)', async () => {
    expect(reportText(await build(a))).toBe(reportA);
    expect(reportText(await build(a, 2))).toBe(reportA);
    const other = reportText(await build(b));
    expect(other).toBe(reportA);
    for (const p of [a.dir, b.dir, path.dirname(a.exportPath), process.cwd()]) expect(reportA.includes(p), p).toBe(false);
  }, 60_000);

  it('names the file, not the path, when a bundle folder cannot be read', async () => {
    const i = sampleInputs();
    writeFileSync(path.join(i.policiesPath, 'ap-policy-v7', 'policies.cedar'), 'permit(principal, action, resource) when { ');
    const r = await build(i);
    expect(r.replay).toBeNull();
    expect(r.replay_error).toMatch(/policies/);
    expect(r.replay_error!.includes(i.dir)).toBe(false);
  }, 60_000);
});

describe('audit-replay report and check-report', () => {
  let reportFile: string;
  beforeAll(async () => {
    reportFile = path.join(a.dir, 'report.json');
    const made = await cli('report', a.exportPath, '--trust', a.trustPath, '--policies', a.policiesPath, '--out', reportFile);
    expect(made.code, made.stderr).toBe(0);
  }, 60_000);

  const check = (file: string, i: SampleInputs, ...extra: string[]) => cli('check-report', file, i.exportPath, '--trust', i.trustPath, '--policies', i.policiesPath, '--json', ...extra);

  it('writes the same bytes as the service-side builder, and check-report reproduces it (exit 0)', async () => {
    expect(readFileSync(reportFile, 'utf8')).toBe(reportA);
    const r = await check(reportFile, a);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reproduces: true, edited: false, differences: [] });
    // The same report checks against copies of the inputs on "another machine".
    expect((await check(reportFile, b)).code).toBe(0);
  }, 60_000);

  it('catches a changed export', async () => {
    const i = sampleInputs();
    const lines = readFileSync(i.exportPath, 'utf8').split('\n');
    lines[10] = lines[10].replace('"ts":"2026', '"ts":"2025');
    writeFileSync(i.exportPath, lines.join('\n'));
    const r = await check(reportFile, i);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.reproduces).toBe(false);
    expect(out.differences).toContain('/examined/export/sha256');
    expect(out.differences).toContain('/verification/verdict');
  }, 60_000);

  it('catches a changed policy bundle', async () => {
    const i = sampleInputs();
    appendFileSync(path.join(i.policiesPath, 'ap-policy-v8', 'policies.cedar'), '\n// edited after the report\n');
    const r = await check(reportFile, i);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).differences).toContain('/examined/policies/bundles/1/digest');
  }, 60_000);

  it('catches a changed trust store', async () => {
    const i = sampleInputs();
    const trust = JSON.parse(readFileSync(i.trustPath, 'utf8'));
    trust.keys[0].revoked_at = '2026-11-24T08:00:00.000Z';
    writeFileSync(i.trustPath, JSON.stringify(trust));
    const r = await check(reportFile, i);
    expect(r.code).toBe(1);
    const diff = JSON.parse(r.stdout).differences as string[];
    expect(diff).toContain('/examined/trust/sha256');
    expect(diff).toContain('/examined/trust/keys/0/revoked_at');
  }, 60_000);

  it('catches an edited report, with or without a recomputed report_sha256', async () => {
    const edited = JSON.parse(reportA);
    edited.verification.verdict_reason = 'Nothing to see here.';
    const file1 = path.join(a.dir, 'edited.json');
    writeFileSync(file1, JSON.stringify(edited));
    const r1 = await check(file1, a);
    expect(r1.code).toBe(1);
    expect(JSON.parse(r1.stdout)).toMatchObject({ reproduces: false, edited: true, differences: ['/verification/verdict_reason'] });
    const human = await cli('check-report', file1, a.exportPath, '--trust', a.trustPath, '--policies', a.policiesPath);
    expect(human.stdout).toMatch(/DIFFERS[\s\S]*edited after it was made[\s\S]*\/verification\/verdict_reason/);

    const { report_sha256: _old, ...rest } = edited;
    const resealed = { ...rest, report_sha256: createHash('sha256').update(canonicalize(rest)).digest('hex') };
    const file2 = path.join(a.dir, 'resealed.json');
    writeFileSync(file2, JSON.stringify(resealed));
    const out2 = JSON.parse((await check(file2, a)).stdout);
    expect(out2).toMatchObject({ reproduces: false, edited: false });
    expect(out2.differences).toEqual(['/report_sha256', '/verification/verdict_reason']);
  }, 60_000);

  it('carries the same replay report SHA-256 as `audit-replay replay --json`', async () => {
    const r = await cli('replay', a.exportPath, '--policies', a.policiesPath, '--json');
    expect(JSON.parse(reportA).replay.report_sha256).toBe(JSON.parse(r.stdout).report_sha256);
  }, 60_000);

  it('says a report it cannot use is unusable (exit 2)', async () => {
    const bad = path.join(a.dir, 'not-a-report.json');
    writeFileSync(bad, '{"format":"something else"}');
    expect((await check(bad, a)).code).toBe(2);
    writeFileSync(bad, 'not json');
    expect((await check(bad, a)).code).toBe(2);
    expect((await cli('check-report', reportFile, path.join(a.dir, 'missing.jsonl'))).code).toBe(2);
  }, 60_000);
});
