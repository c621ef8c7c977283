import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { validateXML } from 'xmllint-wasm';
import { toOcel, toXes, type OcelLog } from '../../src/shared/report/process-mining';
import { readMiningEvents } from '../../src/main/node/report/mining-events';
import { cli, hostileExport, sampleInputs, XSS_IMG, type SampleInputs } from './fixtures';

const OCEL_SCHEMA = JSON.parse(readFileSync(path.join(__dirname, 'schemas/ocel2.schema.json'), 'utf8'));
const XES_XSD = readFileSync(path.join(__dirname, 'schemas/xes-ieee1849.xsd'), 'utf8');
const validateOcelSchema = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(OCEL_SCHEMA);

/** What the OCEL 2.0 specification requires beyond the JSON Schema: declared types and attributes, existing objects, unique ids. */
function ocelReferenceProblems(log: OcelLog): string[] {
  const problems: string[] = [];
  const objectIds = new Set(log.objects.map((o) => o.id));
  if (objectIds.size !== log.objects.length) problems.push('duplicate object id');
  if (new Set(log.events.map((e) => e.id)).size !== log.events.length) problems.push('duplicate event id');
  const objectTypes = new Map(log.objectTypes.map((t) => [t.name, new Set(t.attributes.map((a) => a.name))]));
  const eventTypes = new Map(log.eventTypes.map((t) => [t.name, new Set(t.attributes.map((a) => a.name))]));
  for (const o of log.objects) {
    if (!objectTypes.has(o.type)) problems.push(`object ${o.id}: type ${o.type} not declared`);
    for (const a of o.attributes) if (!objectTypes.get(o.type)?.has(a.name)) problems.push(`object ${o.id}: attribute ${a.name} not declared`);
    for (const r of o.relationships) if (!objectIds.has(r.objectId)) problems.push(`object ${o.id} relates to missing ${r.objectId}`);
  }
  for (const e of log.events) {
    if (!eventTypes.has(e.type)) problems.push(`event ${e.id}: type ${e.type} not declared`);
    for (const a of e.attributes) if (!eventTypes.get(e.type)?.has(a.name)) problems.push(`event ${e.id}: attribute ${a.name} not declared`);
    for (const r of e.relationships) if (!objectIds.has(r.objectId)) problems.push(`event ${e.id} relates to missing ${r.objectId}`);
  }
  return problems;
}

async function xsdErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'log.xes', contents: xml }], schema: [{ fileName: 'xes.xsd', contents: XES_XSD }] });
  return r.valid ? [] : r.errors.map((e) => (typeof e === 'string' ? e : e.message));
}

let i: SampleInputs;
let ocel: OcelLog;
let xes: string;

beforeAll(async () => {
  i = sampleInputs();
  const ocelFile = path.join(i.dir, 'events.ocel.json');
  const xesFile = path.join(i.dir, 'events.xes');
  const r = await cli('export-events', i.exportPath, '--ocel', ocelFile, '--xes', xesFile);
  expect(r.code, r.stderr).toBe(0);
  ocel = JSON.parse(readFileSync(ocelFile, 'utf8'));
  xes = readFileSync(xesFile, 'utf8');
}, 60_000);

describe('OCEL 2.0 export', () => {
  it('validates against the OCEL 2.0 JSON schema and its cross-references hold', () => {
    expect(validateOcelSchema(ocel), JSON.stringify(validateOcelSchema.errors?.slice(0, 3))).toBe(true);
    expect(ocelReferenceProblems(ocel)).toEqual([]);
  });

  it('maps agents, requests, resources, decisions and policies to objects, and event kinds to event types', () => {
    expect(ocel.events).toHaveLength(2500);
    expect(new Set(ocel.objects.map((o) => o.type))).toEqual(new Set(['Agent', 'Human', 'System', 'Request', 'Invoice', 'CreditNote', 'Decision', 'Policy']));
    expect(ocel.eventTypes.map((t) => t.name)).toContain('policy.decision');
    const decision = ocel.events.find((e) => e.type === 'policy.decision')!;
    expect(decision.relationships.map((r) => r.qualifier).sort()).toEqual(['actor', 'decision', 'policy', 'request', 'resource']);
    expect(decision.attributes.find((a) => a.name === 'effect')).toBeTruthy();
    const d = ocel.objects.find((o) => o.type === 'Decision')!;
    expect(d.relationships.map((r) => r.qualifier).sort()).toEqual(['decides', 'under']);
  });

  it('the schema check can fail: a missing time, an unknown attribute type, a wrong value', () => {
    const broken = structuredClone(ocel) as unknown as { events: Record<string, unknown>[]; eventTypes: { attributes: { type: string }[] }[] };
    delete broken.events[0].time;
    expect(validateOcelSchema(broken)).toBe(false);
    const broken2 = structuredClone(ocel) as unknown as { eventTypes: { attributes: { type: string }[] }[] };
    broken2.eventTypes[0].attributes[0].type = 'number';
    expect(validateOcelSchema(broken2)).toBe(false);
    const broken3 = structuredClone(ocel);
    broken3.events[0].relationships.push({ objectId: 'agent:nobody', qualifier: 'actor' });
    expect(ocelReferenceProblems(broken3)).toEqual(['event event-0 relates to missing agent:nobody']);
  });
});

describe('XES export', () => {
  it('validates against the IEEE 1849 XES schema: one trace per request, events with name, time and resource', async () => {
    expect(await xsdErrors(xes)).toEqual([]);
    expect(xes.match(/<event>/g)).toHaveLength(2500);
    expect(xes).toContain('<classifier name="Activity" keys="concept:name"/>');
    expect(xes).toMatch(/<trace><string key="concept:name" value="request:[^"]+"\/>/);
  });

  it('the schema check can fail: a bad timestamp, an unknown element', async () => {
    expect((await xsdErrors(xes.replace(/(key="time:timestamp" value=")2026/, '$1yesterday '))).length).toBeGreaterThan(0);
    expect((await xsdErrors(xes.replace('<trace>', '<trace><script/>'))).length).toBeGreaterThan(0);
  });

  it('escapes hostile strings and still validates, in both formats', async () => {
    const h = hostileExport();
    const { events } = await readMiningEvents(h.exportPath);
    const x = toXes(events, path.basename(h.exportPath)).xml;
    expect(x).not.toContain(XSS_IMG);
    expect(x).toContain('&#60;img src=x onerror=&#34;window.__xss=1&#34;&#62;');
    expect(await xsdErrors(x)).toEqual([]);
    const o = toOcel(events).log;
    expect(validateOcelSchema(o)).toBe(true);
    expect(ocelReferenceProblems(o)).toEqual([]);
  }, 30_000);

  it('is deterministic', async () => {
    const { events } = await readMiningEvents(i.exportPath);
    expect(toXes(events, 'export.jsonl').xml).toBe(xes);
    expect(JSON.stringify(toOcel(events).log)).toBe(JSON.stringify(ocel));
  }, 30_000);
});
