// OPA decision logs and OTLP traces: read and shown, never better than unanchored,
// and a tampered copy is exactly as unprovable as the original.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectFormat, readerById } from '../../src/main/node/formats/registry';
import type { CaseEvent, FormatVerification } from '../../src/shared/formats/case-model';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLES = path.join(repoRoot, 'resources/samples');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'no-chain-'));

async function verify(file: string): Promise<{ r: FormatVerification; events: CaseEvent[]; id: string }> {
  const { reader, reason } = await detectFormat(file);
  const events: CaseEvent[] = [];
  const r = await reader.verify({ path: file, trust: null, hmacKey: null, onEvent: (e) => events.push(e), formatReason: reason });
  return { r, events, id: reader.id };
}

function expectNoChain(r: FormatVerification): void {
  expect(r.verdict).toBe('unanchored');
  expect(r.chainStart).toBe('none');
  expect(r.headHash).toBeNull();
  expect(r.details.hasChain).toBe(false);
  const noChain = r.findings.find((f) => f.kind === 'unanchored');
  expect(noChain?.message).toMatch(/no hash chain/);
  expect(r.verdictReason).toMatch(/no hash chain/);
}

describe('OPA decision logs', () => {
  it('reads the console JSON Lines with decision id, path, input, result, bundles, erased and masked', async () => {
    const { r, events, id } = await verify(path.join(SAMPLES, 'opa-decisions.jsonl'));
    expect(id).toBe('opa-decision-log');
    expectNoChain(r);
    expect(r.events).toBe(4);
    expect(events.map((e) => e.outcome)).toEqual(['allow', 'deny', 'allow', 'allow']);
    expect(events[0].summary).toMatch(/agents\/tools\/allow/);
    expect(events[0].summary).toMatch(/decision 0f9d6c2a-1b3e-4c5d-8e7f-000000000001/);
    expect(events[0].summary).toMatch(/payments@rev-2026-11-20\.3/);
    expect(events[2].summary).toMatch(/erased \/input\/body/);
    expect(events[2].summary).toMatch(/masked \/input\/recipient\/address/);
    expect(events[1].line).toBe(2);
    expect(r.details.bundleRevisions).toEqual({ payments: ['rev-2026-11-20.3'] });
    expect(r.details.erasedPaths).toEqual(['/input/body']);
    expect(r.unauthenticatedFields).toEqual(expect.arrayContaining(['decision_id', 'input', 'result']));
    expect(r.details.replayable).toBe(false);
  });

  it('reads the gzip JSON array of the log upload', async () => {
    const { r, events } = await verify(path.join(SAMPLES, 'opa-upload.json.gz'));
    expectNoChain(r);
    expect(r.details.layout).toMatch(/array/);
    expect(events).toHaveLength(3);
    expect(events[1].outcome).toBe('deny');
  });

  it('still says unanchored, with no chain, when a decision was flipped and another deleted', async () => {
    const lines = readFileSync(path.join(SAMPLES, 'opa-decisions.jsonl'), 'utf8').trim().split('\n');
    const edited = [lines[0], lines[1].replace('"result":false', '"result":true'), lines[3]];
    expect(edited[1]).not.toBe(lines[1]);
    const file = path.join(tmp, 'opa-tampered.jsonl');
    writeFileSync(file, edited.join('\n') + '\n');
    const { r, events } = await verify(file);
    expectNoChain(r);
    expect(r.findings.filter((f) => f.severity === 'integrity')).toEqual([]);
    expect(events[1].outcome).toBe('allow');

    const arr = JSON.parse(gunzipSync(readFileSync(path.join(SAMPLES, 'opa-upload.json.gz'))).toString('utf8')) as { result: unknown }[];
    arr[1].result = true;
    const gz = path.join(tmp, 'opa-tampered.json.gz');
    writeFileSync(gz, gzipSync(Buffer.from(JSON.stringify(arr.slice(1)))));
    expectNoChain((await verify(gz)).r);
  });
});

