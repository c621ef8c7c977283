/**
 * What-if and compare on the real service over the sample: another bundle's
 * decisions (a copy of the sample's policies with one policy changed, the
 * sample's stricter v8), and an earlier export of the same chain (a prefix of
 * the sample; its tampered twin). Expected answers come from the export's own
 * lines, or from the CLI's replay run on the same inputs.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { replayExport } from '../../src/main/node/replay/replay-service';
import type { JobProgress } from '../../src/shared/api/audit-api';
import { ingestCase, jobEnd } from '../support/job-end';

const SAMPLE = join(import.meta.dirname, '..', '..', 'resources', 'sample');
const text = readFileSync(join(SAMPLE, 'export.jsonl'), 'utf8');
const rawLines = text.split('\n').filter(Boolean);

interface Decision {
  seq: number;
  kind: string;
  data: { request: { action: { id: string }; context: { amount: number } }; outcome: { effect: string } };
}

let dir: string;
let service: AuditService;
let caseId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-replay-whatif-'));
  service = createAuditService({ casesDir: join(dir, 'cases') });
  caseId = await ingestCase(service, { exportPath: join(SAMPLE, 'export.jsonl'), trustPath: join(SAMPLE, 'trust.json'), policiesPath: join(SAMPLE, 'policies') });
});
afterAll(async () => {
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runWhatIf(policiesPath: string): Promise<{ end: JobProgress; seen: JobProgress[] }> {
  const seen: JobProgress[] = [];
  const off = service.onProgress((p) => seen.push(p));
  const started = await service.whatIf(caseId, policiesPath);
  const end = await jobEnd(service, started!.jobId);
  off();
  return { end, seen: seen.filter((p) => p.jobId === started!.jobId) };
}

describe('what-if', () => {
  it('lists exactly the decisions one changed policy decides otherwise, grouped by transition and policy', async () => {
    // A copy of the sample's folder where billing.credit permits credit notes up to 200.00 instead of 500.00.
    const copy = join(dir, 'policies-copy');
    cpSync(join(SAMPLE, 'policies'), copy, { recursive: true });
    const file = join(copy, 'ap-policy-v7', 'policies.cedar');
    const before = readFileSync(file, 'utf8');
    const after = before.replace('when { context.amount <= 50000 };', 'when { context.amount <= 20000 };');
    expect(after).not.toBe(before);
    writeFileSync(file, after);

    const { end, seen } = await runWhatIf(copy);
    expect(end).toMatchObject({ phase: 'done', task: 'what-if' });
    const summary = await service.getCaseSummary(caseId);
    expect(seen.some((p) => p.phase === 'replay' && p.eventsTotal === summary.events)).toBe(true);

    const expected = rawLines
      .map((l) => JSON.parse(l) as Decision & { type: string })
      .filter((e) => e.type === 'event' && e.kind === 'policy.decision' && e.data.request.action.id === 'issue_credit_note')
      .filter((e) => e.data.request.context.amount > 20000 && e.data.request.context.amount <= 50000 && e.data.outcome.effect === 'allow')
      .map((e) => e.seq);
    expect(expected.length).toBeGreaterThan(0);

    const view = await service.getWhatIfResult(end.jobId);
    expect(view.against).toMatchObject({ name: 'ap-policy', version: '7' });
    expect(view.changes.map((c) => c.seq)).toEqual(expected);
    expect(view.changed).toBe(expected.length);
    expect(view.decisions).toBe(summary.replay!.decisions);
    expect(view.byTransition).toEqual([{ key: 'allow->deny', label: 'allow → deny', count: expected.length, changes: expected.map((_, i) => i) }]);
    expect(view.byPolicy.map((g) => [g.key, g.count])).toEqual([['billing.credit', expected.length]]);
    expect(view.changes.every((c) => c.before.determining.join() === 'billing.credit' && c.after.determining.length === 0)).toBe(true);
    expect(view.sentence).toBe(`${expected.length} of ${view.evaluated} decisions would change: ${expected.length} allow → deny.`);
    // Each change names its event: the index opens that seq in the table.
    const first = await service.queryEvents(caseId, { offset: view.changes[0]!.index, limit: 1 });
    expect(first.rows[0]!.seq).toBe(expected[0]);
  });

  it('against the sample’s v8 bundle folder gives what the CLI’s replay --against gives', async () => {
    const { end } = await runWhatIf(join(SAMPLE, 'policies', 'ap-policy-v8'));
    expect(end.phase).toBe('done');
    const view = await service.getWhatIfResult(end.jobId);
    const cli = (await replayExport({ exportPath: join(SAMPLE, 'export.jsonl'), policies: join(SAMPLE, 'policies'), against: 'ap-policy@8', workers: 0 })).report.what_if!;
    expect(cli.changed).toBeGreaterThan(0);
    expect(view.changed).toBe(cli.changed);
    expect(view.evaluated).toBe(cli.evaluated);
    expect(Object.fromEntries(view.byTransition.map((g) => [g.key, g.count]))).toEqual(cli.by_transition);
    expect(Object.fromEntries(view.byPolicy.map((g) => [g.key, g.count]))).toEqual(cli.by_policy);
    expect(view.changes.map((c) => [c.seq, c.after.effect])).toEqual(cli.changes.map((c) => [c.seq, c.after.effect]));
    for (const g of view.byTransition) expect(g.changes.length).toBe(g.count);
  });

  it('refuses a folder whose bundles the case already has, in one sentence', async () => {
    const { end } = await runWhatIf(join(SAMPLE, 'policies'));
    expect(end.phase).toBe('failed');
    expect(end.error).toMatch(/^Every bundle in .* \(ap-policy@7, ap-policy@8\) is already in this case's policy folder; choose the folder of the one bundle/);
    expect(end.error).not.toMatch(/\n\s+at /);
  });

  it('a folder that is not there fails as a sentence naming it', async () => {
    const missing = join(dir, 'no-such-policies');
    const { end } = await runWhatIf(missing);
    expect(end.phase).toBe('failed');
    expect(end.error).toContain(missing);
    expect(end.error).toMatch(/no such folder of policy bundles/);
  });

  it('can be cancelled; a cancelled what-if has no result and the case stays', async () => {
    const ended: JobProgress[] = [];
    const off = service.onProgress((p) => ended.push(p));
    const started = await service.whatIf(caseId, join(SAMPLE, 'policies', 'ap-policy-v8'));
    await service.cancelJob(started!.jobId);
    off();
    expect(ended.filter((p) => p.jobId === started!.jobId).map((p) => p.phase)).toEqual(['replay', 'cancelled']);
    await expect(service.getWhatIfResult(started!.jobId)).rejects.toThrow(/no longer kept \(or has not finished\)/);
    await expect(service.getCaseSummary(caseId)).resolves.toMatchObject({ caseId });
  });
});

describe('compare with an earlier export', () => {
  it('an earlier export that is a prefix: extended unchanged, with both counts', async () => {
    const header = rawLines[0]!;
    const events = rawLines.filter((l) => JSON.parse(l).type === 'event');
    const earlier = join(dir, 'earlier.jsonl');
    writeFileSync(earlier, [header, ...events.slice(0, 1000)].join('\n') + '\n');
    const answer = await service.compareExport(caseId, earlier);
    expect(answer).toMatchObject({ relation: 'extends', tone: 'good', earlierName: 'earlier.jsonl', earlierEvents: 1000, caseEvents: events.length, fork: null });
    expect(answer!.sentence).toBe(
      `Every one of the 1,000 events in the earlier export earlier.jsonl is still here, unchanged and in the same order; ${(events.length - 1000).toLocaleString('en-US')} events were added after them.`,
    );
    expect(answer!.technical).toMatch(/RFC 6962 consistency proof/);
  });

  it('the tampered twin as the earlier export: altered, at the first event that differs', async () => {
    const tampered = readFileSync(join(SAMPLE, 'export-tampered.jsonl'), 'utf8').split('\n').filter(Boolean);
    const i = rawLines.findIndex((l, k) => l !== tampered[k]);
    const seq = (JSON.parse(rawLines[i]!) as { seq: number }).seq;
    const answer = await service.compareExport(caseId, join(SAMPLE, 'export-tampered.jsonl'));
    expect(answer).toMatchObject({ relation: 'forks', tone: 'bad', title: 'The earlier export was altered' });
    expect(answer!.fork).toMatchObject({ seq, caseLine: i + 1, earlierLine: i + 1 });
    expect(answer!.sentence).toContain(`the event at seq ${seq} (line ${i + 1} here, line ${i + 1} in export-tampered.jsonl) is not the same`);
  });

  it('a missing earlier export is one sentence', async () => {
    const missing = join(dir, 'nothing.jsonl');
    await expect(service.compareExport(caseId, missing)).rejects.toThrow(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });
});
