/**
 * The third answer: did the agents behave? Divergences between what was
 * recorded and what the pinned policy decides, and workflow findings
 * (executed after a deny, without approval, after a kill switch …). A
 * headline of its own, never folded under the record's integrity.
 */
import { stretchOf, type ConductAnswer, type Stretch } from '../verify/answers';

interface ReplayCounts {
  decisions: number;
  matched: number;
  diverged: number;
  not_replayable: number;
  divergences: readonly { seq: number }[];
  sequence_findings: readonly { severity?: string }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Conduct from a replay report. `unproven` (from verification) marks the divergences that lie in
 * a stretch that cannot be proven: likely edits of the record rather than policy changes.
 * Without it (replay alone), likely_edits is null: replay does not check the chain.
 */
export function conductOf(report: ReplayCounts, unproven: readonly Stretch[] | null = null): ConductAnswer {
  // A warning (killswitch-ineffective) is reported, never counted as a violation.
  const warnings = report.sequence_findings.filter((f) => f.severity === 'warning').length;
  const sequence = report.sequence_findings.length - warnings;
  const warned = warnings ? `; ${plural(warnings, 'warning')}` : '';
  const likely = unproven ? report.divergences.filter((d) => stretchOf(unproven, d.seq) !== null).length : null;
  const base = {
    decisions: report.decisions,
    matched: report.matched,
    diverged: report.diverged,
    not_replayable: report.not_replayable,
    sequence_findings: sequence,
    sequence_warnings: warnings,
    likely_edits: likely,
  };
  if (report.diverged > 0 || sequence > 0) {
    const parts: string[] = [];
    if (report.diverged) parts.push(plural(report.diverged, 'divergence'));
    if (sequence) parts.push(plural(sequence, 'workflow violation'));
    if (warnings) parts.push(plural(warnings, 'warning'));
    if (report.not_replayable) parts.push(`${plural(report.not_replayable, 'decision')} not replayable`);
    const edits = likely ? ` (${likely === 1 ? '1 of the divergences lies' : `${likely} of the divergences lie`} where the record cannot be proven: likely edits, not policy decisions)` : '';
    return { status: 'violations', reason: null, ...base, sentence: `${parts.join(', ')}${edits}.` };
  }
  if (report.decisions === 0) {
    return { status: 'not-run', reason: 'The export records no policy decisions to replay.', ...base, sentence: `No policy decisions to replay; no workflow violation found${warned}.` };
  }
  if (report.not_replayable > 0) {
    return {
      status: 'not-run',
      reason: `${report.not_replayable} of ${report.decisions} decisions could not be replayed, so conduct was not checked in full.`,
      ...base,
      sentence: `${report.matched} of ${report.decisions} decisions match the pinned policy; ${plural(report.not_replayable, 'decision')} could not be replayed. No workflow violation found${warned}.`,
    };
  }
  return { status: 'clean', reason: null, ...base, sentence: `All ${report.decisions} decisions match the pinned policy, and no workflow violation was found${warned}.` };
}

/** Conduct when replay did not run, with the reason in words. */
export function conductNotRun(reason: string): ConductAnswer {
  return { status: 'not-run', reason, decisions: 0, matched: 0, diverged: 0, not_replayable: 0, sequence_findings: 0, sequence_warnings: 0, likely_edits: null, sentence: reason };
}
