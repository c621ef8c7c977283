import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundleFolder } from '../../src/main/node/replay/bundle-loader';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { policyTextLookup, replayEvents } from '../../src/main/node/replay/replay-service';
import { divergenceViews, replayCounts, sequenceFindingViews } from '../../src/shared/replay/views';
import { EventLog, request, V7 } from './helpers';

describe('views for the review UI', () => {
  it('turn a report into DivergenceView and SequenceFindingView rows with policy texts', async () => {
    const bundles = loadBundleFolder(path.dirname(V7));
    const v7 = createCedarDecider(V7);
    const log = new EventLog();
    const r = request('ap-payment-agent', 'pay_invoice', 'INV-1', { amount: 100, vendor_verified: false });
    log.decision('q1', v7.policy, r, { effect: 'allow', determining: ['ap.pay.small'] });
    log.executed('ap-payment-agent', 'q1');
    log.decision('q2', { ...v7.policy, digest: 'ee'.repeat(32) }, r, { effect: 'deny', determining: [] });
    log.executed('ap-payment-agent', 'nothing');
    const { report } = await replayEvents(log.events, { bundles, workers: 0 });
    const views = divergenceViews(report, policyTextLookup(bundles));
    expect(views.map((v) => v.status)).toEqual(['diverged', 'not-replayable']);
    expect(views[0]).toMatchObject({ seq: 0, decisionId: 'dec-1', agent: 'ap-payment-agent', policyName: 'ap-policy', policyVersion: '7' });
    expect(views[0].determiningPolicies.map((p) => p.id)).toEqual(['ap.pay.small', 'ap.vendor.unverified']);
    expect(views[0].determiningPolicies[1].text).toContain('unless { context.vendor_verified }');
    expect(views[1].reason).toMatch(/^pinned-digest-mismatch/);
    expect(views[1].policyVersion).toBe('7');
    expect(sequenceFindingViews(report)).toEqual([expect.objectContaining({ kind: 'executed-without-decision', seq: 3, index: 3 })]);
    expect(replayCounts(report)).toEqual({ decisions: 2, matched: 0, diverged: 1, notReplayable: 1, sequenceFindings: 1, sequenceWarnings: 0 });
  });
});