describe('OpenTelemetry traces', () => {
  it('reads OTLP/JSON spans with gen_ai agent, model and tool attributes', async () => {
    const { r, events, id } = await verify(path.join(SAMPLES, 'otlp-trace.json'));
    expect(id).toBe('otlp-trace');
    expectNoChain(r);
    expect(r.events).toBe(3);
    expect(events.map((e) => e.kind)).toEqual(['agent.invoked', 'model.called', 'action.executed']);
    expect(events.every((e) => e.actorId === 'refund-agent' && e.actorType === 'agent')).toBe(true);
    expect(events[1].summary).toMatch(/model gpt-4o/);
    expect(events[2].summary).toMatch(/tool erp\.refund/);
    expect(events[2].summary).toMatch(/error: refund above limit/);
    expect(events[0].ts).toBe(new Date(Number(1795947302000000000n / 1000000n)).toISOString());
    const text = readFileSync(path.join(SAMPLES, 'otlp-trace.json'), 'utf8').split('\n');
    for (const e of events) expect(text[e.line - 1].trim()).toBe('{');
    expect(r.details.tools).toEqual(['erp.refund']);
  });

  it('reads the File Exporter JSON Lines, one request a line', async () => {
    const { r, events } = await verify(path.join(SAMPLES, 'otlp-file-exporter.jsonl'));
    expectNoChain(r);
    expect(r.details.layout).toMatch(/JSON Lines/);
    expect(events.map((e) => e.line)).toEqual([1, 1, 2]);
  });

  it('still says unanchored, with no chain, when a span was edited', async () => {
    const doc = JSON.parse(readFileSync(path.join(SAMPLES, 'otlp-trace.json'), 'utf8'));
    doc.resourceSpans[0].scopeSpans[0].spans[2].status = { code: 1 };
    doc.resourceSpans[0].scopeSpans[0].spans.splice(1, 1);
    const file = path.join(tmp, 'otlp-tampered.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const { r, events } = await verify(file);
    expectNoChain(r);
    expect(events).toHaveLength(2);
    expect(events[1].summary).not.toMatch(/error/);
  });

  it('reports a cut File Exporter line as truncated', async () => {
    const text = readFileSync(path.join(SAMPLES, 'otlp-file-exporter.jsonl'), 'utf8');
    const file = path.join(tmp, 'otlp-cut.jsonl');
    writeFileSync(file, text.slice(0, text.length - 40));
    const { r } = await verify(file);
    expect(r.verdict).toBe('tampered');
    expect(r.firstFailure).toMatchObject({ kind: 'truncated', seq: 1, line: 2 });
  });
});

describe('detection', () => {
  it('names the format and why, for every sample', async () => {
    const expected: Record<string, string> = {
      'opa-decisions.jsonl': 'opa-decision-log',
      'opa-upload.json.gz': 'opa-decision-log',
      'otlp-trace.json': 'otlp-trace',
      'otlp-file-exporter.jsonl': 'otlp-trace',
    };
    for (const [file, id] of Object.entries(expected)) {
      const d = await detectFormat(path.join(SAMPLES, file));
      expect(d.reader.id, file).toBe(id);
      expect(d.reason).toMatch(/OPA|OTLP/);
    }
  });

  it('detects gzip-compressed AGT logs by content', async () => {
    const text = readFileSync(path.join(repoRoot, '../shared/fixtures/agt/mesh-valid.jsonl'));
    const file = path.join(tmp, 'mesh.log.gz');
    writeFileSync(file, gzipSync(text));
    const d = await detectFormat(file);
    expect(d.reader.id).toBe('agt-mesh-jsonl');
    const r = await d.reader.verify({ path: file, trust: null, hmacKey: null });
    expect(r.verdict).toBe('unanchored');
    expect(r.events).toBe(25);
  });

  it('refuses an unknown format with the list of what was tried', async () => {
    const file = path.join(tmp, 'notes.txt');
    writeFileSync(file, 'just some notes\n');
    await expect(detectFormat(file)).rejects.toThrow(/Tried: .*agt-mesh-jsonl.*opa-decision-log.*otlp-trace/);
  });

  it('knows every reader by id', () => {
    for (const id of ['agt-mesh-jsonl', 'agt-mesh-export', 'agt-mesh-cloudevents', 'agt-file-sink', 'agt-receipts', 'agt-ts-sdk', 'acs-results', 'opa-decision-log', 'otlp-trace']) {
      expect(readerById(id)?.id).toBe(id);
    }
    expect(readerById('nope')).toBeUndefined();
  });
});
