/**
 * Workflow checks over the whole event stream, in file order. A correct
 * decision does not make a correct workflow: these look at what was executed
 * against what was decided, approved, switched off or restricted before it.
 * The rules are documented in docs/replay.md; the recorded outcomes (what the
 * runtime saw) are what an execution is held to.
 */
import type { Effect, ReplayEvent, SequenceFinding, SequenceFindingKind } from './types';

/** An agent in this ring or above is suspended: nothing may be executed for it. */
export const SUSPENDED_RING = 3;

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export class SequenceChecker {
  private readonly decided = new Map<string, Effect>();
  private readonly approved = new Set<string>();
  private readonly requester = new Map<string, string>();
  private globalKill: number | null = null;
  private readonly agentKill = new Map<string, number>();
  private readonly rings = new Map<string, { ring: number; seq: number }>();
  private readonly out: SequenceFinding[] = [];

  push(event: ReplayEvent): void {
    const d = event.data;
    const rid = str(d.request_id);
    switch (event.kind) {
      case 'action.requested':
        if (rid !== null && event.actor.type === 'agent') this.requester.set(rid, event.actor.id);
        return;
      case 'policy.decision': {
        const outcome = d.outcome as { effect?: unknown } | undefined;
        const effect = outcome && typeof outcome === 'object' ? outcome.effect : undefined;
        if (rid !== null && (effect === 'allow' || effect === 'deny' || effect === 'require_approval')) this.decided.set(rid, effect);
        const principal = (d.request as { principal?: { id?: unknown } } | undefined)?.principal?.id;
        if (rid !== null && typeof principal === 'string' && !this.requester.has(rid)) this.requester.set(rid, principal);
        return;
      }
      case 'approval.granted':
        if (rid !== null) this.approved.add(rid);
        return;
      case 'approval.denied':
        if (rid !== null) this.approved.delete(rid);
        return;
      case 'killswitch.engaged': {
        const scope = str(d.scope);
        if (scope === 'global') this.globalKill = event.seq;
        else if (scope !== null) this.agentKill.set(scope, event.seq);
        return;
      }
      case 'killswitch.released': {
        const scope = str(d.scope);
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

  private checkExecution(event: ReplayEvent, rid: string | null): void {
    const agent = event.actor.type === 'agent' ? event.actor.id : ((rid !== null ? this.requester.get(rid) : undefined) ?? event.actor.id);
    const add = (kind: SequenceFindingKind, message: string) =>
      this.out.push({ kind, seq: event.seq, index: event.index, request_id: rid, agent, message });
    const what = rid !== null ? `request ${rid}` : 'an action without a request_id';
    const effect = rid !== null ? this.decided.get(rid) : undefined;
    if (effect === undefined) {
      add('executed-without-decision', `${what} was executed for ${agent} with no policy decision recorded before it`);
    } else if (effect === 'deny') {
      add('executed-after-deny', `${what} was executed for ${agent} although its policy decision was deny`);
    } else if (effect === 'require_approval' && !this.approved.has(rid!)) {
      add('executed-without-approval', `${what} was executed for ${agent}; its decision required approval and no approval was granted before it`);
    }
    if (this.globalKill !== null) {
      add('action-after-killswitch', `${what} was executed for ${agent} while the global kill switch engaged at seq ${this.globalKill} was not released`);
    }
    const agentKill = this.agentKill.get(agent);
    if (agentKill !== undefined) {
      add('action-after-killswitch', `${what} was executed for ${agent} while the kill switch for ${agent} engaged at seq ${agentKill} was not released`);
    }
    const ring = this.rings.get(agent);
    if (ring !== undefined && ring.ring >= SUSPENDED_RING) {
      add('ring-forbids-action', `${what} was executed for ${agent} while it was in ring ${ring.ring} (set at seq ${ring.seq}); agents in ring ${SUSPENDED_RING} or above may not execute actions`);
    }
  }

  findings(): SequenceFinding[] {
    return this.out;
  }
}

export function checkSequence(events: Iterable<ReplayEvent>): SequenceFinding[] {
  const checker = new SequenceChecker();
  for (const e of events) checker.push(e);
  return checker.findings();
}
