import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../src/shared/json/canonical';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { loadBundleFolder } from '../../src/main/node/replay/bundle-loader';
import { replayEvents, replayExport } from '../../src/main/node/replay/replay-service';
import { runCli } from '../../src/main/node/cli/main';
import { createHash } from 'node:crypto';
import { copySamplePolicies, EventLog, request, tempDir, V7, V8 } from './helpers';

const bundles = loadBundleFolder(path.dirname(V7));
const v7 = createCedarDecider(V7);
const v8 = createCedarDecider(V8);

/** A log whose decisions are recorded as v7 decides them, plus one planted decision per outcome. */
function mixedLog(): EventLog {
  const log = new EventLog();
  const honest = [
    request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1000 }),
    request('ap-payment-agent', 'pay_invoice', 'INV-1', { amount: 900_000 }),
    request('ap-payment-agent', 'pay_invoice', 'INV-2', { amount: 2_000_000 }),
    request('ap-payment-agent', 'pay_invoice', 'INV-3', { amount: 600_000, ring: 1 }),
    request('ap-payment-agent', 'pay_invoice', 'INV-4', { amount: 100, vendor_verified: false }),
    request('billing-agent', 'issue_credit_note', 'CN-1', { amount: 70_000 }),
    request('ap-matching-agent', 'approve_invoice', 'INV-1', { amount: 1000 }),
  ];
  honest.forEach((r, i) => log.decision(`req-${i}`, v7.policy, r, v7(r)));
  return log;
}

const run = (log: EventLog, extra: { against?: string; workers?: number } = {}) => replayEvents(log.events, { bundles, workers: extra.workers ?? 0, against: extra.against ?? null });

describe('replay outcomes', () => {
  it('every honestly recorded decision matches', async () => {
    const { report } = await run(mixedLog());
    expect(report).toMatchObject({ decisions: 7, matched: 7, diverged: 0, not_replayable: 0 });
  });

  it('a decision recorded as allow that the pinned policy denies diverges, with every differing field', async () => {
    const log = mixedLog();
    const r = request('ap-payment-agent', 'pay_invoice', 'INV-9', { amount: 500, ring: 2 });
    expect(v7(r).effect).toBe('deny');
    const planted = log.decision('req-planted', v7.policy, r, { effect: 'allow', determining: ['ap.pay.small'] });
    const { report } = await run(log);
    expect(report.diverged).toBe(1);
    expect(report.matched).toBe(7);
    expect(report.divergences[0]).toMatchObject({
      seq: planted.seq,
      decision_id: planted.data.decision_id,
      request_id: 'req-planted',
      agent: 'ap-payment-agent',
      fields: [
        { field: 'effect', recorded: 'allow', replayed: 'deny' },
        { field: 'determining', recorded: ['ap.pay.small'], replayed: ['ap.ring'] },
      ],
    });
  });

  it('a wrong determining list alone is a divergence', async () => {
    const log = new EventLog();
    const r = request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1 });
    log.decision('q', v7.policy, r, { effect: 'allow', determining: ['ap.read', 'ap.approve'] });
    const { report } = await run(log);
    expect(report.divergences[0].fields).toEqual([{ field: 'determining', recorded: ['ap.read', 'ap.approve'], replayed: ['ap.read'] }]);
  });

  it('not-replayable decisions carry their reason and are never counted as matched or diverged', async () => {
    const log = mixedLog();
    const good = request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1 });
    log.decision('a', { name: 'other-policy', version: '1', digest: 'ab'.repeat(32) }, good, { effect: 'allow', determining: ['ap.read'] });
    const incomplete = { principal: { type: 'Agent', id: 'x' }, action: { type: 'Action', id: 'read_invoice' }, context: {} };
    log.decision('b', v7.policy, incomplete, { effect: 'allow', determining: [] });
    const badContext = { ...good, context: { amount: 'a lot' } };
    log.decision('c', v7.policy, badContext, { effect: 'allow', determining: ['ap.read'] });
    log.add('policy.decision', { type: 'system', id: 'pe' }, { decision_id: 'd-no-outcome', request_id: 'd', policy: v7.policy, request: good });
    const { report } = await run(log);
    expect(report).toMatchObject({ decisions: 11, matched: 7, diverged: 0, not_replayable: 4 });
    expect(report.not_replayable_decisions.map((n) => n.reason)).toEqual(['bundle-missing', 'request-incomplete', 'evaluation-error', 'decision-incomplete']);
    expect(report.not_replayable_decisions[1].message).toMatch(/resource/);
    expect(report.not_replayable_decisions[2].message).toMatch(/amount|context/);
    expect(report.counts.not_replayable_by_reason).toEqual({ 'bundle-missing': 1, 'request-incomplete': 1, 'evaluation-error': 1, 'decision-incomplete': 1 });
  });

  it('a bundle with the pinned name and version but another digest is a pinned-digest-mismatch and is never used', async () => {
    const log = new EventLog();
    const r = request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1 });
    const forged = { ...v7.policy, digest: 'cd'.repeat(32) };
    // Recorded as the v7 bundle would decide: if it were silently used, this would match.
    log.decision('q', forged, r, v7(r));
    const { report } = await run(log);
    expect(report.matched).toBe(0);
    expect(report.not_replayable_decisions).toHaveLength(1);
    expect(report.not_replayable_decisions[0].reason).toBe('pinned-digest-mismatch');
    expect(report.not_replayable_decisions[0].message).toContain(v7.policy.digest);
  });

  it('entities recorded with the request reach Cedar', async () => {
    const dir = tempDir();
    const bundleDir = path.join(dir, 'ent');
    const { writeBundle } = await import('./helpers');
    writeBundle(bundleDir, {
      'manifest.json': '{"name":"ent","version":"1","engine":"cedar"}',
      'policies.cedar': '@id("team")\npermit(principal in Team::"ap", action, resource);\n',
      'entities.json': '[{"uid":{"type":"Team","id":"ap"},"attrs":{},"parents":[]}]',
    });
    const decide = createCedarDecider(bundleDir);
    const member = {
      ...request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1 }),
      entities: [{ uid: { type: 'Agent', id: 'ap-intake-agent' }, attrs: {}, parents: [{ type: 'Team', id: 'ap' }] }],
    };
    const stranger = request('ap-intake-agent', 'read_invoice', 'INV-1', { amount: 1 });
    expect(decide(member)).toEqual({ effect: 'allow', determining: ['team'] });
    expect(decide(stranger)).toEqual({ effect: 'deny', determining: [] });
    const log = new EventLog();
    log.decision('m', decide.policy, member, { effect: 'allow', determining: ['team'] });
    log.decision('s', decide.policy, stranger, { effect: 'allow', determining: ['team'] });
    const { report } = await replayEvents(log.events, { bundles: loadBundleFolder(dir), workers: 0 });
    expect(report.matched).toBe(1);
    expect(report.diverged).toBe(1);
  });
});

