/**
 * Conduct records (spec "Conduct records"): each conduct finding planted and
 * found with the events it rests on, and the clean cases (args executed as
 * authorized, an admissible projection, an approval used once before it
 * expires, a kill switch that stopped the agent) giving none.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type BundleSource } from '../../src/main/node/replay/bundle-loader';
import { replayEvents } from '../../src/main/node/replay/replay-service';
import { replayExitCode } from '../../src/shared/replay/report';
import { checkSequence } from '../../src/shared/replay/sequence-checks';
import type { ReplayEvent, SequenceFinding } from '../../src/shared/replay/types';
import { EventLog, request, V7, type Ctx } from './helpers';

const AGENT = 'ap-payment-agent';
const agent = { type: 'agent', id: AGENT };
const human = { type: 'human', id: 'cfo@example.com' };
const operator = { type: 'human', id: 'secops@example.com' };

let bundles: BundleSource[];
let pin: { name: string; version: string; digest: string };
beforeAll(() => {
  bundles = [loadBundle(V7)];
  pin = { name: bundles[0].name, version: bundles[0].version, digest: bundles[0].digest };
});

/** The context the sample schema requires, as projected args (they stand in for the request's context). */
const ctx = (c: Ctx) => ({ currency: 'EUR', vendor_verified: true, po_matched: true, ring: 0, ...c });

/** A log whose events carry times one second apart from 2026-11-25T10:00:00.000Z. */
class TimedLog extends EventLog {
  add(kind: string, actor: { type: string; id: string }, data: Record<string, unknown>): ReplayEvent {
    const e = super.add(kind, actor, data);
    e.ts = new Date(Date.UTC(2026, 10, 25, 10, 0, e.seq)).toISOString();
    return e;
  }

  /** action.requested and its recorded decision (recorded as v7 decides it, so replay matches). */
  proposal(rid: string, c: Ctx, outcome: { effect: string; determining: string[] }, args: unknown = ctx(c)): { requested: ReplayEvent; decision: ReplayEvent } {
    const requested = this.add('action.requested', agent, { request_id: rid, tool: 'pay_invoice', args });
    const decision = this.decision(rid, pin, request(AGENT, 'pay_invoice', `INV-${rid}`, c), outcome);
    return { requested, decision };
  }

  run(rid: string, args?: unknown): ReplayEvent {
    return this.add('action.executed', agent, args === undefined ? { request_id: rid, result: { status: 'ok' } } : { request_id: rid, args, result: { status: 'ok' } });
  }
}

const ALLOW_SMALL = { effect: 'allow', determining: ['ap.pay.small'] };
const NEEDS_APPROVAL = { effect: 'require_approval', determining: ['ap.pay.large'] };
const DENY_NO_PO = { effect: 'deny', determining: [] };

async function replay(log: EventLog) {
  const run = await replayEvents(log.events, { bundles, workers: 0 });
  expect(run.report.diverged, 'the planted decisions are recorded as the pinned policy decides them').toBe(0);
  return run.report;
}

const brief = (f: SequenceFinding[]) => f.map((x) => ({ kind: x.kind, seq: x.seq, severity: x.severity, related_seqs: x.related_seqs }));

