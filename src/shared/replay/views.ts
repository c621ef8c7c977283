/**
 * The replay report as the review UI shows it (`AuditApi` views), so the
 * service layer can store and serve divergences without knowing the report's
 * shape. Policy texts come from the bundles the case was replayed with.
 */
import type { ReplayReport } from './types';

export interface ReplayCounts {
  decisions: number;
  matched: number;
  diverged: number;
  notReplayable: number;
  sequenceFindings: number;
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
  seq: number;
  index: number;
  message: string;
}

/** Text of policy `id` in the bundle with `digest`; null when unknown. */
export type PolicyTextLookup = (digest: string, id: string) => string | null;

export function replayCounts(report: ReplayReport): ReplayCounts {
  return {
    decisions: report.decisions,
    matched: report.matched,
    diverged: report.diverged,
    notReplayable: report.not_replayable,
    sequenceFindings: report.sequence_findings.length,
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
  return report.sequence_findings.map((f) => ({ kind: f.kind, seq: f.seq, index: f.index, message: f.message }));
}
