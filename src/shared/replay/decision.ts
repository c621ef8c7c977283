/**
 * Reading a `policy.decision` event and finding the bundle it was pinned to.
 * A bundle with the same name and version but another digest is never used:
 * that is the `pinned-digest-mismatch` finding.
 */
import { isEffect } from './outcome';
import { REQUEST_LIMITS, requestOverLimit, type RequestLimits } from './request-limits';
import type { CedarRequest, DecisionOutcome, NotReplayableReason, PolicyRef, ReplayEvent } from './types';

export interface RecordedDecision {
  seq: number;
  index: number;
  /** 1-based line of the file, when known. */
  line: number | null;
  decision_id: string;
  request_id: string | null;
  agent: string;
  policy: PolicyRef;
  request: CedarRequest;
  recorded: DecisionOutcome;
}

export type DecisionReading =
  { ok: true; decision: RecordedDecision } | { ok: false; seq: number; index: number; decision_id: string; agent: string; policy: PolicyRef | null; reason: NotReplayableReason; message: string };

/** "Event 12 (line 14)", or "Event 12" when the line is not known. */
export function eventRef(seq: number, line: number | null): string {
  return line === null ? `Event ${seq}` : `Event ${seq} (line ${line})`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUid(v: unknown): v is { type: string; id: string } {
  return isObject(v) && typeof v.type === 'string' && typeof v.id === 'string' && v.type !== '';
}

/** `limits`: the caps on what one request may hand to Cedar (request-limits.ts); checked here, before any evaluation. */
export function readDecision(event: ReplayEvent, limits: Readonly<RequestLimits> = REQUEST_LIMITS): DecisionReading {
  const d = event.data;
  const decision_id = typeof d.decision_id === 'string' ? d.decision_id : `seq:${event.seq}`;
  const agentFromActor = event.actor.id;
  const policy = d.policy;
  const pin =
    isObject(policy) && typeof policy.name === 'string' && typeof policy.version === 'string' && typeof policy.digest === 'string'
      ? { name: policy.name, version: policy.version, digest: policy.digest }
      : null;
  const fail = (reason: NotReplayableReason, message: string): DecisionReading => ({
    ok: false,
    seq: event.seq,
    index: event.index,
    decision_id,
    agent: agentFromActor,
    policy: pin,
    reason,
    message,
  });
  if (pin === null) return fail('decision-incomplete', 'the decision does not name its policy as {name, version, digest}');
  const outcome = d.outcome;
  if (!isObject(outcome) || !isEffect(outcome.effect) || !Array.isArray(outcome.determining) || !outcome.determining.every((x) => typeof x === 'string')) {
    return fail('decision-incomplete', 'the decision does not record an outcome {effect, determining}');
  }
  const request = d.request;
  if (!isObject(request)) return fail('request-incomplete', 'the decision does not record the Cedar request');
  const missing: string[] = [];
  for (const part of ['principal', 'action', 'resource'] as const) if (!isUid(request[part])) missing.push(part);
  if (!isObject(request.context)) missing.push('context');
  if (request.entities !== undefined && !Array.isArray(request.entities)) missing.push('entities (not a list)');
  if (missing.length > 0) return fail('request-incomplete', `the recorded request lacks ${missing.join(', ')}`);
  const principal = request.principal as { type: string; id: string };
  const cedarRequest: CedarRequest = {
    principal: { type: principal.type, id: principal.id },
    action: { type: (request.action as { type: string }).type, id: (request.action as { id: string }).id },
    resource: { type: (request.resource as { type: string }).type, id: (request.resource as { id: string }).id },
    context: request.context as Record<string, unknown>,
  };
  if (Array.isArray(request.entities)) cedarRequest.entities = request.entities;
  const over = requestOverLimit(cedarRequest, limits);
  if (over) return fail('request-over-limit', `${eventRef(event.seq, event.line)}: ${over}; it was not given to Cedar`);
  return {
    ok: true,
    decision: {
      seq: event.seq,
      index: event.index,
      line: event.line,
      decision_id,
      request_id: typeof d.request_id === 'string' ? d.request_id : null,
      agent: event.actor.type === 'agent' ? event.actor.id : principal.id,
      policy: pin,
      request: cedarRequest,
      recorded: { effect: outcome.effect, determining: outcome.determining as string[] },
    },
  };
}

/** Bundles known to a replay, looked up by digest (the pin) and by name@version (to detect a mismatch). */
export class BundleIndex {
  private readonly byDigest = new Map<string, PolicyRef>();
  private readonly byNameVersion = new Map<string, PolicyRef[]>();

  constructor(bundles: readonly PolicyRef[]) {
    for (const b of bundles) {
      this.byDigest.set(b.digest, b);
      const key = `${b.name}@${b.version}`;
      const list = this.byNameVersion.get(key) ?? [];
      list.push(b);
      this.byNameVersion.set(key, list);
    }
  }

  get all(): PolicyRef[] {
    return [...this.byDigest.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  }

  resolve(pin: PolicyRef): { ok: true; bundle: PolicyRef } | { ok: false; reason: NotReplayableReason; message: string } {
    const exact = this.byDigest.get(pin.digest);
    if (exact) return { ok: true, bundle: exact };
    const sameName = this.byNameVersion.get(`${pin.name}@${pin.version}`);
    if (sameName && sameName.length > 0) {
      return {
        ok: false,
        reason: 'pinned-digest-mismatch',
        message: `the decision is pinned to ${pin.name}@${pin.version} with digest ${pin.digest}, but the bundle ${pin.name}@${pin.version} supplied has digest ${sameName.map((b) => b.digest).join(', ')}; it was not used`,
      };
    }
    return { ok: false, reason: 'bundle-missing', message: `no bundle with digest ${pin.digest} (${pin.name}@${pin.version}) was supplied` };
  }

  /** `name@version` or a digest (64 hex); null when nothing matches. An ambiguous name@version is an error. */
  find(selector: string): PolicyRef | null {
    if (/^[0-9a-f]{64}$/.test(selector)) return this.byDigest.get(selector) ?? null;
    const list = this.byNameVersion.get(selector);
    if (!list || list.length === 0) return null;
    if (list.length > 1) throw new Error(`${selector} names ${list.length} bundles with different digests; give the digest instead`);
    return list[0];
  }
}
