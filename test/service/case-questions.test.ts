/**
 * The desk's questions about a case, on the real service over the sample:
 * events by an agent or about it, search by hash / request id / decision id,
 * and one request's story. Expected answers are read from the export's own
 * lines here, not from the store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService, type AuditService } from '../../src/main/node/service/audit-service';
import { ingestCase, jobEnd } from '../support/job-end';

const SAMPLE = join(import.meta.dirname, '..', '..', 'resources', 'sample');

interface Line {
  type: string;
  seq: number;
  kind: string;
  hash: string;
  actor: { id: string; type: string };
  data: Record<string, unknown> & { request_id?: string; decision_id?: string; request?: { principal?: { id?: string } }; outcome?: { effect?: string } };
}

const lines = readFileSync(join(SAMPLE, 'export.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Line);
const events = lines.filter((l) => l.type === 'event');

let dir: string;
let service: AuditService;
let caseId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'audit-replay-questions-'));
  service = createAuditService({ casesDir: dir });
  caseId = await ingestCase(service, { exportPath: join(SAMPLE, 'export.jsonl'), trustPath: join(SAMPLE, 'trust.json'), policiesPath: join(SAMPLE, 'policies') });
});
afterAll(async () => {
  await service?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('events by an agent or about it', () => {
  const agent = 'ap-payment-agent';
  const requesterOf = new Map(events.filter((e) => e.kind === 'action.requested').map((e) => [e.data.request_id, e.actor.id]));
  // The spec's subject: a decision's principal, a ring change's agent, else the requester of the request the entry belongs to.
  const subjectOf = (e: Line): string | undefined =>
    e.data.request?.principal?.id ?? (e.data.agent_id as string | undefined) ?? (e.kind !== 'action.requested' && e.data.request_id !== undefined ? requesterOf.get(e.data.request_id) : undefined);
  const aboutAgent = (e: Line) => subjectOf(e) === agent;

  it('finds the denials policy-engine recorded about the agent, which the actor alone misses', async () => {
    const expected = events.filter((e) => e.kind === 'policy.decision' && e.data.outcome?.effect === 'deny' && e.data.request?.principal?.id === agent).map((e) => e.seq);
    expect(expected.length).toBeGreaterThan(0);
    const byActor = await service.queryEvents(caseId, { offset: 0, limit: 1000, agent, agentRole: 'actor', outcome: 'deny' });
    expect(byActor.total).toBe(0);
    for (const role of ['subject', 'either', null] as const) {
      const page = await service.queryEvents(caseId, { offset: 0, limit: 1000, agent, agentRole: role, outcome: 'deny' });
      expect(
        page.rows.map((r) => r.seq),
        String(role),
      ).toEqual(expected);
      expect(page.rows.every((r) => r.actorId === 'policy-engine')).toBe(true);
    }
  });

  it('counts the agent acting plus every event about it, approvals by people included', async () => {
    const either = events.filter((e) => e.actor.id === agent || aboutAgent(e)).map((e) => e.seq);
    const page = await service.queryEvents(caseId, { offset: 0, limit: 10_000, agent });
    expect(page.total).toBe(either.length);
    expect(page.rows.map((r) => r.seq)).toEqual(either);
    const approvals = page.rows.filter((r) => r.kind === 'approval.granted');
    expect(approvals.length).toBeGreaterThan(0);
    // Granted by people (the sample also plants a self-approval by an agent).
    expect(approvals.some((r) => r.actorType === 'human' && r.actorId !== agent)).toBe(true);
    const about = await service.queryEvents(caseId, { offset: 0, limit: 10_000, agent, agentRole: 'subject' });
    expect(about.rows.map((r) => r.seq)).toEqual(events.filter(aboutAgent).map((e) => e.seq));
  });

  it('names every actor the timeline draws a lane for, agents among them', async () => {
    const summary = await service.getCaseSummary(caseId);
    const timeline = await service.getTimeline(caseId, { buckets: 50 });
    expect(summary.actors).toEqual([...new Set(events.map((e) => e.actor.id))].sort());
    expect(timeline.lanes.map((l) => l.agent)).toEqual(summary.actors);
    expect(summary.agents).toEqual([...new Set(events.filter((e) => e.actor.type === 'agent').map((e) => e.actor.id))].sort());
    expect(summary.agents.every((a) => summary.actors.includes(a))).toBe(true);
  });
});

describe('search by hash, request id and decision id', () => {
  it('finds an event by its whole hash and by a prefix, and the next event by its previous hash', async () => {
    const target = events[100]!;
    const next = events[101]!;
    for (const term of [target.hash, target.hash.slice(0, 12), target.hash.slice(0, 12).toUpperCase(), `  ${target.hash}  `]) {
      const result = await service.searchEvents(caseId, term);
      expect(
        result.matches.map((m) => [m.by, m.row.seq]),
        term,
      ).toEqual([
        ['event hash', target.seq],
        ['previous hash', next.seq],
      ]);
    }
  });

  it('finds every event of a request and the one decision with a decision id', async () => {
    const requestId = 'req-INV-100003-pay_invoice';
    const result = await service.searchEvents(caseId, requestId);
    const expected = events.filter((e) => e.data.request_id === requestId).map((e) => e.seq);
    expect(expected.length).toBeGreaterThan(3);
    expect(result.matches.map((m) => m.row.seq)).toEqual(expected);
    expect(result.matches.every((m) => m.by === 'request id')).toBe(true);
    const decision = events.find((e) => e.kind === 'policy.decision' && e.data.decision_id)!;
    const byDecision = await service.searchEvents(caseId, decision.data.decision_id!);
    expect(byDecision.matches.map((m) => [m.by, m.row.seq])).toEqual([['decision id', decision.seq]]);
  });

  it('finds nothing for a term that is none of them, and treats % and _ as themselves', async () => {
    for (const term of ['no-such-request', '%', 'req-%', '________', 'deadbeef00']) {
      expect((await service.searchEvents(caseId, term)).matches, term).toEqual([]);
    }
  });
});

describe('a request from start to end', () => {
  const requestOf = (id: string) => events.filter((e) => e.data.request_id === id);
  const indexOf = (e: Line) => events.indexOf(e);

  it('tells an approved request in order, with timings, who approved and how it ended', async () => {
    const id = 'req-INV-100003-pay_invoice';
    const expected = requestOf(id);
    const granted = expected.find((e) => e.kind === 'approval.granted')!;
    const story = (await service.getRequestStory(caseId, indexOf(granted)))!;
    expect(story.requestId).toBe(id);
    expect(story.requester).toBe(expected.find((e) => e.kind === 'action.requested')!.actor.id);
    expect(story.steps.map((s) => s.row.seq)).toEqual(expected.map((e) => e.seq));
    const start = Date.parse((expected[0] as unknown as { ts: string }).ts);
    expect(story.steps.map((s) => s.afterMs)).toEqual(expected.map((e) => Date.parse((e as unknown as { ts: string }).ts) - start));
    expect(story.steps.map((s) => s.stage).slice(0, 3)).toEqual(['requested', 'decision', 'approval asked']);
    const decision = expected.find((e) => e.kind === 'policy.decision')!;
    const decisionStep = story.steps.find((s) => s.stage === 'decision')!;
    for (const policy of (decision.data.outcome as { determining: string[] }).determining) expect(decisionStep.detail).toContain(policy);
    expect(story.steps.find((s) => s.stage === 'approved')!.detail).toContain(`approved by ${granted.data.approver as string}`);
    const executed = expected.filter((e) => e.kind === 'action.executed');
    expect(story.ending.startsWith(executed.length ? 'executed' : 'no execution')).toBe(true);
    // The same story from any of its events.
    expect(await service.getRequestStory(caseId, indexOf(expected[0]!))).toEqual(story);
  });

  it('says a denied request was not executed, and names the conduct findings on its steps', async () => {
    const denied = events.find((e) => e.kind === 'policy.decision' && e.data.outcome?.effect === 'deny' && !requestOf(e.data.request_id!).some((x) => x.kind === 'action.executed'))!;
    const story = (await service.getRequestStory(caseId, indexOf(denied)))!;
    expect(story.ending).toBe('denied; not executed');
    const conduct = await service.listSequenceFindings(caseId);
    const withFinding = conduct.find((f) => requestOf(events[f.index]!.data.request_id ?? '').length > 0)!;
    const flagged = (await service.getRequestStory(caseId, withFinding.index))!;
    const step = flagged.steps.find((s) => s.row.index === withFinding.index)!;
    expect(step.conduct.map((c) => c.message)).toContain(withFinding.message);
  });

  it('has no story for an event outside any request, and refuses a position past the end', async () => {
    const lone = events.find((e) => e.data.request_id === undefined)!;
    expect(await service.getRequestStory(caseId, indexOf(lone))).toBeNull();
    await expect(service.getRequestStory(caseId, events.length + 5)).rejects.toThrow(/no event at position/);
  });
});

describe('recent cases', () => {
  it('lists one entry per export and inputs, the newest, with the inputs it was made with', async () => {
    const again = async (trustPath: string | null) => {
      const { jobId } = await service.openExport({ exportPath: join(SAMPLE, 'export.jsonl'), trustPath, policiesPath: join(SAMPLE, 'policies') });
      const end = await jobEnd(service, jobId);
      expect(end.phase).toBe('done');
      return end.caseId!;
    };
    // The same export and inputs again: a new case, which replaces the first in the list.
    const second = await again(join(SAMPLE, 'trust.json'));
    expect(second).not.toBe(caseId);
    // Without the trust store: other inputs, so its own entry.
    const untrusted = await again(null);
    const recent = (await service.listRecentCases()).filter((c) => c.exportPath === join(SAMPLE, 'export.jsonl'));
    expect(recent.map((c) => [c.caseId, c.trustPath, c.policiesPath])).toEqual(
      expect.arrayContaining([
        [second, join(SAMPLE, 'trust.json'), join(SAMPLE, 'policies')],
        [untrusted, null, join(SAMPLE, 'policies')],
      ]),
    );
    expect(recent).toHaveLength(2);
    // The older case is still on disk and opens.
    expect((await service.getCaseSummary(caseId)).caseId).toBe(caseId);
  });
});
