/**
 * Workflow checks over the whole event stream, in file order. A correct
 * decision does not make a correct workflow: these look at what was executed
 * against what was decided, approved, authorized, switched off or restricted
 * before it. The rules are documented in docs/replay.md; the recorded outcomes
 * (what the runtime saw) are what an execution is held to.
 *
 * One compact record per request_id holds everything the rules read, so
 * memory grows with requests, not with the checks.
 */
import { canonicalize, CanonicalizationError } from '../json/canonical';
import type { Effect, FindingSeverity, ReplayEvent, SequenceFinding, SequenceFindingKind } from './types';

/** An agent in this ring or above is suspended: nothing may be executed for it. */
export const SUSPENDED_RING = 3;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** RFC 3339 UTC as the spec writes times; anything else does not parse (and fails closed). */
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
function utcMillis(v: string | null | undefined): number | null {
  if (typeof v !== 'string' || !UTC_TIME.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

let unreadableArgs = 0;
/**
 * Canonical bytes (RFC 8785) are what "equal arguments" means in the spec; null when args are absent.
 * Args that cannot be canonicalized (nested too deep: verification already calls the line malformed)
 * fail closed: they get a text of their own that equals no other arguments.
 */
function canonArgs(v: unknown): string | null {
  if (v === undefined) return null;
  try {
    return canonicalize(v);
  } catch (err) {
    if (!(err instanceof CanonicalizationError)) throw err;
    return `\u0000unreadable arguments #${++unreadableArgs}`;
  }
}

/**
 * A projection the checker cannot judge alone: the service evaluates the
 * decision's request, with `context` replaced by the projected args, on the
 * pinned bundle, and reports back with `projectionJudged`.
 */
export interface ProjectionCheck {
  /** Position of the action.projected event among the events (its key). */
  index: number;
  seq: number;
  line: number | null;
  request_id: string;
  decision_id: string | null;
  agent: string;
  /** The decision the projection names, as recorded (null when it is not the request's latest decision). */
  decision: { seq: number; request: unknown; policy: unknown } | null;
  args: unknown;
}

interface RequestState {
  requester: string | null;
  principal: string | null;
  effect: Effect | null;
  decisionSeq: number;
  decisionId: string | null;
  /** The latest decision's request and pin, kept only until the request has executed (a projection needs them). */
  decisionRequest: unknown;
  decisionPolicy: unknown;
  approvedSeq: number;
  expiresAt: string | null;
  approvalId: string | null;
  /** Canonical text of the authorized arguments and the event they come from. */
  authorizedArgs: string | null;
  authorizedSeq: number;
  authorizedByProjection: boolean;
  /** The latest projection made after the latest decision: its position, and its args' canonical text. */
  projectionIndex: number;
  projectionSeq: number;
  executedSeq: number;
}

function newState(): RequestState {
  return {
    requester: null,
    principal: null,
    effect: null,
    decisionSeq: -1,
    decisionId: null,
    decisionRequest: undefined,
    decisionPolicy: undefined,
    approvedSeq: -1,
    expiresAt: null,
    approvalId: null,
    authorizedArgs: null,
    authorizedSeq: -1,
    authorizedByProjection: false,
    projectionIndex: -1,
    projectionSeq: -1,
    executedSeq: -1,
  };
}

/** An engaged kill switch, and the finding it raised when it did not stop the agent. */
interface Kill {
  seq: number;
  ineffective: SequenceFinding | null;
}

export class SequenceChecker {
  private readonly requests = new Map<string, RequestState>();
  private globalKill: Kill | null = null;
  private readonly agentKill = new Map<string, Kill>();
  private readonly rings = new Map<string, { ring: number; seq: number }>();
  private readonly out: SequenceFinding[] = [];
  /** Findings that stand only if the projection at that index turns out not admissible. */
  private readonly unlessAdmissible = new Map<number, SequenceFinding[]>();
  private readonly judged = new Map<number, SequenceFinding | null>();

  /** Called with every projection to evaluate (replay-service sends it to Cedar). */
  constructor(private readonly onProjection: (check: ProjectionCheck) => void = () => {}) {}

  private state(rid: string): RequestState {
    let s = this.requests.get(rid);
    if (!s) {
      s = newState();
      this.requests.set(rid, s);
    }
    return s;
  }

  push(event: ReplayEvent): void {
    const d = event.data;
    const rid = str(d.request_id);
    switch (event.kind) {
      case 'action.requested': {
        if (rid === null) return;
        const s = this.state(rid);
        if (event.actor.type === 'agent') s.requester = event.actor.id;
        if (d.args !== undefined && !s.authorizedByProjection) {
          s.authorizedArgs = canonArgs(d.args);
          s.authorizedSeq = event.seq;
        }
        return;
      }
      case 'policy.decision': {
        if (rid === null) return;
        const s = this.state(rid);
        const outcome = d.outcome as { effect?: unknown } | undefined;
        const effect = outcome && typeof outcome === 'object' ? outcome.effect : undefined;
        if (effect === 'allow' || effect === 'deny' || effect === 'require_approval') {
          s.effect = effect;
          s.decisionSeq = event.seq;
          s.decisionId = str(d.decision_id);
          s.decisionRequest = d.request;
          s.decisionPolicy = d.policy;
          // A projection answers one decision; a new decision starts afresh.
          s.projectionIndex = -1;
          s.projectionSeq = -1;
        }
        const principal = (d.request as { principal?: { id?: unknown } } | undefined)?.principal?.id;
        if (typeof principal === 'string') {
          s.principal = principal;
          if (s.requester === null) s.requester = principal;
        }
        return;
      }
      case 'action.projected':
        this.projected(event, rid);
        return;
      case 'approval.granted':
        if (rid !== null) this.granted(event, rid);
        return;
      case 'approval.denied':
        if (rid !== null) {
          const s = this.state(rid);
          s.approvedSeq = -1;
          s.expiresAt = null;
          s.approvalId = null;
        }
        return;
      case 'killswitch.engaged':
        this.engaged(event);
        return;
      case 'killswitch.released': {
        const scope = str(d.scope);
        const kill = scope === 'global' ? this.globalKill : scope !== null ? this.agentKill.get(scope) : undefined;
        if (kill?.ineffective) kill.ineffective.related_seqs.push(event.seq);
        if (scope === 'global') this.globalKill = null;
        else if (scope !== null) this.agentKill.delete(scope);
        return;
      }
      case 'ring.changed': {
        const agent = str(d.agent_id);
        if (agent !== null && typeof d.ring === 'number' && Number.isInteger(d.ring)) this.rings.set(agent, { ring: d.ring, seq: event.seq });
        return;
      }
      case 'action.executed':
        this.checkExecution(event, rid);
        return;
      default:
        return;
    }
  }

  private add(event: ReplayEvent, kind: SequenceFindingKind, rid: string | null, agent: string, message: string, related: number[], severity: FindingSeverity = 'violation'): SequenceFinding {
    const f: SequenceFinding = { kind, severity, seq: event.seq, index: event.index, request_id: rid, agent, message, related_seqs: related.filter((s) => s >= 0) };
    this.out.push(f);
    return f;
  }

  private projected(event: ReplayEvent, rid: string | null): void {
    const d = event.data;
    const agent = event.actor.id;
    if (rid === null) {
      this.add(event, 'projection-not-admissible', null, agent, 'a projection without a request_id cannot be tied to a decision, so it cannot be shown admissible', []);
      return;
    }
    const s = this.state(rid);
    const decisionId = str(d.decision_id);
    const names = decisionId !== null && decisionId === s.decisionId && s.decisionRequest !== undefined;
    this.onProjection({
      index: event.index,
      seq: event.seq,
      line: event.line,
      request_id: rid,
      decision_id: decisionId,
      agent: s.requester ?? agent,
      decision: names ? { seq: s.decisionSeq, request: s.decisionRequest, policy: s.decisionPolicy } : null,
      args: d.args,
    });
    s.authorizedArgs = canonArgs(d.args);
    s.authorizedSeq = event.seq;
    s.authorizedByProjection = true;
    if (names) {
      s.projectionIndex = event.index;
      s.projectionSeq = event.seq;
    }
  }

  /**
   * The service's verdict on a projection: `problem` null when the pinned
   * bundle allows the projected request, else a sentence saying why not.
   */
  projectionJudged(check: ProjectionCheck, problem: string | null): void {
    if (problem === null) {
      this.judged.set(check.index, null);
      return;
    }
    const related = check.decision ? [check.decision.seq] : [];
    const f: SequenceFinding = {
      kind: 'projection-not-admissible',
      severity: 'violation',
      seq: check.seq,
      index: check.index,
      request_id: check.request_id,
      agent: check.agent,
      message: `request ${check.request_id}: the arguments governance projected it onto are not admissible: ${problem}`,
      related_seqs: related,
    };
    this.judged.set(check.index, f);
  }

  private granted(event: ReplayEvent, rid: string): void {
    const d = event.data;
    const s = this.state(rid);
    s.approvedSeq = event.seq;
    s.expiresAt = d.expires_at === undefined ? null : String(d.expires_at);
    s.approvalId = str(d.approval_id);
    const approver = str(d.approver);
    const principal = s.principal ?? s.requester;
    const agent = s.requester ?? principal ?? event.actor.id;
    const related = [s.decisionSeq >= 0 ? s.decisionSeq : s.authorizedSeq];
    const what = `request ${rid}${s.approvalId ? ` (approval ${s.approvalId})` : ''}`;
    if (event.actor.type === 'agent') {
      this.add(event, 'self-approval', rid, agent, `${what} was approved by agent ${event.actor.id}; an approval must come from a human or system reviewer, not an agent`, related);
    } else if (approver !== null && principal !== null && approver === principal) {
      this.add(event, 'self-approval', rid, agent, `${what} was approved by ${approver}, who is the request's own principal; the approver is not independent`, related);
    }
  }

  private engaged(event: ReplayEvent): void {
    const scope = str(event.data.scope);
    if (scope === null) return;
    let ineffective: SequenceFinding | null = null;
    if (event.data.terminated === false) {
      const whom = scope === 'global' ? 'every agent' : scope;
      ineffective = this.add(
        event,
        'killswitch-ineffective',
        null,
        scope === 'global' ? event.actor.id : scope,
        `the kill switch for ${whom} was engaged, but the runtime recorded that it did not stop ${scope === 'global' ? 'the agents' : 'the agent'} (terminated: false)`,
        [],
        'warning',
      );
    }
    const kill = { seq: event.seq, ineffective };
    if (scope === 'global') this.globalKill = kill;
    else this.agentKill.set(scope, kill);
  }

  private checkExecution(event: ReplayEvent, rid: string | null): void {
    const s = rid !== null ? this.requests.get(rid) : undefined;
    const agent = event.actor.type === 'agent' ? event.actor.id : (s?.requester ?? event.actor.id);
    const what = rid !== null ? `request ${rid}` : 'an action without a request_id';
    const add = (kind: SequenceFindingKind, message: string, related: number[]) => this.add(event, kind, rid, agent, message, related);
    const executedArgs = canonArgs(event.data.args);
    const effect = s?.effect ?? null;
    // An execution with the arguments of an admissible projection made after the decision is held to that projection, not to the decision.
    const onProjection = s !== undefined && s.projectionIndex >= 0 && (executedArgs === null || executedArgs === s.authorizedArgs);
    const conditional = (f: SequenceFinding) => {
      if (!onProjection) return;
      this.out.pop();
      const list = this.unlessAdmissible.get(s!.projectionIndex) ?? [];
      f.message += ` (it used the arguments projected at seq ${s!.projectionSeq}, which were not shown to be admissible)`;
      f.related_seqs.push(s!.projectionSeq);
      list.push(f);
      this.unlessAdmissible.set(s!.projectionIndex, list);
    };
    if (s === undefined || effect === null) {
      add('executed-without-decision', `${what} was executed for ${agent} with no policy decision recorded before it`, s && s.authorizedSeq >= 0 ? [s.authorizedSeq] : []);
    } else if (effect === 'deny') {
      conditional(add('executed-after-deny', `${what} was executed for ${agent} although its policy decision was deny`, [s.decisionSeq]));
    } else if (effect === 'require_approval' && s.approvedSeq < 0) {
      conditional(add('executed-without-approval', `${what} was executed for ${agent}; its decision required approval and no approval was granted before it`, [s.decisionSeq]));
    }
    if (s !== undefined) this.conductOfExecution(event, s, rid!, executedArgs, add);
    const global = this.globalKill;
    if (global !== null) {
      add('action-after-killswitch', `${what} was executed for ${agent} while the global kill switch engaged at seq ${global.seq} was not released`, [global.seq]);
      global.ineffective?.related_seqs.push(event.seq);
    }
    const agentKill = this.agentKill.get(agent);
    if (agentKill !== undefined) {
      add('action-after-killswitch', `${what} was executed for ${agent} while the kill switch for ${agent} engaged at seq ${agentKill.seq} was not released`, [agentKill.seq]);
      agentKill.ineffective?.related_seqs.push(event.seq);
    }
    const ring = this.rings.get(agent);
    if (ring !== undefined && ring.ring >= SUSPENDED_RING) {
      add('ring-forbids-action', `${what} was executed for ${agent} while it was in ring ${ring.ring} (set at seq ${ring.seq}); agents in ring ${SUSPENDED_RING} or above may not execute actions`, [
        ring.seq,
      ]);
    }
  }

  private conductOfExecution(
    event: ReplayEvent,
    s: RequestState,
    rid: string,
    executedArgs: string | null,
    add: (kind: SequenceFindingKind, message: string, related: number[]) => SequenceFinding,
  ): void {
    const what = `request ${rid}`;
    if (s.executedSeq >= 0) {
      add('duplicate-execution', `${what} was executed a second time (first at seq ${s.executedSeq}); one authorization covers one execution`, [s.executedSeq, s.approvedSeq]);
    }
    if (executedArgs !== null && s.authorizedArgs !== null && executedArgs !== s.authorizedArgs) {
      const from = s.authorizedByProjection ? 'projected' : 'requested';
      add('executed-differs', `${what} was executed with arguments that differ from the ${from} arguments at seq ${s.authorizedSeq}: what was executed is not what was authorized`, [s.authorizedSeq]);
    }
    if (s.approvedSeq >= 0 && s.expiresAt !== null) {
      const expires = utcMillis(s.expiresAt);
      const at = utcMillis(event.ts);
      const approval = s.approvalId ? `approval ${s.approvalId}` : `the approval at seq ${s.approvedSeq}`;
      if (expires === null) {
        add('approval-expired', `${what} was executed relying on ${approval}, whose expires_at ${JSON.stringify(s.expiresAt)} is not an RFC 3339 UTC time, so it cannot be shown to be still valid`, [
          s.approvedSeq,
        ]);
      } else if (at === null) {
        add(
          'approval-expired',
          `${what} was executed relying on ${approval}, which expires at ${s.expiresAt}, but the execution's ts ${JSON.stringify(event.ts ?? null)} is not an RFC 3339 UTC time, so it cannot be shown to come before the expiry`,
          [s.approvedSeq],
        );
      } else if (at > expires) {
        add('approval-expired', `${what} was executed at ${event.ts}, after ${approval} expired at ${s.expiresAt}`, [s.approvedSeq]);
      }
    }
    if (s.executedSeq < 0) s.executedSeq = event.seq;
    // A projection needs the decision's request; once executed, a request keeps only what later executions are held to.
    s.decisionRequest = undefined;
    s.decisionPolicy = undefined;
  }

  /** Every finding in file order; call after every projection was judged. */
  findings(): SequenceFinding[] {
    const all = [...this.out];
    for (const [index, f] of this.judged) {
      if (f !== null) all.push(f);
      if (f !== null) all.push(...(this.unlessAdmissible.get(index) ?? []));
    }
    // Projections never judged (no evaluator given) cannot excuse an execution.
    for (const [index, list] of this.unlessAdmissible) if (!this.judged.has(index)) all.push(...list);
    for (const f of all) f.related_seqs = [...new Set(f.related_seqs)].sort((a, b) => a - b);
    // Stable: findings of one event keep the order they were raised in.
    return all
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.index - b.f.index || a.i - b.i)
      .map((x) => x.f);
  }
}

export function checkSequence(events: Iterable<ReplayEvent>, judge?: (check: ProjectionCheck) => string | null): SequenceFinding[] {
  const checks: ProjectionCheck[] = [];
  const checker = new SequenceChecker((c) => checks.push(c));
  for (const e of events) checker.push(e);
  if (judge) for (const c of checks) checker.projectionJudged(c, judge(c));
  return checker.findings();
}
