/**
 * The sample export with script, HTML and URL payloads in every field the
 * review desk shows: agent ids, kinds, tool names, request ids, decision ids,
 * determining policies (divergence fields), approvers, reasons, errors,
 * scopes, ring agents, and finding messages (a line type and a duplicate
 * member name the verifier quotes). Hashes are recomputed over the changed
 * events, so the export is honest about what it contains; its checkpoints no
 * longer match (the verdict is tampered, which puts findings on screen too).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalize } from '../../src/shared/json/canonical';
import { sha256Hex } from '../support/export-builder';

/** Each payload sets window.__xss if it ever runs. */
export const PAYLOADS = {
  img: '<img src=x onerror="window.__xss=1">',
  script: '<script>window.__xss=2</script>',
  url: 'javascript:window.__xss=3',
  svg: '"><svg onload="window.__xss=4">',
  link: '<a href="javascript:window.__xss=5">click me</a>',
  template: "{{constructor.constructor('window.__xss=6')()}}",
  iframe: '<iframe srcdoc="<script>parent.__xss=7</script>"></iframe>',
  style: '<style>*{display:none!important}</style>',
} as const;

const P = PAYLOADS;

export function writeXssExport(sample: string, dir: string): string {
  const lines = readFileSync(sample, 'utf8').trimEnd().split('\n');
  const out: string[] = [];
  const done = new Set<string>();
  let hostileRequest: string | null = null;
  let prev = '';
  for (const [i, text] of lines.entries()) {
    const obj = JSON.parse(text) as Record<string, unknown> & { data?: Record<string, unknown>; actor?: { id: string; type: string } };
    if (obj.type === 'event') {
      const d = obj.data!;
      const kind = obj.kind as string;
      // One agent's id becomes a payload everywhere (table, timeline lanes, sequence findings).
      if (obj.actor!.id === 'billing-agent') obj.actor!.id = P.img;
      if ((d.request as { principal?: { id?: string } } | undefined)?.principal?.id === 'billing-agent') (d.request as { principal: { id: string } }).principal.id = P.img;
      if (typeof d.request_id === 'string' && d.request_id === hostileRequest) d.request_id = P.link;
      if (!done.has(kind)) {
        done.add(kind);
        if (kind === 'action.requested') {
          d.tool = P.script;
          hostileRequest = d.request_id as string;
          d.request_id = P.link;
        }
        if (kind === 'policy.decision') {
          d.decision_id = P.svg;
          (d.outcome as { determining: string[] }).determining = [P.iframe, P.url];
        }
        if (kind === 'approval.requested') d.reason = P.template;
        if (kind === 'approval.granted' || kind === 'approval.denied') d.approver = P.url;
        if (kind === 'action.failed') d.error = P.style;
        if (kind === 'killswitch.engaged') d.scope = P.svg;
        if (kind === 'ring.changed') d.agent_id = P.iframe;
      }
      // A kind no exporter knows, shown as it is.
      if (i === 30) obj.kind = P.script;
      obj.prev_hash = prev || obj.prev_hash;
      const { hash: _h, ...body } = obj;
      obj.hash = sha256Hex(canonicalize(body));
      prev = obj.hash as string;
    }
    out.push(canonicalize(obj));
    // Finding messages quote what they could not read.
    if (i === 20) out.push(JSON.stringify({ type: P.img, seq: 1 }));
    if (i === 21) out.push(`{"type":"event","${P.svg.replace(/"/g, '\\"')}":1,"${P.svg.replace(/"/g, '\\"')}":2}`);
  }
  const file = path.join(dir, 'xss-everywhere.jsonl');
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}
