/**
 * @microsoft/agent-governance-sdk AuditLogger.exportJSON(): one JSON array of
 * {timestamp, agentId, action, decision, hash, previousHash}, each hash over
 * JSON.stringify of the entry without it. Genesis previousHash is 64 zeros; an
 * export after eviction starts at an entry whose predecessor is gone.
 */
import { LexObject, type LexValue } from '../../../shared/json/lexeme-json';
import { TS_SDK_AUTH, tsSdkHashInput, ZERO_HASH, type HashInput } from '../../../shared/formats/agt/hashing';
import { compactJson, decisionOf, outside, text } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader, VerifyFileOptions } from './reader';
import { readText } from './source';
import { nodeSha256Hex } from '../read/hashes';
import { hashOnlyVerification, parseDocument } from './agt-common';
import { arrayElements, hasMembers } from './head-view';

export const agtTsSdkReader: FormatReader = {
  id: 'agt-ts-sdk',
  describe: 'AGT TypeScript SDK AuditLogger.exportJSON() JSON array (SHA-256 chain, no key)',
  detect(head) {
    const elements = arrayElements(head);
    if (elements?.length === 0 && head.documentComplete) return { score: 10, reason: 'an empty JSON array, as the AGT TypeScript SDK exports a fresh logger' };
    if (!hasMembers(elements?.[0], 'previousHash', 'agentId')) return null;
    return { score: 90, reason: 'a JSON array of entries with agentId, hash and previousHash, as the AGT TypeScript SDK exportJSON() writes' };
  },
  async verify(o) {
    const r = await readEntryArray(o, { hashInput: tsSdkHashInput, auth: TS_SDK_AUTH });
    return hashOnlyVerification(this.id, o.formatReason, r.chain, { malformed: r.malformed, noun: 'entry', details: {}, extraFindings: r.extra });
  },
};

/** How one writer of {timestamp, agentId, action, decision, previousHash, hash} arrays hashes an entry. */
export interface EntryArrayRecipe {
  hashInput: (entry: LexObject) => HashInput;
  /** Members the hash covers, and the hash itself. */
  auth: ReadonlySet<string>;
  /** Also read {"seamHash", "entries"}, the layout later CLI-plugin versions write once they have evicted entries. */
  seamLayout?: boolean;
}

/** Reads and chain-checks a JSON array of AGT TypeScript-style entries (SDK export or CLI plugin log), streaming events. */
export async function readEntryArray(
  o: VerifyFileOptions,
  recipe: EntryArrayRecipe,
): Promise<{ chain: ChainCheck; extra: FindingCollector; malformed: boolean; firstLine: number | null; seam: { hash: LexValue | undefined } | null }> {
  const doc = parseDocument(await readText(o.path), 'entry');
  const chain = new ChainCheck({ noun: 'entry', isGenesis: (p) => p === ZERO_HASH, firstMustBeGenesis: false });
  const extra = new FindingCollector();
  if (doc.error) extra.push(doc.error);
  const seamed = recipe.seamLayout && doc.value instanceof LexObject && Array.isArray(doc.value.get('entries')) ? doc.value : null;
  const notArray = !doc.error && !Array.isArray(doc.value) && !seamed;
  if (notArray) extra.push(finding('malformed-line', null, 1, 'The file is JSON but not an array of audit entries.'));
  const items = doc.error ? doc.elements.map((e) => e.value) : Array.isArray(doc.value) ? doc.value : ((seamed?.get('entries') as LexValue[] | undefined) ?? []);
  let schemaBroken = false;
  items.forEach((v, i) => {
    const line = v instanceof LexObject ? doc.lines.lineOf(v.start) : 1;
    const input = v instanceof LexObject ? recipe.hashInput(v) : ({ ok: false, problem: 'it is not a JSON object' } as const);
    const rec = v instanceof LexObject ? v.get('hash') : undefined;
    const prev = v instanceof LexObject ? v.get('previousHash') : undefined;
    if (!(v instanceof LexObject) || !input.ok || typeof rec !== 'string' || typeof prev !== 'string') {
      schemaBroken = true;
      chain.unreadable(finding('malformed-line', i, line, `Entry ${i} cannot be checked because ${!input.ok ? input.problem : 'its hash or previousHash is not a text'}.`));
      return;
    }
    const computed = nodeSha256Hex(input.text);
    chain.entry(i, line, rec, prev, computed);
    const unauth = outside(v, recipe.auth);
    for (const k of unauth) chain.unauthenticated.add(k);
    const action = v.get('action');
    o.onEvent?.({
      index: i,
      seq: i,
      line,
      ts: text(v.get('timestamp')),
      kind: 'policy.decision',
      actorType: 'agent',
      actorId: text(v.get('agentId')),
      outcome: decisionOf(v.get('decision')) ?? (text(v.get('decision')) === 'review' ? 'require_approval' : null),
      summary: `${typeof action === 'string' ? action : compactJson(action ?? null)}: ${text(v.get('decision'))}`,
      raw: compactJson(v),
      canonical: input.text,
      recordedHash: rec,
      computedHash: computed,
      prevHash: prev,
      unauthenticated: unauth,
    });
  });
  const firstLine = items[0] instanceof LexObject ? doc.lines.lineOf(items[0].start) : null;
  // The seam is written beside the entries and covered by no hash.
  if (seamed) for (const k of seamed.keys()) if (k !== 'entries') chain.unauthenticated.add(k);
  return { chain, extra, malformed: doc.error !== null || notArray || schemaBroken, firstLine, seam: seamed ? { hash: seamed.get('seamHash') } : null };
}
