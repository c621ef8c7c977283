/**
 * The replay report as the review UI shows it (`AuditApi` views), so the
 * service layer can store and serve divergences without knowing the report's
 * shape. Policy texts come from the bundles the case was replayed with.
 */
import { changedPolicyIds } from './report';
import type { DecisionOutcome, Effect, PolicyRef, ReplayReport, WhatIfSection } from './types';

export interface ReplayCounts {
  decisions: number;
  matched: number;
  diverged: number;
  notReplayable: number;
  /** Workflow violations (conduct findings included); warnings are counted apart. */
  sequenceFindings: number;
  /** Findings that are warnings only (killswitch-ineffective); absent in cases made before. */
  sequenceWarnings?: number;
}

export interface DivergenceView {
  seq: number;
  index: number;
  decisionId: string;
  agent: string;
  status: 'diverged' | 'not-replayable';
  reason: string;
  fields: { field: string; recorded: unknown; replayed: unknown }[];
  policyName: string;
  policyVersion: string;
  determiningPolicies: { id: string; text: string }[];
}

export interface SequenceFindingView {
  kind: string;
  /** A warning is shown, never counted as a violation. */
  severity: 'violation' | 'warning';
  seq: number;
  index: number;
  message: string;
  /** The other events the finding rests on, ascending (the desk links to them). */
  relatedSeqs: number[];
}

/** Text of policy `id` in the bundle with `digest`; null when unknown. */
export type PolicyTextLookup = (digest: string, id: string) => string | null;

export function replayCounts(report: ReplayReport): ReplayCounts {
  return {
    decisions: report.decisions,
    matched: report.matched,
    diverged: report.diverged,
    notReplayable: report.not_replayable,
    sequenceFindings: report.sequence_findings.filter((f) => f.severity !== 'warning').length,
    sequenceWarnings: report.sequence_findings.filter((f) => f.severity === 'warning').length,
  };
}

/** Divergences then not-replayable decisions, each in file order. */
export function divergenceViews(report: ReplayReport, policyText: PolicyTextLookup): DivergenceView[] {
  const views: DivergenceView[] = [];
  for (const d of report.divergences) {
    const ids = new Set<string>();
    for (const f of d.fields) if (f.field === 'determining') for (const list of [f.recorded, f.replayed]) for (const id of list as string[]) ids.add(id);
    views.push({
      seq: d.seq,
      index: d.index,
      decisionId: d.decision_id,
      agent: d.agent,
      status: 'diverged',
      reason: d.fields.map((f) => `${f.field}: recorded ${JSON.stringify(f.recorded)}, replayed ${JSON.stringify(f.replayed)}`).join('; '),
      fields: d.fields.map((f) => ({ field: f.field, recorded: f.recorded, replayed: f.replayed })),
      policyName: d.policy.name,
      policyVersion: d.policy.version,
      determiningPolicies: [...ids].sort().map((id) => ({ id, text: policyText(d.policy.digest, id) ?? '' })),
    });
  }
  for (const n of report.not_replayable_decisions) {
    views.push({
      seq: n.seq,
      index: n.index,
      decisionId: n.decision_id,
      agent: n.agent,
      status: 'not-replayable',
      reason: `${n.reason}: ${n.message}`,
      fields: [],
      policyName: n.policy?.name ?? '',
      policyVersion: n.policy?.version ?? '',
      determiningPolicies: [],
    });
  }
  return views;
}

export function sequenceFindingViews(report: ReplayReport): SequenceFindingView[] {
  return report.sequence_findings.map((f) => ({ kind: f.kind, severity: f.severity, seq: f.seq, index: f.index, message: f.message, relatedSeqs: [...f.related_seqs] }));
}

/** One decision the other bundle would decide otherwise: where it is (seq, 0-based index) and both outcomes. */
export interface WhatIfChangeView {
  seq: number;
  index: number;
  decisionId: string;
  before: DecisionOutcome;
  after: DecisionOutcome;
  /** The policy ids it is counted under (became or stopped being determining). */
  policies: string[];
}