describe('conduct records: clean requests give no finding', () => {
  it('args executed as requested, an approval used once before it expires, a kill switch that terminated', async () => {
    const log = new TimedLog();
    log.proposal('r1', { amount: 500 }, ALLOW_SMALL);
    log.run('r1', ctx({ amount: 500 }));
    log.proposal('r2', { amount: 2_000_000 }, NEEDS_APPROVAL);
    log.add('approval.granted', human, { request_id: 'r2', approver: human.id, approval_id: 'apr-1', expires_at: '2026-11-25T11:00:00.000Z' });
    log.run('r2', ctx({ amount: 2_000_000 }));
    log.add('killswitch.engaged', operator, { scope: AGENT, reason: 'drill', terminated: true });
    log.add('killswitch.released', operator, { scope: AGENT, reason: 'drill over' });
    // An execution that records no args is not held to them (the member is optional).
    log.proposal('r3', { amount: 700 }, ALLOW_SMALL);
    log.run('r3');
    const report = await replay(log);
    expect(report.sequence_findings).toEqual([]);
    expect(report.conduct.status).toBe('clean');
    expect(replayExitCode(report)).toBe(0);
  });

  it('an admissible projection executed with the projected args: neither executed-after-deny nor executed-without-approval', async () => {
    const log = new TimedLog();
    const denied = log.proposal('r1', { amount: 900, po_matched: false }, DENY_NO_PO);
    log.add(
      'action.projected',
      { type: 'system', id: 'governance' },
      { request_id: 'r1', decision_id: denied.decision.data.decision_id, args: ctx({ amount: 900 }), reason: 'pay against the matched PO only' },
    );
    log.run('r1', ctx({ amount: 900 }));
    const large = log.proposal('r2', { amount: 2_000_000 }, NEEDS_APPROVAL);
    log.add(
      'action.projected',
      { type: 'system', id: 'governance' },
      { request_id: 'r2', decision_id: large.decision.data.decision_id, args: ctx({ amount: 1_000_000 }), reason: 'capped at the unattended limit' },
    );
    log.run('r2', ctx({ amount: 1_000_000 }));
    const report = await replay(log);
    expect(report.sequence_findings).toEqual([]);
    expect(report.conduct.status).toBe('clean');
  });

  it('without the projection, the same executions are executed-after-deny and executed-without-approval', async () => {
    const log = new TimedLog();
    const denied = log.proposal('r1', { amount: 900, po_matched: false }, DENY_NO_PO);
    const e1 = log.run('r1', ctx({ amount: 900, po_matched: false }));
    const large = log.proposal('r2', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const e2 = log.run('r2', ctx({ amount: 2_000_000 }));
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'executed-after-deny', seq: e1.seq, severity: 'violation', related_seqs: [denied.decision.seq] },
      { kind: 'executed-without-approval', seq: e2.seq, severity: 'violation', related_seqs: [large.decision.seq] },
    ]);
  });
});

