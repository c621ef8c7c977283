/**
 * A case's events for process-mining tools: OCEL 2.0 (JSON) with agents,
 * requests, resources, decisions and policies as objects, and XES (IEEE
 * 1849) with one trace per request. The mapping is in docs/reports.md.
 * Output is deterministic: events in file order, objects sorted by id.
 */
import { escapeXml } from './escape';

export interface MiningEvent {
  index: number;
  seq: number;
  line: number;
  ts: string;
  kind: string;
  actorType: string;
  actorId: string;
  outcome: string | null;
  /** The event's `data` member when it has one. */
  data: Record<string, unknown> | null;
}

type OcelType = 'string' | 'time' | 'integer' | 'float' | 'boolean';
type OcelValue = string | number | boolean;

export interface OcelLog {
  objectTypes: { name: string; attributes: { name: string; type: OcelType }[] }[];
  eventTypes: { name: string; attributes: { name: string; type: OcelType }[] }[];
  objects: { id: string; type: string; attributes: { name: string; time: string; value: OcelValue }[]; relationships: { objectId: string; qualifier: string }[] }[];
  events: { id: string; type: string; time: string; attributes: { name: string; value: OcelValue }[]; relationships: { objectId: string; qualifier: string }[] }[];
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export function isReadableTime(ts: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(ts) && !Number.isNaN(Date.parse(ts));
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function actorObjectType(actorType: string): string {
  return actorType === 'agent' ? 'Agent' : actorType === 'human' ? 'Human' : actorType === 'system' ? 'System' : 'Actor';
}

/** What an event names: request, decision, resource, policy, approver, subject agent. */
function namedObjects(e: MiningEvent) {
  const d = e.data ?? {};
  const request = obj(d.request);
  const resource = obj(request?.resource);
  const policy = obj(d.policy);
  const outcome = obj(d.outcome);
  return {
    requestId: str(d.request_id),
    decisionId: str(d.decision_id),
    tool: str(d.tool),
    resource: resource && str(resource.type) && str(resource.id) ? { type: str(resource.type)!, id: str(resource.id)! } : null,
    policy: policy && str(policy.name) ? { name: str(policy.name)!, version: str(policy.version) ?? '', digest: str(policy.digest) } : null,
    effect: str(outcome?.effect) ?? e.outcome,
    approver: str(d.approver),
    subjectAgent: str(d.agent_id) ?? (e.kind.startsWith('killswitch.') && str(d.scope) && d.scope !== 'global' ? str(d.scope) : null),
    ring: typeof d.ring === 'number' && Number.isInteger(d.ring) ? d.ring : null,
    reason: str(d.reason),
  };
}

export function toOcel(events: readonly MiningEvent[]): { log: OcelLog; skipped: number } {
  const objects = new Map<string, OcelLog['objects'][number]>();
  const objectAttrTypes = new Map<string, Map<string, OcelType>>();
  const eventAttrTypes = new Map<string, Map<string, OcelType>>();
  const ensure = (id: string, type: string) => {
    let o = objects.get(id);
    if (!o) {
      o = { id, type, attributes: [], relationships: [] };
      objects.set(id, o);
      if (!objectAttrTypes.has(type)) objectAttrTypes.set(type, new Map());
    }
    return o;
  };
  const objAttr = (o: OcelLog['objects'][number], name: string, value: OcelValue, time: string, type: OcelType) => {
    if (o.attributes.some((a) => a.name === name && a.value === value)) return;
    o.attributes.push({ name, time, value });
    objectAttrTypes.get(o.type)!.set(name, type);
  };
  const relate = (o: OcelLog['objects'][number], objectId: string, qualifier: string) => {
    if (!o.relationships.some((r) => r.objectId === objectId && r.qualifier === qualifier)) o.relationships.push({ objectId, qualifier });
  };
  const out: OcelLog['events'] = [];
  let skipped = 0;
  for (const e of events) {
    if (!isReadableTime(e.ts)) {
      skipped++;
      continue;
    }
    const time = new Date(Date.parse(e.ts)).toISOString();
    const n = namedObjects(e);
    const rel: { objectId: string; qualifier: string }[] = [];
    const actorId = `${e.actorType}:${e.actorId}`;
    ensure(actorId, actorObjectType(e.actorType));
    rel.push({ objectId: actorId, qualifier: 'actor' });
    let requestObj: OcelLog['objects'][number] | null = null;
    if (n.requestId) {
      requestObj = ensure(`request:${n.requestId}`, 'Request');
      rel.push({ objectId: requestObj.id, qualifier: 'request' });
      if (e.kind === 'action.requested') {
        relate(requestObj, actorId, 'requested by');
        if (n.tool) objAttr(requestObj, 'tool', n.tool, EPOCH, 'string');
      }
    }
    if (n.resource) {
      const r = ensure(`resource:${n.resource.type}:${n.resource.id}`, n.resource.type);
      rel.push({ objectId: r.id, qualifier: 'resource' });
      if (requestObj) relate(requestObj, r.id, 'concerns');
    }
    if (n.policy) {
      const p = ensure(`policy:${n.policy.name}@${n.policy.version}`, 'Policy');
      if (n.policy.digest) objAttr(p, 'digest', n.policy.digest, EPOCH, 'string');
      rel.push({ objectId: p.id, qualifier: 'policy' });
    }
    if (n.decisionId) {
      const dObj = ensure(`decision:${n.decisionId}`, 'Decision');
      rel.push({ objectId: dObj.id, qualifier: 'decision' });
      if (n.effect) objAttr(dObj, 'effect', n.effect, time, 'string');
      if (requestObj) relate(dObj, requestObj.id, 'decides');
      if (n.policy) relate(dObj, `policy:${n.policy.name}@${n.policy.version}`, 'under');
    }
    if (n.approver) {
      const a = ensure(`human:${n.approver}`, 'Human');
      rel.push({ objectId: a.id, qualifier: 'approver' });
    }
    if (n.subjectAgent) {
      const s = ensure(`agent:${n.subjectAgent}`, 'Agent');
      if (!rel.some((r) => r.objectId === s.id)) rel.push({ objectId: s.id, qualifier: 'subject' });
      if (n.ring !== null) objAttr(s, 'ring', n.ring, time, 'integer');
    }
    const attributes: { name: string; value: OcelValue; type: OcelType }[] = [
      { name: 'seq', value: e.seq, type: 'integer' },
      { name: 'line', value: e.line, type: 'integer' },
    ];
    if (n.effect && e.kind === 'policy.decision') attributes.push({ name: 'effect', value: n.effect, type: 'string' });
    if (n.tool) attributes.push({ name: 'tool', value: n.tool, type: 'string' });
    if (n.reason) attributes.push({ name: 'reason', value: n.reason, type: 'string' });
    if (!eventAttrTypes.has(e.kind)) eventAttrTypes.set(e.kind, new Map());
    for (const a of attributes) eventAttrTypes.get(e.kind)!.set(a.name, a.type);
    out.push({ id: `event-${e.index}`, type: e.kind, time, attributes: attributes.map(({ name, value }) => ({ name, value })), relationships: rel });
  }
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const types = (m: Map<string, Map<string, OcelType>>) => [...m].map(([name, attrs]) => ({ name, attributes: [...attrs].map(([an, type]) => ({ name: an, type })).sort(byName) })).sort(byName);
  return {
    log: {
      objectTypes: types(objectAttrTypes),
      eventTypes: types(eventAttrTypes),
      objects: [...objects.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      events: out,
    },
    skipped,
  };
}

/** XES: one trace per request (events naming no request go to one trace per actor). */
export function toXes(events: readonly MiningEvent[], source: string): { xml: string; skipped: number } {
  const traces = new Map<string, MiningEvent[]>();
  let skipped = 0;
  for (const e of events) {
    if (!isReadableTime(e.ts)) {
      skipped++;
      continue;
    }
    const n = namedObjects(e);
    const key = n.requestId ? `request:${n.requestId}` : `actor:${e.actorType}:${e.actorId}`;
    const list = traces.get(key);
    if (list) list.push(e);
    else traces.set(key, [e]);
  }
  const a = (tag: string, key: string, value: string | number) => `<${tag} key="${escapeXml(key)}" value="${escapeXml(String(value))}"/>`;
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<log xes.version="1849-2016">');
  out.push('<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>');
  out.push('<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>');
  out.push('<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>');
  out.push(`<global scope="trace">${a('string', 'concept:name', 'UNKNOWN')}</global>`);
  out.push(`<global scope="event">${a('string', 'concept:name', 'UNKNOWN')}${a('date', 'time:timestamp', EPOCH)}${a('string', 'org:resource', 'UNKNOWN')}</global>`);
  out.push('<classifier name="Activity" keys="concept:name"/>');
  out.push('<classifier name="Resource" keys="org:resource"/>');
  out.push(a('string', 'concept:name', source));
  for (const [key, list] of [...traces].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    out.push(`<trace>${a('string', 'concept:name', key)}`);
    for (const e of list) {
      const n = namedObjects(e);
      const attrs = [
        a('string', 'concept:name', e.kind),
        a('date', 'time:timestamp', new Date(Date.parse(e.ts)).toISOString()),
        a('string', 'org:resource', e.actorId),
        a('string', 'org:role', e.actorType),
        a('int', 'seq', e.seq),
        a('int', 'line', e.line),
      ];
      if (n.effect && e.kind === 'policy.decision') attrs.push(a('string', 'effect', n.effect));
      if (n.decisionId) attrs.push(a('string', 'decision_id', n.decisionId));
      if (n.tool) attrs.push(a('string', 'tool', n.tool));
      if (n.resource) attrs.push(a('string', 'resource', `${n.resource.type}:${n.resource.id}`));
      if (n.approver) attrs.push(a('string', 'approver', n.approver));
      out.push(`<event>${attrs.join('')}</event>`);
    }
    out.push('</trace>');
  }
  out.push('</log>');
  return { xml: out.join('\n') + '\n', skipped };
}