export interface WhatIfGroup {
  /** "allow->deny" for a transition; the policy id for a policy. */
  key: string;
  /** In words: "allow → deny", or the policy id. */
  label: string;
  count: number;
  /** Positions in `changes` (file order). */
  changes: number[];
}

/** What another bundle would have decided, as the desk shows it. */
export interface WhatIfView {
  /** The bundle the decisions were evaluated against. */
  against: PolicyRef;
  /** The folder it was read from. */
  policiesPath: string;
  decisions: number;
  evaluated: number;
  changed: number;
  /** Decisions whose request the other bundle refused. */
  errors: number;
  /** "12 of 840 decisions would change: 9 allow → deny, 3 deny → allow." */
  sentence: string;
  byTransition: WhatIfGroup[];
  byPolicy: WhatIfGroup[];
  /** The first MAX_WHAT_IF_CHANGES changes, in file order. */
  changes: WhatIfChangeView[];
  /** More changed than `changes` holds (the counts are still whole). */
  truncated: boolean;
}

export const MAX_WHAT_IF_CHANGES = 10_000;

export const EFFECT_WORDS: Record<Effect, string> = { allow: 'allow', deny: 'deny', require_approval: 'require approval' };

function transitionLabel(key: string): string {
  const [from, to] = key.split('->');
  return `${EFFECT_WORDS[from as Effect] ?? from} → ${EFFECT_WORDS[to as Effect] ?? to}`;
}

function countWord(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** The report's what-if section in the desk's words, its changes grouped by transition and by policy. */
export function whatIfView(section: WhatIfSection, decisions: number, policiesPath: string, max = MAX_WHAT_IF_CHANGES): WhatIfView {
  const changes: WhatIfChangeView[] = section.changes.slice(0, max).map((c) => ({
    seq: c.seq,
    index: c.index,
    decisionId: c.decision_id,
    before: { effect: c.before.effect, determining: [...c.before.determining] },
    after: { effect: c.after.effect, determining: [...c.after.determining] },
    policies: changedPolicyIds(c.before, c.after),
  }));
  const group = (counts: Record<string, number>, label: (key: string) => string, has: (c: WhatIfChangeView, key: string) => boolean): WhatIfGroup[] =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([key, count]) => ({ key, label: label(key), count, changes: changes.flatMap((c, i) => (has(c, key) ? [i] : [])) }));
  const byTransition = group(section.by_transition, transitionLabel, (c, key) => `${c.before.effect}->${c.after.effect}` === key);
  const byPolicy = group(
    section.by_policy,
    (key) => key,
    (c, key) => c.policies.includes(key),
  );
  const of = `${section.changed.toLocaleString('en-US')} of ${countWord(section.evaluated, 'decision', 'decisions')}`;
  let sentence =
    section.changed === 0
      ? `None of the ${countWord(section.evaluated, 'decision', 'decisions')} would change under ${section.against.name}@${section.against.version}.`
      : `${of} would change: ${byTransition.map((g) => `${g.count.toLocaleString('en-US')} ${g.label}`).join(', ')}.`;
  if (section.errors > 0) sentence += ` ${countWord(section.errors, 'decision was', 'decisions were')} refused by that bundle (its schema does not accept the request).`;
  const skipped = decisions - section.evaluated - section.errors;
  if (skipped > 0) sentence += ` ${countWord(skipped, 'decision', 'decisions')} could not be evaluated (incomplete records).`;
  return {
    against: { name: section.against.name, version: section.against.version, digest: section.against.digest },
    policiesPath,
    decisions,
    evaluated: section.evaluated,
    changed: section.changed,
    errors: section.errors,
    sentence,
    byTransition,
    byPolicy,
    changes,
    truncated: section.changes.length > changes.length,
  };
}
