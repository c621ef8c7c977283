/** A one-line, plain-text description of an event for tables and reports. */
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);

export function describeEvent(kind: string, data: Record<string, unknown>): { outcome: string | null; summary: string } {
  const req = str(data.request_id);
  const parts: string[] = [];
  let outcome: string | null = null;
  switch (kind) {
    case 'action.requested':
      parts.push(`requests ${str(data.tool) ?? '?'}`);
      break;
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
