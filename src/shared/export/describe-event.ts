/** A one-line, plain-text description of an event for tables and reports. */
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

const MAX_ARGS = 4;
const MAX_VALUE = 40;

/**
 * A request's arguments as the table shows them: the amount first (with its
 * currency, as written: the spec allows whole units or cents), then up to
 * four other plain values by name, each cut at 40 characters.
 */
function argsText(args: unknown): string {
  if (!args || typeof args !== 'object' || Array.isArray(args)) return '';
  const a = args as Record<string, unknown>;
  const out: string[] = [];
  const amount = str(a.amount);
  const currency = typeof a.currency === 'string' ? a.currency : null;
  if (amount !== null) out.push(`amount ${amount}${currency ? ` ${currency}` : ''}`);
  for (const [key, value] of Object.entries(a)) {
    if (out.length >= MAX_ARGS) break;
    if (key === 'amount' || (key === 'currency' && amount !== null)) continue;
    const v = str(value) ?? (typeof value === 'boolean' ? String(value) : null);
    if (v === null) continue;
    out.push(`${key} ${v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v}`);
  }
  return out.join(', ');
}

export function describeEvent(kind: string, data: Record<string, unknown>): { outcome: string | null; summary: string } {
  const req = str(data.request_id);
  const parts: string[] = [];
  let outcome: string | null = null;
  switch (kind) {
    case 'action.requested': {
      const args = argsText(data.args);
      parts.push(`requests ${str(data.tool) ?? '?'}${args ? `: ${args}` : ''}`);
      break;
    }
    case 'policy.decision': {
      const o = data.outcome as { effect?: unknown; determining?: unknown } | undefined;
      outcome = str(o?.effect);
      const request = data.request as { action?: { id?: unknown }; resource?: { id?: unknown } } | undefined;
      parts.push(`${outcome ?? '?'} ${str(request?.action?.id) ?? ''} ${str(request?.resource?.id) ?? ''}`.trim());
      const policy = data.policy as { name?: unknown; version?: unknown } | undefined;
      if (policy) parts.push(`by ${str(policy.name) ?? '?'}@${str(policy.version) ?? '?'}`);
      break;
    }
    case 'approval.requested':
      parts.push(`approval asked: ${str(data.reason) ?? ''}`.trim());
      break;
    case 'approval.granted':
    case 'approval.denied':
      parts.push(`${kind === 'approval.granted' ? 'approved' : 'refused'} by ${str(data.approver) ?? '?'}`);
      break;
    case 'action.executed':
    case 'action.failed':
      parts.push(kind === 'action.executed' ? 'executed' : `failed: ${str(data.error) ?? ''}`.trim());
      break;
    case 'killswitch.engaged':
    case 'killswitch.released':
      parts.push(`kill switch ${kind.endsWith('engaged') ? 'engaged' : 'released'} (${str(data.scope) ?? '?'})`);
      break;
    case 'ring.changed':
      parts.push(`${str(data.agent_id) ?? '?'} moved to ring ${str(data.ring) ?? '?'}`);
      break;
    case 'policy.activated': {
      const policy = data.policy as { name?: unknown; version?: unknown } | undefined;
      parts.push(`policy ${str(policy?.name) ?? '?'}@${str(policy?.version) ?? '?'} activated`);
      break;
    }
    default:
      parts.push(kind);
  }
  if (req) parts.push(`[${req}]`);
  return { outcome, summary: parts.join(' ') };
}