describe('what-if', () => {
  it('lists every decision whose outcome changes against another bundle, with counts by policy id', async () => {
    const log = mixedLog();
    const { report } = await run(log, { against: 'ap-policy@8' });
    const w = report.what_if!;
    expect(w.against.digest).toBe(v8.policy.digest);
    // Independent expectation: decide every recorded request with both deciders.
    const expected = log.events.filter((e) => e.kind === 'policy.decision').filter((e) => canonicalize(v7(e.data.request as never)) !== canonicalize(v8(e.data.request as never)));
    expect(w.changes.map((c) => c.decision_id)).toEqual(expected.map((e) => e.data.decision_id));
    expect(w.changed).toBeGreaterThan(0);
    expect(w.evaluated).toBe(7);
    for (const c of w.changes) {
      const e = log.events.find((x) => x.data.decision_id === c.decision_id)!;
      expect(c.after).toEqual(v8(e.data.request as never));
    }
    const total = Object.values(w.by_policy).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(w.changed);
    expect(w.by_policy['ap.ring']).toBe(1);
  });

  it('also accepts a digest, and refuses an unknown bundle as unusable input', async () => {
    const byDigest = await run(mixedLog(), { against: v8.policy.digest });
    const byName = await run(mixedLog(), { against: 'ap-policy@8' });
    expect(byDigest.canonical).toBe(byName.canonical);
    await expect(run(mixedLog(), { against: 'ap-policy@99' })).rejects.toThrow(/no bundle/);
  });
});

describe('determinism', () => {
  function bigLog(n: number): EventLog {
    const log = new EventLog();
    const agents = ['ap-payment-agent', 'billing-agent'];
    for (let i = 0; i < n; i++) {
      const amount = (i * 7919) % 3_000_000;
      const r =
        i % 3 === 0
          ? request(agents[1], 'issue_credit_note', `CN-${i}`, { amount: amount % 100_000 })
          : request(agents[0], 'pay_invoice', `INV-${i}`, { amount, ring: i % 4, vendor_verified: i % 11 !== 0 });
      const recorded = v7(r);
      // Every 50th decision is planted as the opposite effect.
      log.decision(`req-${i}`, v7.policy, r, i % 50 === 0 ? { ...recorded, effect: recorded.effect === 'deny' ? 'allow' : 'deny' } : recorded);
      if (i % 5 === 0) log.executed(r.principal.id, `req-${i}`);
    }
    return log;
  }

  it('1 worker and 2 workers give identical bytes, twice, and the printed hash is the hash of the bytes', async () => {
    const log = bigLog(3000);
    const opts = { bundles, against: 'ap-policy@8', batchSize: 97 };
    const one = await replayEvents(log.events, { ...opts, workers: 1 });
    const two = await replayEvents(log.events, { ...opts, workers: 2 });
    const again = await replayEvents(log.events, { ...opts, workers: 2, batchSize: 13 });
    const inline = await replayEvents(log.events, { ...opts, workers: 0 });
    expect(one.report.diverged).toBe(60);
    expect(one.report.sequence_findings.length).toBeGreaterThan(0);
    expect(two.canonical).toBe(one.canonical);
    expect(again.canonical).toBe(one.canonical);
    expect(inline.canonical).toBe(one.canonical);
    expect(one.sha256).toBe(createHash('sha256').update(one.canonical).digest('hex'));
    expect(one.canonical).toBe(canonicalize(JSON.parse(one.canonical)));
  });
});

