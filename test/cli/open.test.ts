import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/main/node/service/audit-service';
import { casesDirIn, defaultCasesDir, deskUserDataDir } from '../../src/main/node/service/desk-folders';
import { jobEnd } from '../support/job-end';
import { cli } from '../support/run-cli';

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '../../bin/audit-replay.mjs');
const POLICIES = path.resolve(__dirname, '../../resources/sample/policies');

let dir: string;
let exportPath: string;
let trustPath: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cli-open-'));
  exportPath = path.join(dir, 'export.jsonl');
  trustPath = path.join(dir, 'trust.json');
  const made = await cli('generate', '--events', '400', '--seed', '5', '--plant-divergences', '2', '--out', exportPath, '--key-out', path.join(dir, 'key.json'), '--trust-out', trustPath);
  expect(made.code, made.stderr).toBe(0);
});

describe('audit-replay open', () => {
  it('makes the case the desk makes: same summary, listed by the desk, --json names it', async () => {
    const cases = path.join(dir, 'cases-cli');
    const r = await cli('open', exportPath, '--trust', trustPath, '--policies', POLICIES, '--cases', cases, '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { case_id: string; verdict: string; case_dir: string; case_file: string; events: number; replay: { diverged: number } };
    expect(out.verdict).toBe('intact');
    expect(out.case_dir).toBe(cases);
    expect(readdirSync(cases)).toContain(`${out.case_id}.db`);
    expect(out.case_file).toBe(path.join(cases, `${out.case_id}.db`));
    expect(out.events).toBe(400);
    expect(out.replay.diverged).toBeGreaterThan(0);

    // The desk's own ingest of the same file, into another folder.
    const deskDir = path.join(dir, 'cases-desk');
    const desk = createAuditService({ casesDir: deskDir });
    const cliSide = createAuditService({ casesDir: cases });
    try {
      const { jobId } = await desk.openExport({ exportPath, trustPath, policiesPath: POLICIES });
      const end = await jobEnd(desk, jobId);
      expect(end.phase, end.error).toBe('done');
      const fromDesk = await desk.getCaseSummary(end.caseId!);
      const fromCli = await cliSide.getCaseSummary(out.case_id);
      expect({ ...fromCli, caseId: null }).toEqual({ ...fromDesk, caseId: null });
      const page = { offset: 0, limit: 500 };
      expect((await cliSide.queryEvents(out.case_id, page)).rows).toEqual((await desk.queryEvents(end.caseId!, page)).rows);
      const listed = await cliSide.listRecentCases();
      expect(listed.map((c) => [c.caseId, c.verdict])).toEqual([[out.case_id, 'intact']]);
    } finally {
      await desk.close();
      await cliSide.close();
    }
  });

  it('a tampered export still becomes a case, with exit 1 as verify gives', async () => {
    const lines = readFileSync(exportPath, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"seq":10,'));
    expect(i).toBeGreaterThan(0);
    const event = JSON.parse(lines[i]) as Record<string, unknown>;
    event.ts = '2001-01-01T00:00:00.000Z';
    lines[i] = JSON.stringify(event);
    const tampered = path.join(dir, 'tampered.jsonl');
    writeFileSync(tampered, lines.join('\n'));
    const cases = path.join(dir, 'cases-tampered');
    const r = await cli('open', tampered, '--trust', trustPath, '--cases', cases, '--json');
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).verdict).toBe('tampered');
    const verify = await cli('verify', tampered, '--trust', trustPath);
    expect(verify.code).toBe(r.code);
  });

  it('a missing export: exit 2, one sentence, no case', async () => {
    const cases = path.join(dir, 'cases-missing');
    const r = await cli('open', path.join(dir, 'nope.jsonl'), '--cases', cases);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nope\.jsonl: no such file/);
    expect(readdirSync(cases).filter((f) => f.endsWith('.db'))).toEqual([]);
  });

  it('without --cases, the case goes where the desk keeps its cases', async () => {
    const config = path.join(dir, 'xdg');
    const env = { ...process.env, XDG_CONFIG_HOME: config, APPDATA: config };
    const { stdout } = await run(process.execPath, [BIN, 'open', exportPath, '--trust', trustPath, '--json'], { env });
    const out = JSON.parse(stdout) as { case_id: string; case_dir: string };
    expect(out.case_dir).toBe(defaultCasesDir(env));
    expect(out.case_dir).toBe(casesDirIn(deskUserDataDir(env)));
    expect(readdirSync(out.case_dir)).toContain(`${out.case_id}.db`);
    if (process.platform === 'linux') expect(out.case_dir).toBe(path.join(config, 'Audit Replay', 'cases'));
  });
});
