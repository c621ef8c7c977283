/**
 * Assembling the replay report from per-decision results taken in file order,
 * and its canonical bytes. The report is canonical JSON (RFC 8785) and carries
 * no clock or path, so two runs give the same bytes and the same SHA-256.
 */
import { canonicalize } from '../json/canonical';
import { sameOutcome, sortedIds } from './outcome';
import { conductOf } from './conduct';
import { eventRef, type DecisionReading } from './decision';
import type { TaskResult } from './replay-decision';
import type { DecisionOutcome, DivergenceEntry, NotReplayableEntry, NotReplayableReason, PolicyRef, ReplayReport, SequenceFinding, WhatIfSection } from './types';

export const REPORT_FORMAT = 'audit-replay/replay-report/1';

export class ReplayReportBuilder {
  private decisions = 0;
  private matched = 0;
  private readonly divergences: DivergenceEntry[] = [];
  private readonly notReplayable: NotReplayableEntry[] = [];
  private readonly whatIf: WhatIfSection | null;

  constructor(against: PolicyRef | null) {
    this.whatIf = against ? { against, evaluated: 0, changed: 0, errors: 0, by_policy: {}, by_transition: {}, changes: [] } : null;
  }

  /** A decision that never reached Cedar (incomplete, or its bundle missing or mismatched). */
  addUnreplayable(reading: Extract<DecisionReading, { ok: false }>): void {
    this.decisions++;
    this.pushNotReplayable(reading.seq, reading.index, reading.decision_id, reading.agent, reading.policy, reading.reason, reading.message);
  }

  /**
   * A complete decision. `pinnedFailure` is set when its bundle was missing or
   * mismatched (the what-if may still have evaluated it).
   */
  addDecision(reading: Extract<DecisionReading, { ok: true }>, result: TaskResult, pinnedFailure: { reason: NotReplayableReason; message: string } | null): void {
    const d = reading.decision;
    this.decisions++;
    let baseline: DecisionOutcome = d.recorded;
    if (pinnedFailure) {
      this.pushNotReplayable(d.seq, d.index, d.decision_id, d.agent, d.policy, pinnedFailure.reason, pinnedFailure.message);
    } else if (result.pinned.status === 'match') {
      this.matched++;
    } else if (result.pinned.status === 'diverged') {
      baseline = result.pinned.replayed;
      this.divergences.push({
        seq: d.seq,
        index: d.index,
        decision_id: d.decision_id,
        request_id: d.request_id,
        agent: d.agent,
        policy: d.policy,
        fields: result.pinned.fields,
      });
    } else if (result.pinned.status === 'error' && result.pinned.engineFailure) {
      this.pushNotReplayable(d.seq, d.index, d.decision_id, d.agent, d.policy, 'engine-failure', `${eventRef(d.seq, d.line)}: ${result.pinned.message}`);
    } else if (result.pinned.status === 'error') {
      this.pushNotReplayable(d.seq, d.index, d.decision_id, d.agent, d.policy, 'evaluation-error', `Cedar refused the recorded request: ${result.pinned.message}`);
    }
    const w = this.whatIf;
    if (w && result.whatIf) {
      if (!result.whatIf.ok) {
        w.errors++;
        return;
      }
      w.evaluated++;
      const after = result.whatIf.outcome;
      const before = { effect: baseline.effect, determining: sortedIds(baseline.determining) };
      if (sameOutcome(before, after)) return;
      w.changed++;
      w.changes.push({ seq: d.seq, index: d.index, decision_id: d.decision_id, before, after });
      const transition = `${before.effect}->${after.effect}`;
      w.by_transition[transition] = (w.by_transition[transition] ?? 0) + 1;
      for (const id of changedPolicyIds(before, after)) w.by_policy[id] = (w.by_policy[id] ?? 0) + 1;
    }
  }

  private pushNotReplayable(seq: number, index: number, decision_id: string, agent: string, policy: PolicyRef | null, reason: NotReplayableReason, message: string): void {
    this.notReplayable.push({ seq, index, decision_id, agent, policy, reason, message });
  }

  build(meta: { exportSha256: string | null; events: number; unreadableLines?: number[]; bundles: PolicyRef[]; sequenceFindings: SequenceFinding[] }): ReplayReport {
    const byReason: Record<string, number> = {};
    for (const n of this.notReplayable) byReason[n.reason] = (byReason[n.reason] ?? 0) + 1;
    const byKind: Record<string, number> = {};
    for (const f of meta.sequenceFindings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const counts = { not_replayable_by_reason: byReason, sequence_findings_by_kind: byKind };
    const report: Omit<ReplayReport, 'conduct'> = {
      format: REPORT_FORMAT,
      export_sha256: meta.exportSha256,
      events: meta.events,
      unreadable_lines: meta.unreadableLines ?? [],
      bundles: meta.bundles,
      decisions: this.decisions,
      matched: this.matched,
      diverged: this.divergences.length,
      not_replayable: this.notReplayable.length,
      divergences: this.divergences,
      not_replayable_decisions: this.notReplayable,
      sequence_findings: meta.sequenceFindings,
      counts,
      what_if: this.whatIf,
    };
    return { ...report, conduct: conductOf({ ...report, sequence_findings: meta.sequenceFindings }) };
  }
}

/** The policy ids a what-if change is charged to (its `by_policy` keys): each that became or stopped being determining. */
export function changedPolicyIds(before: DecisionOutcome, after: DecisionOutcome): string[] {
  const gained = after.determining.filter((id) => !before.determining.includes(id));
  const lost = before.determining.filter((id) => !after.determining.includes(id));
  const ids = [...gained, ...lost];
  // An effect change with the same determining ids (e.g. an @approval added) is charged to those ids.
  if (ids.length === 0) ids.push(...(after.determining.length > 0 ? after.determining : [NO_DETERMINING_POLICY]));
  return ids;
}

const NO_DETERMINING_POLICY = '(no determining policy)';

/** `sha256Hex` hashes UTF-8 text (injected, as elsewhere in the shared layer). */
export function canonicalReport(report: ReplayReport, sha256Hex: (text: string) => string): { text: string; sha256: string } {
  const text = canonicalize(report);
  return { text, sha256: sha256Hex(text) };
}

/** 0 every decision matched and no workflow violation (warnings do not fail); 1 otherwise (not-replayable decisions count as not matched). */
export function replayExitCode(report: ReplayReport): 0 | 1 {
  return report.matched === report.decisions && report.sequence_findings.every((f) => f.severity === 'warning') ? 0 : 1;
}