describe('conduct records: each finding planted and found', () => {
  it('executed-differs: executed args that differ in canonical bytes from the requested ones; key order alone is no difference', async () => {
    const log = new TimedLog();
    const p = log.proposal('r1', { amount: 500 }, ALLOW_SMALL, { invoice: 'INV-1', amount: 500, currency: 'EUR' });
    const e = log.run('r1', { invoice: 'INV-1', amount: 50_000, currency: 'EUR' });
    log.proposal('r2', { amount: 500 }, ALLOW_SMALL, { invoice: 'INV-2', amount: 500, currency: 'EUR' });
    log.run('r2', { currency: 'EUR', amount: 500, invoice: 'INV-2' });
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([{ kind: 'executed-differs', seq: e.seq, severity: 'violation', related_seqs: [p.requested.seq] }]);
    expect(report.sequence_findings[0].message).toMatch(/request r1 was executed with arguments that differ from the requested arguments at seq 0/);
  });

  it('executed-differs against a projection: the projected args are the authorized ones', async () => {
    const log = new TimedLog();
    const large = log.proposal('r1', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const proj = log.add(
      'action.projected',
      { type: 'system', id: 'governance' },
      { request_id: 'r1', decision_id: large.decision.data.decision_id, args: ctx({ amount: 1_000_000 }), reason: 'capped' },
    );
    const e = log.run('r1', ctx({ amount: 2_000_000 }));
    const report = await replay(log);
    // Executed with the original args, not the projected ones: the projection does not excuse the missing approval.
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'executed-without-approval', seq: e.seq, severity: 'violation', related_seqs: [large.decision.seq] },
      { kind: 'executed-differs', seq: e.seq, severity: 'violation', related_seqs: [proj.seq] },
    ]);
    expect(report.sequence_findings[1].message).toMatch(/differ from the projected arguments at seq 2/);
  });

  it('projection-not-admissible: the pinned bundle does not allow the projected args; the execution on them is executed-after-deny as well', async () => {
    const log = new TimedLog();
    const denied = log.proposal('r1', { amount: 900, vendor_verified: false }, { effect: 'deny', determining: ['ap.vendor.unverified'] });
    const proj = log.add(
      'action.projected',
      { type: 'system', id: 'governance' },
      { request_id: 'r1', decision_id: denied.decision.data.decision_id, args: ctx({ amount: 100, vendor_verified: false }), reason: 'smaller amount' },
    );
    const e = log.run('r1', ctx({ amount: 100, vendor_verified: false }));
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'projection-not-admissible', seq: proj.seq, severity: 'violation', related_seqs: [denied.decision.seq] },
      { kind: 'executed-after-deny', seq: e.seq, severity: 'violation', related_seqs: [denied.decision.seq, proj.seq] },
    ]);
    expect(report.sequence_findings[0].message).toMatch(/ap-policy@7 decides deny \(determined by ap.vendor.unverified\)/);
  });

  it('projection-not-admissible when the projection requires approval, names no known decision, or its args do not fit the schema', async () => {
    const log = new TimedLog();
    const a = log.proposal('r1', { amount: 900, po_matched: false }, DENY_NO_PO);
    const p1 = log.add(
      'action.projected',
      { type: 'system', id: 'governance' },
      { request_id: 'r1', decision_id: a.decision.data.decision_id, args: ctx({ amount: 2_000_000 }), reason: 'po matched' },
    );
    log.proposal('r2', { amount: 900 }, ALLOW_SMALL);
    const p2 = log.add('action.projected', { type: 'system', id: 'governance' }, { request_id: 'r2', decision_id: 'dec-unknown', args: ctx({ amount: 100 }), reason: 'x' });
    const c = log.proposal('r3', { amount: 900 }, ALLOW_SMALL);
    const p3 = log.add('action.projected', { type: 'system', id: 'governance' }, { request_id: 'r3', decision_id: c.decision.data.decision_id, args: { amount: 'nine hundred' }, reason: 'x' });
    const report = await replay(log);
    const found = report.sequence_findings.filter((f) => f.kind === 'projection-not-admissible');
    expect(found.map((f) => f.seq)).toEqual([p1.seq, p2.seq, p3.seq]);
    expect(found[0].message).toMatch(/decides require_approval/);
    expect(found[1].message).toMatch(/names decision "dec-unknown", which is not the latest decision/);
    expect(found[1].related_seqs).toEqual([]);
    expect(found[2].message).toMatch(/could not evaluate/);
  });

  it("self-approval: granted by an agent, or by the request's own principal; an independent human is fine", async () => {
    const log = new TimedLog();
    const a = log.proposal('r1', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const g1 = log.add('approval.granted', agent, { request_id: 'r1', approver: 'ap-matching-agent', approval_id: 'apr-1' });
    log.run('r1');
    const b = log.proposal('r2', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const g2 = log.add('approval.granted', { type: 'system', id: 'workflow' }, { request_id: 'r2', approver: AGENT });
    log.run('r2');
    log.proposal('r3', { amount: 2_000_000 }, NEEDS_APPROVAL);
    log.add('approval.granted', human, { request_id: 'r3', approver: human.id });
    log.run('r3');
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'self-approval', seq: g1.seq, severity: 'violation', related_seqs: [a.decision.seq] },
      { kind: 'self-approval', seq: g2.seq, severity: 'violation', related_seqs: [b.decision.seq] },
    ]);
    expect(report.sequence_findings[0].message).toMatch(/approved by agent ap-payment-agent.*not an agent/);
    expect(report.sequence_findings[1].message).toMatch(/approved by ap-payment-agent, who is the request's own principal/);
  });

  it('approval-expired: executed after expires_at; a time that does not parse fails closed', async () => {
    const log = new TimedLog();
    log.proposal('r1', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const g1 = log.add('approval.granted', human, { request_id: 'r1', approver: human.id, approval_id: 'apr-1', expires_at: '2026-11-25T10:00:03.500Z' });
    log.add('ring.changed', { type: 'system', id: 'governance' }, { agent_id: 'billing-agent', ring: 1 });
    const e1 = log.run('r1');
    log.proposal('r2', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const g2 = log.add('approval.granted', human, { request_id: 'r2', approver: human.id, approval_id: 'apr-2', expires_at: 'tomorrow' });
    const e2 = log.run('r2');
    // Used exactly at its expiry is still in time ("after" the expiry is what the spec forbids).
    log.proposal('r3', { amount: 2_000_000 }, NEEDS_APPROVAL);
    log.add('approval.granted', human, { request_id: 'r3', approver: human.id, approval_id: 'apr-3', expires_at: '2026-11-25T10:00:12.000Z' });
    log.run('r3');
    expect(log.events[log.events.length - 1].ts).toBe('2026-11-25T10:00:12.000Z');
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'approval-expired', seq: e1.seq, severity: 'violation', related_seqs: [g1.seq] },
      { kind: 'approval-expired', seq: e2.seq, severity: 'violation', related_seqs: [g2.seq] },
    ]);
    expect(report.sequence_findings[0].message).toBe('request r1 was executed at 2026-11-25T10:00:04.000Z, after approval apr-1 expired at 2026-11-25T10:00:03.500Z');
    expect(report.sequence_findings[1].message).toMatch(/"tomorrow" is not an RFC 3339 UTC time/);
  });

  it('duplicate-execution: a second action.executed for one request_id names the first and the approval it reused', async () => {
    const log = new TimedLog();
    log.proposal('r1', { amount: 2_000_000 }, NEEDS_APPROVAL);
    const g = log.add('approval.granted', human, { request_id: 'r1', approver: human.id, approval_id: 'apr-1' });
    const first = log.run('r1');
    const second = log.run('r1');
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([{ kind: 'duplicate-execution', seq: second.seq, severity: 'violation', related_seqs: [g.seq, first.seq] }]);
  });

  it('killswitch-ineffective is a warning: listed with the executions under it and its release, never a violation', async () => {
    const log = new TimedLog();
    const engaged = log.add('killswitch.engaged', operator, { scope: AGENT, reason: 'runaway', terminated: false });
    log.proposal('r1', { amount: 500 }, ALLOW_SMALL);
    const e = log.run('r1');
    const released = log.add('killswitch.released', operator, { scope: AGENT, reason: 'done' });
    const report = await replay(log);
    expect(brief(report.sequence_findings)).toEqual([
      { kind: 'killswitch-ineffective', seq: engaged.seq, severity: 'warning', related_seqs: [e.seq, released.seq] },
      { kind: 'action-after-killswitch', seq: e.seq, severity: 'violation', related_seqs: [engaged.seq] },
    ]);
    expect(report.conduct).toMatchObject({ status: 'violations', sequence_findings: 1, sequence_warnings: 1 });
    expect(report.conduct.sentence).toBe('1 workflow violation, 1 warning.');
  });

  it('a warning alone leaves conduct clean and replay exit 0, and says so', async () => {
    const log = new TimedLog();
    log.add('killswitch.engaged', operator, { scope: 'global', reason: 'drill', terminated: false });
    log.add('killswitch.released', operator, { scope: 'global', reason: 'drill over' });
    log.proposal('r1', { amount: 500 }, ALLOW_SMALL);
    log.run('r1');
    const report = await replay(log);
    expect(report.sequence_findings.map((f) => [f.kind, f.severity, f.agent])).toEqual([['killswitch-ineffective', 'warning', operator.id]]);
    expect(report.conduct).toMatchObject({ status: 'clean', sequence_findings: 0, sequence_warnings: 1 });
    expect(report.conduct.sentence).toBe('All 1 decisions match the pinned policy, and no workflow violation was found; 1 warning.');
    expect(replayExitCode(report)).toBe(0);
  });
});

describe('the pure checker without an evaluator', () => {
  it('never lets an unjudged projection excuse an execution after deny', () => {
    const log = new TimedLog();
    const denied = log.proposal('r1', { amount: 900, po_matched: false }, DENY_NO_PO);
    const proj = log.add('action.projected', { type: 'system', id: 'governance' }, { request_id: 'r1', decision_id: denied.decision.data.decision_id, args: ctx({ amount: 900 }), reason: 'x' });
    log.run('r1', ctx({ amount: 900 }));
    expect(checkSequence(log.events).map((f) => [f.kind, f.related_seqs])).toEqual([['executed-after-deny', [denied.decision.seq, proj.seq]]]);
    expect(checkSequence(log.events, () => null)).toEqual([]);
  });
});
