// Format detection decides on the parsed JSON of the file's start, never on its
// spelling: a header written with escapes is still our header, a name mentioned
// inside data is not a member, and when two readers could take a file the
// documented order decides (a header naming its format wins).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/main/node/formats/registry';
import { headView } from '../../src/main/node/formats/head-view';
import { verifyFile } from '../../src/main/node/verify/verify-file';
import { LexObject, parseLexJsonPrefix } from '../../src/shared/json/lexeme-json';
import { buildLines, specs, toText, trustFor, type Line } from '../support/export-builder';
import { runs } from '../hostile/fuzz-config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'detection-'));
let n = 0;
const write = (text: string): string => {
  const file = path.join(dir, `f${n++}.jsonl`);
  writeFileSync(file, text);
  return file;
};
const trustFile = write(JSON.stringify(trustFor()));

const decisions = (): Line[] =>
  buildLines(
    specs(12).map((_, i) => ({ kind: 'policy.decision', data: { decision_id: `d-${i}`, request_id: `r-${i}`, path: 'agents/tools/allow', result: true } })),
    { every: 5 },
  );

/** Line 1 rewritten, the rest of the export as built: the header is neither hashed nor signed. */
const withHeaderText = (lines: Line[], rewrite: (headerText: string) => string): string => {
  const [first, ...rest] = toText(lines).split('\n');
  return [rewrite(first), ...rest].join('\n');
};

/** A JSON string's characters, each written as itself, as \uXXXX, or (for "/") as "\/", by `pick`. */
function spell(s: string, pick: (i: number) => number): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const how = pick(i) % 3;
    if (how === 1) out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else if (how === 2 && c === '/') out += '\\/';
    else out += c;
  }
  return out;
}

describe('our own format, however its header is spelled', () => {
  it('a valid header with an escaped slash ("audit-export\\/1") is audit-export/1 and verifies intact', async () => {
    const file = write(withHeaderText(decisions(), (t) => t.replace('"format":"audit-export/1"', '"format":"audit-export\\/1"')));
    const d = await detectFormat(file);
    expect(d.reader.id).toBe('audit-export/1');
    const r = await verifyFile({ path: file, trustPath: trustFile, workers: 0 });
    expect(r.format).toBe('audit-export/1');
    expect(r.verdict, r.verdictReason).toBe('intact');
    expect(r.findings).toEqual([]);
  });

  it('any escaping of "type", "header", "format" and "audit-export/1" on line 1 is the same header', async () => {
    const lines = buildLines(specs(3), { every: 5 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), async (picks) => {
        const file = write(
          withHeaderText(lines, (t) =>
            t
              .replace('"format":"audit-export/1"', `"${spell('format', (i) => picks[i])}":"${spell('audit-export/1', (i) => picks[10 + i])}"`)
              .replace('"type":"header"', `"${spell('type', (i) => picks[30 + i])}":"${spell('header', (i) => picks[34 + i])}"`),
          ),
        );
        expect((await detectFormat(file)).reader.id).toBe('audit-export/1');
      }),
      runs(40),
    );
  });

  it('an export whose decisions carry decision_id, path and result in their data is still audit-export/1, not an OPA log', async () => {
    const text = withHeaderText(decisions(), (t) => t.replace('"format":"audit-export/1"', '"format":"audit-export\\/1"'));
    expect(text).toContain('"decision_id"');
    expect(text).toContain('"path"');
    expect(text).toContain('"result"');
    const file = write(text);
    expect((await detectFormat(file)).reader.id).toBe('audit-export/1');
    const r = await verifyFile({ path: file, trustPath: trustFile, workers: 0 });
    expect(r.verdict, r.verdictReason).toBe('intact');
    expect(r.events).toBe(12);
  });

  it('when an OPA reader could also take it (top-level decision_id, path, result), the header naming its format wins, and the reason says so', async () => {
    const lines = decisions().map((l) => (l.type === 'event' ? { ...l, decision_id: 'd', path: 'p', result: true } : l));
    const file = write(toText(lines));
    const d = await detectFormat(file);
    expect(d.reader.id).toBe('audit-export/1');
    expect(d.reason).toMatch(/could also be read as opa-decision-log/);
    expect(d.reason).toMatch(/a header naming its format wins/);
  });

  it("the words on line 1 but not as the header's members are not our header", async () => {
    // A line-1 object that only mentions the header's members inside its data, as a regex over the text would have taken it.
    const file = write('{"type":"event","data":{"note":"\\"type\\":\\"header\\",\\"format\\":\\"audit-export/1\\""}}\n{"a":1}\n');
    await expect(detectFormat(file)).rejects.toThrow(/not in a format Audit Replay reads/);
    const nested = write('{"data":{"type":"header","format":"audit-export/1"}}\n');
    await expect(detectFormat(nested)).rejects.toThrow(/not in a format Audit Replay reads/);
  });
});

describe('other formats decide on members, not mentions', () => {
  it('an OPA console log whose first lines are server messages is still an OPA log', async () => {
    const file = write(
      [
        '{"level":"info","msg":"Initializing server.","time":"2026-11-24T10:15:00Z"}',
        '{"decision_id":"0f9d","path":"agents/tools/allow","input":{},"result":true,"msg":"Decision Log","type":"openpolicyagent.org/decision_logs","level":"info"}',
        '',
      ].join('\n'),
    );
    const d = await detectFormat(file);
    expect(d.reader.id).toBe('opa-decision-log');
    expect(d.reason).toMatch(/openpolicyagent.org\/decision_logs/);
  });

  it('decision_id, path and result named only inside strings or nested data do not make an OPA log', async () => {
    const file = write('{"note":"\\"decision_id\\" \\"path\\" \\"result\\"","data":{"decision_id":"x","path":"p","result":true}}\n');
    await expect(detectFormat(file)).rejects.toThrow(/not in a format Audit Replay reads/);
  });

  it('an AGT stdout log whose member names are written with escapes is still one', async () => {
    const file = write('{"entry_h\\u0061sh":"ab","previous_hash":"","action":"x"}\n');
    expect((await detectFormat(file)).reader.id).toBe('agt-mesh-jsonl');
  });
});

describe('the head as detection sees it', () => {
  it('a document cut at the head limit keeps the members and elements completed before the cut', () => {
    const { value, complete } = parseLexJsonPrefix('{"merkle_root":"ab","entries":[{"a":1},{"b":2},{"c":');
    expect(complete).toBe(false);
    expect(value).toBeInstanceOf(LexObject);
    const o = value as LexObject;
    expect(o.keys()).toEqual(['merkle_root', 'entries']);
    expect((o.get('entries') as LexObject[]).map((e) => e.keys())).toEqual([['a'], ['b'], []]);
    expect(parseLexJsonPrefix('[1,2]').complete).toBe(true);
    expect(parseLexJsonPrefix('[1,2] x').complete).toBe(false);
    expect(parseLexJsonPrefix('nope').value).toBeUndefined();
  });

  it('line 1 is line 1 exactly; a last line counts only when the head is the whole file', () => {
    const h = headView('\n{"type":"header"}\n{"a":1}', false);
    expect(h.line1).toBeUndefined();
    expect(h.lines).toHaveLength(1);
    expect(headView('{"a":1}\n{"b":', true).lines).toEqual([expect.any(LexObject), undefined]);
    expect(headView('{"a":1}\r\n', false).line1).toBeInstanceOf(LexObject);
  });
});
