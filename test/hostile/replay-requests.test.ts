/**
 * One hostile decision must cost only itself. An exporter hiding a divergence
 * needs only one decision that breaks the Cedar engine: a 10,000-entity
 * parent chain made cedar-wasm trap ("memory access out of bounds") and left
 * the thread's wasm instance failing every later call, so every decision
 * became "not replayable" and the planted divergence went unreported. Here
 * such requests sit among honest decisions in an export file: the caps refuse
 * them before Cedar (request-over-limit, naming the cap and the event), and
 * with the caps lifted the engine's failure costs that decision alone
 * (engine-failure) while a fresh instance serves the rest, with 0, 1 and 2
 * workers giving the same bytes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundleFolder } from '../../src/main/node/replay/bundle-loader';
import { ENGINE_FAILURE_MESSAGE } from '../../src/main/node/replay/cedar-evaluator';
import { createCedarDecider } from '../../src/main/node/replay/decider';
import { replayExport, type ReplayRun } from '../../src/main/node/replay/replay-service';
import { REQUEST_LIMITS, type RequestLimits } from '../../src/shared/replay/request-limits';
import type { ReplayReport } from '../../src/shared/replay/types';
import { EventLog, tempDir, writeBundle } from '../replay/helpers';
import { entityChain, flatEntities, layeredEntities, nestedValue, type Entity } from './hostile-requests';

// No schema, so Cedar takes any entity types (the sample schema would refuse Team parents).
const policies = tempDir('hostile-requests-');
writeBundle(path.join(policies, 'team-v1'), {
  'manifest.json': '{"name":"team","version":"1","engine":"cedar"}',
  'policies.cedar': [
    '@id("team.read")\npermit(principal in Team::"t0", action == Action::"read_invoice", resource);',
    '@id("pay.small")\npermit(principal, action == Action::"pay_invoice", resource) when { context.amount <= 100000 };',
    '@id("pay.ring")\nforbid(principal, action == Action::"pay_invoice", resource) when { context has ring && context.ring >= 2 };',
    '',
  ].join('\n'),
});
const decide = createCedarDecider(path.join(policies, 'team-v1'));
const bundles = loadBundleFolder(policies);

const req = (action: string, resource: string, context: Record<string, unknown>, entities?: Entity[]) => ({
  principal: { type: 'Agent', id: 'ap-payment-agent' },
  action: { type: 'Action', id: action },
  resource: { type: 'Invoice', id: resource },
  context,
  ...(entities ? { entities } : {}),
});

interface Built {
  file: string;
  /** seq of each hostile decision, in file order. */
  hostile: number[];
  planted: number;
}

/**
 * 105 honest decisions (recorded as the bundle decides) and one planted
 * divergence (an agent in ring 2 paid: recorded allow, the policy denies),
 * with `hostile` requests slipped in after the 40th honest one, each recorded
 * as allowed by team.read.
 */
function exportWith(hostile: ReturnType<typeof req>[]): Built {
  const log = new EventLog();
  const seqs: number[] = [];
  for (let i = 0; i < 105; i++) {
    const r = i % 4 === 0 ? req('read_invoice', `INV-${i}`, {}) : req('pay_invoice', `INV-${i}`, { amount: (i * 7919) % 200_000, ring: i % 2 });
    log.decision(`req-${i}`, decide.policy, r, decide(r));
    if (i === 40) for (const [k, h] of hostile.entries()) seqs.push(log.decision(`hostile-${k}`, decide.policy, h, { effect: 'allow', determining: ['team.read'] }).seq);
  }
  const ring2 = req('pay_invoice', 'INV-planted', { amount: 500, ring: 2 });
  expect(decide(ring2).effect).toBe('deny');
  const planted = log.decision('req-planted', decide.policy, ring2, { effect: 'allow', determining: ['pay.small'] }).seq;
  const file = log.writeExport(path.join(tempDir('hostile-requests-'), 'export.jsonl'));
  return { file, hostile: seqs, planted };
}

const replay = (file: string, workers: number, requestLimits?: RequestLimits): Promise<ReplayRun> => replayExport({ exportPath: file, policies: bundles, workers, requestLimits });

