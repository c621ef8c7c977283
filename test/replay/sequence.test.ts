import { describe, expect, it } from 'vitest';
import { checkSequence, SUSPENDED_RING } from '../../src/shared/replay/sequence-checks';
import { replayExitCode } from '../../src/shared/replay/report';
import { replayEvents } from '../../src/main/node/replay/replay-service';
import { loadBundleFolder } from '../../src/main/node/replay/bundle-loader';
import { EventLog, V7 } from './helpers';
import path from 'node:path';

const policy = { name: 'p', version: '1', digest: '0'.repeat(64) };
const req = (agent: string) => ({ principal: { type: 'Agent', id: agent }, action: { type: 'Action', id: 'pay_invoice' }, resource: { type: 'Invoice', id: 'I' }, context: {} });
const human = { type: 'human', id: 'cfo@example.com' };
const system = { type: 'system', id: 'governance' };

function decided(log: EventLog, rid: string, effect: string, agent = 'ap-payment-agent') {
  log.add('action.requested', { type: 'agent', id: agent }, { request_id: rid, tool: 'pay_invoice', args: {} });
  log.decision(rid, policy, req(agent), { effect, determining: [] });
}

const kinds = (log: EventLog) => checkSequence(log.events).map((f) => `${f.kind}@${f.seq}`);

describe('sequence checks', () => {
  it('a clean workflow has no finding', () => {
    const log = new EventLog();
    decided(log, 'r1', 'allow');
    log.executed('ap-payment-agent', 'r1');
    decided(log, 'r2', 'require_approval');
    log.add('approval.granted', human, { request_id: 'r2', approver: human.id });
    log.executed('ap-payment-agent', 'r2');
    expect(checkSequence(log.events)).toEqual([]);
  });

  it('an action executed that was denied', () => {
    const log = new EventLog();
    decided(log, 'r1', 'deny');
    const e = log.executed('ap-payment-agent', 'r1');
    const f = checkSequence(log.events);
    expect(f).toEqual([expect.objectContaining({ kind: 'executed-after-deny', seq: e.seq, index: e.index, request_id: 'r1', agent: 'ap-payment-agent' })]);
    expect(f[0].message).toMatch(/deny/);
  });

  it('an action needing approval executed with no approval granted before it (a later grant does not help; a denial revokes)', () => {
    const log = new EventLog();
    decided(log, 'r1', 'require_approval');
    const first = log.executed('ap-payment-agent', 'r1');
    log.add('approval.granted', human, { request_id: 'r1', approver: human.id });
    decided(log, 'r2', 'require_approval');
    log.add('approval.granted', human, { request_id: 'r2', approver: human.id });
    log.add('approval.denied', human, { request_id: 'r2', approver: human.id });
    const second = log.executed('ap-payment-agent', 'r2');
    decided(log, 'r3', 'require_approval');
    log.add('approval.granted', human, { request_id: 'r3', approver: human.id });
    log.executed('ap-payment-agent', 'r3');
    expect(kinds(log)).toEqual([`executed-without-approval@${first.seq}`, `executed-without-approval@${second.seq}`]);
  });

  it('an action after a kill switch, for its agent or global, until released', () => {
    const log = new EventLog();
    decided(log, 'r1', 'allow');
    decided(log, 'r2', 'allow', 'billing-agent');
    log.add('killswitch.engaged', human, { scope: 'ap-payment-agent' });
    const a = log.executed('ap-payment-agent', 'r1');
    log.executed('billing-agent', 'r2'); // other agent: fine
    log.add('killswitch.released', human, { scope: 'ap-payment-agent' });
    decided(log, 'r3', 'allow');
    log.executed('ap-payment-agent', 'r3'); // released: fine
    log.add('killswitch.engaged', human, { scope: 'global' });
    decided(log, 'r4', 'allow', 'billing-agent');
    const b = log.executed('billing-agent', 'r4');
    log.add('killswitch.released', human, { scope: 'global' });
    decided(log, 'r5', 'allow', 'billing-agent');
    log.executed('billing-agent', 'r5');
    expect(kinds(log)).toEqual([`action-after-killswitch@${a.seq}`, `action-after-killswitch@${b.seq}`]);
  });

  it(`an agent acting while its ring forbids it (ring >= ${SUSPENDED_RING})`, () => {
    const log = new EventLog();
    log.add('ring.changed', system, { agent_id: 'ap-payment-agent', ring: SUSPENDED_RING - 1 });
    decided(log, 'r1', 'allow');
    log.executed('ap-payment-agent', 'r1');
    log.add('ring.changed', system, { agent_id: 'ap-payment-agent', ring: SUSPENDED_RING });
    decided(log, 'r2', 'allow');
    const e = log.executed('ap-payment-agent', 'r2');
    log.add('ring.changed', system, { agent_id: 'ap-payment-agent', ring: 0 });
    decided(log, 'r3', 'allow');
    log.executed('ap-payment-agent', 'r3');
    expect(kinds(log)).toEqual([`ring-forbids-action@${e.seq}`]);
    expect(checkSequence(log.events)[0].message).toMatch(/ring 3/);
  });

  it('an execution with no decision at all, or only a decision after it', () => {
    const log = new EventLog();
    const a = log.executed('ap-payment-agent', 'ghost');
    const b = log.executed('ap-payment-agent', 'late');
    decided(log, 'late', 'allow');
    const c = log.add('action.executed', { type: 'agent', id: 'ap-payment-agent' }, {});
    expect(kinds(log)).toEqual([`executed-without-decision@${a.seq}`, `executed-without-decision@${b.seq}`, `executed-without-decision@${c.seq}`]);
  });

  it('a sequence finding alone makes replay exit 1', async () => {
    const log = new EventLog();
    log.executed('ap-payment-agent', 'ghost');
    const { report } = await replayEvents(log.events, { bundles: loadBundleFolder(path.dirname(V7)), workers: 0 });
    expect(report.decisions).toBe(0);
    expect(report.sequence_findings).toHaveLength(1);
    expect(report.counts.sequence_findings_by_kind).toEqual({ 'executed-without-decision': 1 });
    expect(replayExitCode(report)).toBe(1);
  });
});
