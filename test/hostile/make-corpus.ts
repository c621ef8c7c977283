/**
 * Writes the hand-made hostile corpus in test/hostile/corpus/ (small files,
 * committed). Deterministic: same bytes on every run. Big inputs (100 MB
 * line, gzip bomb, a million lines, 100,000-deep nesting) are made at test
 * time in os.tmpdir() by big-inputs.ts instead, and FIFOs (which git cannot
 * hold), folders and links by special-files.test.ts.
 *
 *   node bin/run-ts.mjs test/hostile/make-corpus.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildLines, checkpointFor, hashEvent, header, signCheckpoint, specs, toText, trustFor, ZERO, type Line } from '../support/export-builder';
import { canonicalize } from '../../src/shared/json/canonical';
import { IncrementalMerkleTree } from '../../src/shared/verify/merkle';
import { nodeSha256 } from '../../src/main/node/read/hashes';
import { prng } from '../faults/child';
import { loadBundle } from '../../src/main/node/replay/bundle-loader';
import { V7 } from '../replay/helpers';
import { entityChain, nestedValue } from './hostile-requests';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** A small valid export: 12 events, checkpoints every 5, a final checkpoint. */
export function validLines(): Line[] {
  return buildLines(specs(12), { every: 5 });
}

/** Replace event `seq`'s text by `mutate(canonical text)`, keeping everything else. */
function withEventText(lines: Line[], seq: number, mutate: (canonicalText: string) => string): string[] {
  return lines.map((l) => (l.type === 'event' && l.seq === seq ? mutate(canonicalize(l)) : canonicalize(l)));
}

/**
 * A valid export of 12 events where event `seq` is first passed through
 * `patch` (given and returning JSON text, so members such as "__proto__" stay
 * own members), then hashed, linked and checkpointed the honest way.
 */
export function honestWith(seq: number, patch: (eventText: string) => string): Line[] {
  const base = validLines();
  const out: Line[] = [header()];
  const tree = new IncrementalMerkleTree(nodeSha256);
  let prev = ZERO;
  let n = 0;
  for (const l of base) {
    if (l.type !== 'event') continue;
    const { hash: _h, ...body } = { ...l, prev_hash: prev } as Line;
    const obj = l.seq === seq ? (JSON.parse(patch(JSON.stringify(body))) as Line) : body;
    const e = hashEvent(obj);
    out.push(e);
    tree.append(Buffer.from(e.hash as string, 'hex'));
    prev = e.hash as string;
    n++;
    if (n % 5 === 0 || n === 12) out.push(checkpointFor(tree, 0, n, prev, n === 12));
  }
  return out;
}

/** Event `seq` of the valid export made a policy.decision pinned to the sample ap-policy v7, carrying `request`; hashed honestly (intact). */
function withDecision(seq: number, request: Record<string, unknown>): Line[] {
  const { name, version, digest } = loadBundle(V7);
  return honestWith(seq, (t) => {
    const event = JSON.parse(t) as Record<string, unknown>;
    event.kind = 'policy.decision';
    event.actor = { type: 'system', id: 'policy-engine' };
    event.data = { decision_id: `dec-${seq}`, request_id: `req-${seq}`, policy: { name, version, digest }, request, outcome: { effect: 'allow', determining: ['ap.read'] } };
    return JSON.stringify(event);
  });
}

const hostileRequest = (context: Record<string, unknown>, entities?: unknown[]) => ({
  principal: { type: 'Agent', id: 'ap-intake-agent' },
  action: { type: 'Action', id: 'read_invoice' },
  resource: { type: 'Invoice', id: 'INV-1' },
  context,
  ...(entities ? { entities } : {}),
});

function withoutSig(l: Line): Line {
  const { sig: _sig, ...body } = l;
  void _sig;
  return body;
}

/** Events re-hashed and re-linked after an edit, and every checkpoint signed again over them: an honest export of the edited events. */
function rechainWithCheckpoints(lines: Line[]): Line[] {
  const tree = new IncrementalMerkleTree(nodeSha256);
  let prev = ZERO;
  let n = 0;
  return lines.map((l) => {
    if (l.type === 'event') {
      const e = hashEvent({ ...l, prev_hash: prev });
      tree.append(Buffer.from(e.hash as string, 'hex'));
      prev = e.hash as string;
      n++;
      return e;
    }
    return l.type === 'checkpoint' ? checkpointFor(tree, 0, n, prev, l.final === true) : l;
  });
}

