/**
 * The replay domain: recorded decisions, what a pinned bundle says about them,
 * and the report. Pure types; the Cedar engine sits behind `DecisionEvaluator`.
 */
import type { ConductAnswer } from '../verify/answers';

export type Effect = 'allow' | 'deny' | 'require_approval';

export interface DecisionOutcome {
  effect: Effect;
  /** `@id` annotations of the policies that determined the decision, sorted. */
  determining: string[];
}

export interface PolicyRef {
  name: string;
  version: string;
  digest: string;
}

export interface EntityUidJson {
  type: string;
  id: string;
}

/** A Cedar authorization request as the export records it. */
export interface CedarRequest {
  principal: EntityUidJson;
  action: EntityUidJson;
  resource: EntityUidJson;
  context: Record<string, unknown>;
  entities?: unknown[];
}

/** What Cedar itself answers, before the spec's effect derivation. */
export interface CedarAnswer {
  decision: 'allow' | 'deny';
  /** Policy ids (our `@id`s) from `diagnostics.reason`. */
  reason: string[];
  /** Policy evaluation errors Cedar reports (a policy that errored is skipped by Cedar). */
  errors: string[];
}

/**
 * The engine boundary: one compiled bundle that answers requests. The Node
 * implementation wraps cedar-wasm's preparsed policy sets; tests may fake it.
 * Implementations MUST be pure functions of the request (no clock, no I/O).
 */
export interface DecisionEvaluator {
  readonly digest: string;
  /** Policy ids carrying `@approval("required")`. */
  readonly approvalPolicies: ReadonlySet<string>;
  /** Throws `EvaluationError` when Cedar refuses the request. */
  authorize(request: CedarRequest): CedarAnswer;
}

export class EvaluationError extends Error {
  constructor(
    message: string,
    /** The engine itself failed (threw or trapped), rather than refusing the request. */
    readonly engineFailure = false,
  ) {
    super(message);
  }
}

/** One event of the stream, reduced to what replay and the sequence checks read. */
export interface ReplayEvent {
  /** 0-based position among the events of the file. */
  index: number;
  seq: number;
  /** 1-based line of the file, when known. */
  line: number | null;
  kind: string;
  actor: { type: string; id: string };
  data: Record<string, unknown>;
  /** The event's `ts` as recorded (read by the approval-expiry check); absent when not known. */
  ts?: string;
}

export type NotReplayableReason = 'bundle-missing' | 'pinned-digest-mismatch' | 'request-incomplete' | 'decision-incomplete' | 'evaluation-error' | 'request-over-limit' | 'engine-failure';

export interface FieldDifference {
  field: 'effect' | 'determining';
  recorded: unknown;
  replayed: unknown;
}

export interface DivergenceEntry {
  seq: number;
  index: number;
  decision_id: string;
  request_id: string | null;
  agent: string;
  policy: PolicyRef;
  fields: FieldDifference[];
}

export interface NotReplayableEntry {
  seq: number;
  index: number;
  decision_id: string;
  agent: string;
  /** The pin the decision recorded; null when it recorded none. */
  policy: PolicyRef | null;
  reason: NotReplayableReason;
  message: string;
}

export type SequenceFindingKind =
  | 'executed-after-deny'
  | 'executed-without-approval'
  | 'action-after-killswitch'
  | 'ring-forbids-action'
  | 'executed-without-decision'
  // Conduct records (spec: "Conduct records"): what was executed against what was authorized.
  | 'executed-differs'
  | 'projection-not-admissible'
  | 'self-approval'
  | 'approval-expired'
  | 'duplicate-execution'
  | 'killswitch-ineffective';

/** A violation breaks a workflow rule; a warning is worth a look but is not counted as a violation. */
export type FindingSeverity = 'violation' | 'warning';

export interface SequenceFinding {
  kind: SequenceFindingKind;
  severity: FindingSeverity;
  seq: number;
  index: number;
  request_id: string | null;
  agent: string;
  message: string;
  /** The other events the finding rests on (the decision, the approval, the projection, …), ascending. */
  related_seqs: number[];
}

export interface WhatIfChange {
  seq: number;
  index: number;
  decision_id: string;
  before: DecisionOutcome;
  after: DecisionOutcome;
}

export interface WhatIfSection {
  against: PolicyRef;
  /** Decisions that could be evaluated against the other bundle. */
  evaluated: number;
  changed: number;
  /** Decisions whose request the other bundle refused (evaluation error). */
  errors: number;
  /** How many changed decisions each policy id took part in (gained or lost as determining). */
  by_policy: Record<string, number>;
  /** Transitions such as "allow->deny", counted. */
  by_transition: Record<string, number>;
  changes: WhatIfChange[];
}

export interface ReplayReport {
  format: 'audit-replay/replay-report/1';
  /** SHA-256 of the export file bytes, when replay read a file. */
  export_sha256: string | null;
  events: number;
  /** 1-based lines replay could not read as events (not JSON, or no seq/kind/actor/data); never skipped silently. */
  unreadable_lines: number[];
  bundles: PolicyRef[];
  decisions: number;
  matched: number;
  diverged: number;
  not_replayable: number;
  divergences: DivergenceEntry[];
  not_replayable_decisions: NotReplayableEntry[];
  sequence_findings: SequenceFinding[];
  /** Counts by not-replayable reason and by sequence finding kind. */
  counts: { not_replayable_by_reason: Record<string, number>; sequence_findings_by_kind: Record<string, number> };
  what_if: WhatIfSection | null;
  /** Did the agents behave: divergences and workflow findings as one answer (replay alone does not know likely edits). */
  conduct: ConductAnswer;
}
