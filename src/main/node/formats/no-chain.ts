/** Shared by the logs that carry no chain at all (OPA decision logs, OTLP traces). */
import type { LexValue } from '../../../shared/json/lexeme-json';
import { LexObject as LexObjectClass, parseLexJson } from '../../../shared/json/lexeme-json';
import { finding, FindingCollector, type Finding } from '../../../shared/verify/findings';
import type { FormatVerification } from '../../../shared/formats/case-model';
import { buildVerification, lineProblem, parseDocument } from './agt-common';
import { readLines, readText, readHead } from './source';

export function noChainFinding(what: string): Finding {
  return finding(
    'unanchored',
    null,
    null,
    `${what} have no hash chain, signature or key: an entry could be edited, deleted or added without leaving a trace, so nothing in this file can be proven untampered.`,
  );
}

export interface Item {
  value: LexValue;
  index: number;
  line: number;
  raw: string | null;
  /** In a JSON document: the line of an offset, for objects inside the item. Null for JSON Lines. */
  lineOf: ((offset: number) => number) | null;
}

/**
 * Visits the top-level items of a JSON Lines file (streamed) or of a JSON
 * document (an array's elements, or the document itself), gzip or not.
 */
export async function forEachItem(
  path: string,
  signal: AbortSignal | undefined,
  noun: string,
  visit: (item: Item) => void,
): Promise<{ findings: FindingCollector; items: number; readable: number; mode: 'lines' | 'document' }> {
  const findings = new FindingCollector();
  const head = (await readHead(path, 64 * 1024)).trimStart();
  const firstNl = head.indexOf('\n');
  let lines = false;
  if (head.startsWith('{') && firstNl > 0) {
    try {
      parseLexJson(head.slice(0, firstNl).trim());
      lines = true;
    } catch {
      lines = false;
    }
  } else if (head.startsWith('{')) lines = true;
  let items = 0;
  let readable = 0;
  if (lines) {
    for await (const ln of readLines(path, { signal })) {
      if (ln.text.trim() === '') continue;
      const index = items++;
      let v: LexValue;
      try {
        v = parseLexJson(ln.text);
      } catch (err) {
        findings.push(lineProblem(err instanceof Error ? err.message : String(err), ln, index, noun));
        continue;
      }
      readable++;
      visit({ value: v, index, line: ln.line, raw: ln.text, lineOf: null });
    }
    return { findings, items, readable, mode: 'lines' };
  }
  const doc = parseDocument(await readText(path), noun);
  if (doc.error) findings.push(doc.error);
  const values = doc.error ? doc.elements.map((e) => e.value) : Array.isArray(doc.value) ? doc.value : doc.value === null ? [] : [doc.value];
  for (const v of values) {
    const index = items++;
    readable++;
    visit({ value: v, index, line: v instanceof LexObjectClass ? doc.lines.lineOf(v.start) : 1, raw: null, lineOf: (off) => doc.lines.lineOf(off) });
  }
  return { findings, items, readable, mode: 'document' };
}

export function noChainVerification(p: {
  format: string;
  formatReason: string | undefined;
  findings: FindingCollector;
  events: number;
  malformed: boolean;
  what: string;
  noun: string;
  unauthenticated: Iterable<string>;
  details: Record<string, unknown>;
}): FormatVerification {
  return buildVerification({
    format: p.format,
    formatReason: p.formatReason ?? `read as ${p.format}`,
    findings: p.findings.add([noChainFinding(p.what)]),
    events: p.events,
    headHash: null,
    chainStart: 'none',
    unauthenticated: p.unauthenticated,
    malformed: p.malformed,
    anchored: false,
    anchorSentence: `${p.what.toLowerCase()} have no hash chain, signature or key, so edits, deletions and insertions cannot be detected.`,
    noun: p.noun,
    details: { ...p.details, hasChain: false },
  });
}