export function corpusFiles(): Record<string, Buffer | string> {
  const lines = validLines();
  const text = toText(lines);
  const textLines = text.split('\n');
  const files: Record<string, Buffer | string> = {};
  files['valid.jsonl'] = text;
  files['empty.jsonl'] = '';
  files['header-only.jsonl'] = textLines[0] + '\n';
  files['header-only-unterminated.jsonl'] = textLines[0];
  files['truncated-mid-line.jsonl'] = text.slice(0, text.length - 40);
  files['truncated-at-line.jsonl'] = textLines.slice(0, 9).join('\n') + '\n';
  const rand = prng(6);
  files['binary.bin'] = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
  files['binary-after-header.jsonl'] = Buffer.concat([Buffer.from(textLines[0] + '\n'), files['binary.bin'] as Buffer, Buffer.from('\n')]);
  files['nul-bytes.jsonl'] = textLines.slice(0, 3).join('\n') + '\n' + textLines[3].replace('"kind"', '"k\u0000ind"') + '\n' + textLines.slice(4).join('\n');
  // Invalid UTF-8 inside an event's string: a lone continuation byte and an overlong encoding.
  const bad = Buffer.from(textLines[3]);
  const at = bad.indexOf('pay_invoice');
  files['invalid-utf8.jsonl'] = Buffer.concat([
    Buffer.from(textLines.slice(0, 3).join('\n') + '\n'),
    bad.subarray(0, at),
    Buffer.from([0xc0, 0xaf, 0x80, 0xff]),
    bad.subarray(at),
    Buffer.from('\n' + textLines.slice(4).join('\n')),
  ]);
  files['bom.jsonl'] = '\ufeff' + text;
  files['crlf.jsonl'] = text.replace(/\n/g, '\r\n');
  // Honest exports (intact) whose members are named like JavaScript's object internals.
  files['proto-members.jsonl'] = toText(
    honestWith(2, (t) =>
      t.replace(
        /"data":\{[^}]*\}\}/,
        '"data":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"request_id":"r-2","tool":"t","args":{"toString":"x","hasOwnProperty":1}}',
      ),
    ),
  );
  files['proto-top-level.jsonl'] = toText(honestWith(4, (t) => t.replace('{', '{"__proto__":{"polluted":"yes"},"constructor":"x",')));
  files['duplicate-member.jsonl'] = withEventText(lines, 3, (t) => t.replace('"tool":"pay_invoice"', '"tool":"pay_invoice","tool":"delete_all"')).join('\n') + '\n';
  files['duplicate-top-member.jsonl'] = withEventText(lines, 3, (t) => t.replace('{"actor"', '{"seq":999,"actor"')).join('\n') + '\n';
  files['number-1e400.jsonl'] = withEventText(lines, 5, (t) => t.replace(/"amount":\d+/, '"amount":1e400')).join('\n') + '\n';
  files['number-minus-1e400.jsonl'] = withEventText(lines, 5, (t) => t.replace(/"amount":\d+/, '"amount":-1e400')).join('\n') + '\n';
  // Hashed over its canonical form (-0 is written 0), the line itself keeps -0: intact.
  files['negative-zero.jsonl'] = toText(honestWith(5, (t) => t.replace(/"amount":\d+/, '"amount":-0'))).replace('"amount":0}', '"amount":-0}');
  files['lone-surrogate.jsonl'] = withEventText(lines, 6, (t) => t.replace('"tool":"pay_invoice"', '"tool":"pay\\ud800invoice"')).join('\n') + '\n';
  files['deep-nesting-2000.jsonl'] = withEventText(lines, 7, (t) => t.replace(/"args":\{[^}]*\}/, `"args":${'['.repeat(2000)}${']'.repeat(2000)}`)).join('\n') + '\n';
  files['not-an-object-lines.jsonl'] = [textLines[0], '[1,2,3]', '"a string"', '42', 'null', 'true', ...textLines.slice(1)].join('\n');
  files['second-header.jsonl'] = [...textLines.slice(0, 5), textLines[0], ...textLines.slice(5)].join('\n');
  files['unknown-type.jsonl'] = withEventText(lines, 1, (t) => t.replace('"type":"event"', '"type":"<script>alert(1)</script>"')).join('\n') + '\n';
  files['seq-not-safe-integer.jsonl'] = withEventText(lines, 8, (t) => t.replace('"seq":8', '"seq":9007199254740993')).join('\n') + '\n';
  files['seq-fraction.jsonl'] = withEventText(lines, 8, (t) => t.replace('"seq":8', '"seq":8.5')).join('\n') + '\n';
  files['terminal-escapes.jsonl'] = toText(honestWith(2, (t) => t.replace('"kind":"action.requested"', '"kind":"\\u001b[2J\\u001b]0;pwned\\u0007"')));
  files['header-garbage-types.jsonl'] = ['{"type":"header","format":"audit-export/1","genesis":{"__proto__":1},"first_seq":"0","keys":"none"}', ...textLines.slice(1)].join('\n');
  // Unauthenticated header members of the wrong type: a warning, never a crash or a changed verdict.
  files['header-keys-object.jsonl'] = [textLines[0].replace(/"keys":\[[^\]]*\]/, '"keys":{}'), ...textLines.slice(1)].join('\n');
  files['header-keys-null-entry.jsonl'] = [textLines[0].replace(/"keys":\[[^\]]*\]/, '"keys":[null]'), ...textLines.slice(1)].join('\n');
  // Checkpoints re-signed with the trusted key, dated before the events they cover: they vouch for nothing.
  files['checkpoint-backdated.jsonl'] = toText(lines.map((l) => (l.type === 'checkpoint' ? signCheckpoint({ ...withoutSig(l), ts: '2026-01-01T00:00:00.000Z' }) : l)));
  files['only-newlines.jsonl'] = '\n'.repeat(1000);
  files['whitespace-line.jsonl'] = [...textLines.slice(0, 4), '   \t ', ...textLines.slice(4)].join('\n');
  // Intact exports whose one decision hands Cedar more than a cap allows (request-limits.ts): replay refuses that decision alone.
  files['decision-parent-chain-101.jsonl'] = toText(
    withDecision(3, hostileRequest({ amount: 1, currency: 'EUR', vendor_verified: true, po_matched: true, ring: 0 }, entityChain(101, 'ap-intake-agent'))),
  );
  files['decision-context-nested-65.jsonl'] = toText(withDecision(3, hostileRequest(nestedValue(65))));
  const gz = gzipSync(Buffer.from(text));
  files['valid.jsonl.gz'] = gz;
  files['truncated.jsonl.gz'] = gz.subarray(0, Math.floor(gz.length / 2));
  files['corrupt.jsonl.gz'] = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(64, 0xa5), gz.subarray(84)]);
  files['gzip-magic-only.jsonl.gz'] = Buffer.from([0x1f, 0x8b]);
  files['plain-named.jsonl.gz'] = text;
  // The header is neither hashed nor signed, and "\/" is "/" in JSON: a valid header, however spelled (intact).
  const escapedSlash = (t: string) => t.replace('"format":"audit-export/1"', '"format":"audit-export\\/1"');
  files['header-escaped-slash.jsonl'] = escapedSlash(text);
  // An honest export whose decisions carry decision_id, path and result (OPA's event members), in their data
  // and as top-level members, behind that header: still ours, not an OPA log (intact).
  const opaWords = buildLines(
    specs(12).map((_, i) => ({ kind: 'policy.decision', data: { decision_id: `d-${i}`, request_id: `r-${i}`, path: 'agents/tools/allow', result: i % 2 === 0, bundles: {} } })),
    { every: 5 },
  ).map((l) => (l.type === 'event' ? { ...l, decision_id: `d-${String(l.seq)}`, path: 'agents/tools/allow', result: true } : l));
  files['opa-lookalike.jsonl'] = escapedSlash(toText(rechainWithCheckpoints(opaWords)));
  files['trust.json'] = JSON.stringify(trustFor());
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  mkdirSync(CORPUS_DIR, { recursive: true });
  for (const [name, content] of Object.entries(corpusFiles())) writeFileSync(path.join(CORPUS_DIR, name), content);
  console.log(`wrote ${Object.keys(corpusFiles()).length} files to ${CORPUS_DIR}`);
}
