/** Turning AGT entries into the one case model's events. */
import type { CaseEvent } from '../case-model';
import { LexObject, LexNumber, str, type LexValue } from '../../json/lexeme-json';
import { pythonDumps } from '../../json/foreign-json';
import { toRfc3339 } from './hashing';

const DECISIONS = new Set(['allow', 'deny', 'require_approval']);

export function decisionOf(v: LexValue | undefined): string | null {
  if (typeof v !== 'string') return null;
  const d = v.toLowerCase();
  if (DECISIONS.has(d)) return d;
  if (d === 'denied' || d === 'blocked') return 'deny';
  if (d === 'allowed' || d === 'permit') return 'allow';
  return null;
}

export function meshKind(eventType: string): string {
  if (eventType === 'policy_evaluation' || eventType === 'policy_violation') return 'policy.decision';
  if (eventType === 'tool_invocation') return 'action.executed';
  return eventType;
}

/** Compact JSON of a parsed value, numbers as written (the "raw" of an array element). */
export function compactJson(v: LexValue): string {
  return pythonDumps(v, { sortKeys: false, ensureAscii: false, separators: [',', ':'] });
}

export function text(v: LexValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof LexNumber) return v.lexeme;
  if (typeof v === 'boolean') return String(v);
  return compactJson(v);
}

export interface EventHashes {
  canonical: string | null;
  recordedHash: string | null;
  computedHash: string | null;
  prevHash: string | null;
}

/** A case event for an agent-mesh AuditEntry (stdout line, export() entry or file-sink line). */
export function meshCaseEvent(e: LexObject, index: number, line: number, raw: string, h: EventHashes, unauthenticated: string[]): CaseEvent {
  const eventType = str(e, 'event_type') ?? '';
  const action = text(e.get('action'));
  const resource = text(e.get('resource'));
  const decision = decisionOf(e.get('policy_decision')) ?? (eventType === 'tool_blocked' ? 'deny' : null);
  const outcome = text(e.get('outcome'));
  const ts = str(e, 'timestamp');
  return {
    index,
    seq: index,
    line,
    ts: ts ? toRfc3339(ts) : '',
    kind: meshKind(eventType),
    actorType: 'agent',
    actorId: str(e, 'agent_did') ?? '',
    outcome: decision,
    summary: `${eventType}: ${action}${resource ? ` on ${resource}` : ''}${outcome ? ` (${outcome})` : ''}${decision ? `, policy ${decision}` : ''}`,
    raw,
    ...h,
    unauthenticated,
  };
}

/** Members of an entry that no hash, HMAC or signature covers. */
export function outside(e: LexObject, covered: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const k of e.members.keys()) if (!covered.has(k)) out.push(k);
  return out;
}