/** Every decision but the hostile ones replayed, the planted divergence found. */
function expectOnlyHostileLost(report: ReplayReport, built: Built): void {
  expect(report.decisions).toBe(106 + built.hostile.length);
  expect(report.matched).toBe(105);
  expect(report.divergences.map((d) => d.seq)).toEqual([built.planted]);
  expect(report.divergences[0].fields).toEqual([
    { field: 'effect', recorded: 'allow', replayed: 'deny' },
    { field: 'determining', recorded: ['pay.small'], replayed: ['pay.ring'] },
  ]);
  expect(report.not_replayable_decisions.map((n) => n.seq)).toEqual(built.hostile);
}

/** 1-based file line of a seq in an EventLog export (the header is line 1). */
const lineOf = (seq: number) => seq + 2;

describe('a 10,000-entity parent chain among honest decisions', () => {
  const built = exportWith([req('read_invoice', 'INV-X', {}, entityChain(9_999))]);

  it('is refused before Cedar, naming the cap and the event; the planted divergence is still found, with 1 and 2 workers', async () => {
    const runs = [await replay(built.file, 1), await replay(built.file, 2), await replay(built.file, 0)];
    for (const { report } of runs) {
      expectOnlyHostileLost(report, built);
      expect(report.not_replayable_decisions[0]).toMatchObject({
        reason: 'request-over-limit',
        message: `Event ${built.hostile[0]} (line ${lineOf(built.hostile[0])}): the request lists 10,000 entities, more than the 5,000 given to Cedar for one decision (the cap on entities per request); it was not given to Cedar`,
      });
    }
    expect(runs[1].sha256).toBe(runs[0].sha256);
    expect(runs[2].sha256).toBe(runs[0].sha256);
  });

  it('with the caps lifted it reaches Cedar and breaks the engine: that decision alone is lost, a fresh engine replays the rest, the same bytes with 0, 1 and 2 workers', async () => {
    const lifted = { entities: Infinity, entityDepth: Infinity, ancestry: Infinity, nesting: REQUEST_LIMITS.nesting };
    const twice = exportWith([req('read_invoice', 'INV-X', {}, entityChain(9_999)), req('read_invoice', 'INV-Y', {}, entityChain(19_999))]);
    const runs = [await replay(twice.file, 1, lifted), await replay(twice.file, 2, lifted), await replay(twice.file, 0, lifted)];
    for (const { report } of runs) {
      expectOnlyHostileLost(report, twice);
      expect(report.not_replayable_decisions.map((n) => [n.reason, n.message])).toEqual(
        twice.hostile.map((seq) => ['engine-failure', `Event ${seq} (line ${lineOf(seq)}): ${ENGINE_FAILURE_MESSAGE}`]),
      );
    }
    expect(runs[1].sha256).toBe(runs[0].sha256);
    expect(runs[2].sha256).toBe(runs[0].sha256);
  });
});