describe('replay of an export file and the CLI', () => {
  function capture() {
    let out = '';
    let err = '';
    return {
      io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } } as never,
      out: () => out,
      err: () => err,
    };
  }

  it('exit 0 when all matched, with --json members and a report hash that checks', async () => {
    const file = mixedLog().writeExport(path.join(tempDir(), 'clean.jsonl'));
    const c = capture();
    const code = await runCli(['replay', file, '--policies', copySamplePolicies(), '--json'], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const json = JSON.parse(c.out());
    expect(json).toMatchObject({ decisions: 7, matched: 7, diverged: 0, not_replayable: 0, divergences: [], sequence_findings: [] });
    const { report_sha256, ...report } = json;
    expect(report_sha256).toBe(createHash('sha256').update(canonicalize(report)).digest('hex'));
    expect(report.export_sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('exit 1 on a divergence or a sequence finding; gzip is read the same', async () => {
    const log = mixedLog();
    const r = request('ap-payment-agent', 'pay_invoice', 'INV-9', { amount: 500, vendor_verified: false });
    log.decision('planted', v7.policy, r, { effect: 'allow', determining: ['ap.pay.small'] });
    log.executed('ap-payment-agent', 'planted');
    const file = log.writeExport(path.join(tempDir(), 'planted.jsonl'));
    writeFileSync(file + '.gz', gzipSync(readFileSync(file)));
    const c = capture();
    expect(await runCli(['replay', file, '--policies', copySamplePolicies(), '--json', '--workers', '2'], c.io)).toBe(1);
    const json = JSON.parse(c.out());
    expect(json.divergences).toEqual([expect.objectContaining({ seq: log.events.length - 2, decision_id: 'dec-8', fields: expect.any(Array) })]);
    expect(json.sequence_findings).toEqual([]);
    const gz = capture();
    expect(await runCli(['replay', file + '.gz', '--policies', copySamplePolicies(), '--json'], gz.io)).toBe(1);
    const gzJson = JSON.parse(gz.out());
    expect(gzJson.divergences).toEqual(json.divergences);
    expect(gzJson.export_sha256).not.toBe(json.export_sha256);
  });

  it('exit 2 on unusable input: no such export, a broken bundle, a file that is not an export', async () => {
    const policies = copySamplePolicies();
    const missing = capture();
    expect(await runCli(['replay', path.join(tempDir(), 'nope.jsonl'), '--policies', policies], missing.io)).toBe(2);
    const notExport = path.join(tempDir(), 'x.jsonl');
    writeFileSync(notExport, '{"hello":1}\n');
    const bad = capture();
    expect(await runCli(['replay', notExport, '--policies', policies], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/line 1|:1:/);
    writeFileSync(path.join(policies, 'ap-policy-v7', 'policies.cedar'), '@id("x")\npermit(principal,, action, resource);\n');
    const broken = capture();
    expect(await runCli(['replay', mixedLog().writeExport(path.join(tempDir(), 'e.jsonl')), '--policies', policies], broken.io)).toBe(2);
    expect(broken.err()).toContain(`${path.join(policies, 'ap-policy-v7', 'policies.cedar')}:2`);
    const notGzip = path.join(tempDir(), 'x.jsonl.gz');
    writeFileSync(notGzip, 'plain text, not gzip\n');
    const gz = capture();
    expect(await runCli(['replay', notGzip, '--policies', copySamplePolicies()], gz.io)).toBe(2);
    expect(gz.err()).toMatch(/gzip/);
    const noPolicies = capture();
    expect(await runCli(['replay', notExport], noPolicies.io)).toBe(2);
  });

  it('replayExport returns the report for the service layer; unreadable lines are listed, not skipped', async () => {
    const file = mixedLog().writeExport(path.join(tempDir(), 'svc.jsonl'));
    writeFileSync(file, readFileSync(file, 'utf8') + 'not json\n[1]\n{"type":"event","seq":"x"}\n');
    const run = await replayExport({ exportPath: file, policies: path.dirname(V7), workers: 0 });
    expect(run.report.matched).toBe(7);
    expect(run.bundles.map((b) => b.version)).toEqual(['7', '8']);
    expect(run.unreadableLines).toEqual([9, 10, 11]);
    expect(run.report.unreadable_lines).toEqual([9, 10, 11]);
  });
});