describe('caps on one request, checked before Cedar', () => {
  it(`more than ${REQUEST_LIMITS.entities} entities: refused naming the cap; ${REQUEST_LIMITS.entities} are evaluated`, async () => {
    const built = exportWith([req('read_invoice', 'INV-X', {}, flatEntities(REQUEST_LIMITS.entities + 1))]);
    const { report } = await replay(built.file, 1);
    expectOnlyHostileLost(report, built);
    expect(report.not_replayable_decisions[0]).toMatchObject({ reason: 'request-over-limit' });
    expect(report.not_replayable_decisions[0].message).toMatch(/^Event 41 \(line 43\): the request lists 5,001 entities, more than the 5,000 .*cap on entities per request/);
    const atCap = exportWith([req('read_invoice', 'INV-X', {}, flatEntities(REQUEST_LIMITS.entities))]);
    // Evaluated: Cedar says deny (no team), against the recorded allow.
    expect((await replay(atCap.file, 1)).report.divergences.map((d) => d.seq)).toEqual([atCap.hostile[0], atCap.planted]);
  });

  it(`a parent chain more than ${REQUEST_LIMITS.entityDepth} deep: refused naming the cap; ${REQUEST_LIMITS.entityDepth} deep is evaluated`, async () => {
    const built = exportWith([req('read_invoice', 'INV-X', {}, entityChain(REQUEST_LIMITS.entityDepth + 1))]);
    const { report } = await replay(built.file, 2);
    expectOnlyHostileLost(report, built);
    expect(report.not_replayable_decisions[0]).toMatchObject({
      reason: 'request-over-limit',
      message: "Event 41 (line 43): the request's entities form a chain of parents more than 100 deep (the cap on entity depth); it was not given to Cedar",
    });
    const atCap = exportWith([req('read_invoice', 'INV-X', {}, entityChain(REQUEST_LIMITS.entityDepth))]);
    const ok = (await replay(atCap.file, 2)).report;
    expect([ok.matched, ok.diverged, ok.not_replayable]).toEqual([106, 1, 0]);
  });

  it('a shallow hierarchy whose ancestry Cedar would take seconds to work out: refused naming the cap', async () => {
    // 2,000 entities 20 layers deep: within the entity and depth caps.
    const built = exportWith([req('read_invoice', 'INV-X', {}, layeredEntities(100, 20, 2))]);
    const { report } = await replay(built.file, 1);
    expectOnlyHostileLost(report, built);
    expect(report.not_replayable_decisions[0]).toMatchObject({
      reason: 'request-over-limit',
      message: "Event 41 (line 43): working out the ancestors of the request's entities takes more than 100,000 steps (the cap on entity ancestry per request); it was not given to Cedar",
    });
  });

  it(`context or entity values nested more than ${REQUEST_LIMITS.nesting} levels: refused naming the cap; ${REQUEST_LIMITS.nesting} levels are evaluated`, async () => {
    const cap = REQUEST_LIMITS.nesting;
    const deepEntity = (levels: number): Entity => ({ uid: { type: 'Team', id: 'deep' }, attrs: { v: nestedValue(levels - 2) }, parents: [] });
    const built = exportWith([req('read_invoice', 'INV-X', nestedValue(cap + 1)), req('read_invoice', 'INV-Y', {}, [...flatEntities(2), deepEntity(cap + 1)])]);
    for (const workers of [0, 2]) {
      const { report } = await replay(built.file, workers);
      expectOnlyHostileLost(report, built);
      expect(report.not_replayable_decisions.map((n) => [n.reason, n.message])).toEqual([
        ['request-over-limit', "Event 41 (line 43): the request's context nests values more than 64 levels deep (the cap on nesting); it was not given to Cedar"],
        ['request-over-limit', 'Event 42 (line 44): entity 3 of the request nests values more than 64 levels deep (the cap on nesting); it was not given to Cedar'],
      ]);
    }
    // At the cap Cedar evaluates them (deny: no team), in a worker and in this thread.
    const atCap = exportWith([req('read_invoice', 'INV-X', nestedValue(cap)), req('read_invoice', 'INV-Y', {}, [deepEntity(cap)])]);
    for (const workers of [0, 1]) {
      const ok = (await replay(atCap.file, workers)).report;
      expect([ok.matched, ok.diverged, ok.not_replayable]).toEqual([105, 3, 0]);
    }
  });
});

describe('known, not fixed', () => {
  // cedar-wasm's refusal message names the first bad entity in its hash map's order, and in wasm that order
  // changes with every hash map the instance has made: the same request gets a different sentence after a
  // different history (inline against a worker, or a worker that was handed other batches). Pinned so that
  // the day it holds, this test says so; docs/security.md lists it.
  it.fails('a refusal that names one of several bad entities gives the same sentence with 0 and 1 workers', async () => {
    const dir = tempDir('hostile-requests-');
    writeBundle(path.join(dir, 'typed-v1'), {
      'manifest.json': '{"name":"typed","version":"1","engine":"cedar"}',
      'policies.cedar': '@id("read")\npermit(principal, action == Action::"read_invoice", resource);\n',
      'schema.cedarschema': 'entity Agent;\nentity Invoice;\naction read_invoice appliesTo { principal: Agent, resource: Invoice };\n',
    });
    const typed = createCedarDecider(path.join(dir, 'typed-v1'));
    const log = new EventLog();
    const ok = req('read_invoice', 'INV-1', {});
    for (let i = 0; i < 37; i++) log.decision(`r${i}`, typed.policy, ok, typed(ok));
    const bad = Array.from({ length: 20 }, (_, i) => ({ uid: { type: 'Agent', id: `a${i}` }, attrs: {}, parents: [{ type: 'Agent', id: `a${i + 1}` }] }));
    log.decision('bad', typed.policy, { ...ok, entities: bad }, { effect: 'allow', determining: ['read'] });
    const file = log.writeExport(path.join(dir, 'export.jsonl'));
    const runs = [await replayExport({ exportPath: file, policies: dir, workers: 0 }), await replayExport({ exportPath: file, policies: dir, workers: 1 })];
    expect(runs[0].report.not_replayable_decisions[0].reason).toBe('evaluation-error');
    expect(runs[1].report.not_replayable_decisions[0].message).toBe(runs[0].report.not_replayable_decisions[0].message);
  });
});
