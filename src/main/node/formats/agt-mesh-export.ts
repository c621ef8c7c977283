/**
 * agent-mesh AuditLog.export(): one JSON document with the entries and a
 * Merkle root over all their hashes. Entries hash as in the stdout log; the
 * root is checked only when the file holds the whole log from its genesis.
 */
import { LexObject, type LexValue } from '../../../shared/json/lexeme-json';
import { agtMerkleRoot, MESH_AUTH, meshHashInput } from '../../../shared/formats/agt/hashing';
import { compactJson, meshCaseEvent, outside } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { readText } from './source';
import { nodeSha256Hex } from '../read/hashes';
import { hashOnlyVerification, parseDocument } from './agt-common';
import { hasMembers } from './head-view';

const EXPORT_KEYS = new Set(['exported_at', 'merkle_root', 'chain_root', 'entry_count', 'entries']);

export const agtMeshExportReader: FormatReader = {
  id: 'agt-mesh-export',
  describe: 'AGT agent-mesh AuditLog.export() JSON document (SHA-256 chain and Merkle root, no key)',
  detect(head) {
    const d = head.document;
    if (!hasMembers(d, 'entries') || !Array.isArray(d.get('entries')) || !(d.has('merkle_root') || d.has('chain_root'))) return null;
    return { score: 95, reason: 'a JSON object with merkle_root and entries, as agent-mesh AuditLog.export() writes' };
  },
  async verify(o) {
    const text = await readText(o.path);
    const doc = parseDocument(text, 'the document');
    const chain = new ChainCheck({ noun: 'entry', isGenesis: (p) => p === '', firstMustBeGenesis: false });
    const extra = new FindingCollector();
    const details: Record<string, unknown> = {};
    const root = doc.value instanceof LexObject ? doc.value : null;
    const entries = root?.get('entries');
    if (doc.error) chain.findings.push(doc.error);
    else if (!root || !Array.isArray(entries)) {
      chain.findings.push(finding('malformed-line', null, 1, 'The file is JSON but not an AGT audit export: it has no "entries" array.'));
    } else {
      const recorded: string[] = [];
      entries.forEach((v: LexValue, i: number) => {
        const line = v instanceof LexObject ? doc.lines.lineOf(v.start) : 1;
        const h = v instanceof LexObject ? v.get('entry_hash') : undefined;
        const prev = v instanceof LexObject ? v.get('previous_hash') : undefined;
        const input = v instanceof LexObject ? meshHashInput(v) : ({ ok: false, problem: 'it is not a JSON object' } as const);
        if (!(v instanceof LexObject) || !input.ok || typeof h !== 'string' || typeof prev !== 'string') {
          chain.unreadable(finding('malformed-line', i, line, `Entry ${i} cannot be checked because ${!input.ok ? input.problem : 'it has no entry_hash or previous_hash'}.`));
          return;
        }
        recorded.push(h);
        const computed = nodeSha256Hex(input.text);
        chain.entry(i, line, h, prev, computed);
        const unauth = outside(v, MESH_AUTH);
        for (const k of unauth) chain.unauthenticated.add(k);
        o.onEvent?.(meshCaseEvent(v, i, line, compactJson(v), { canonical: input.text, recordedHash: h, computedHash: computed, prevHash: prev }, unauth));
      });
      for (const k of root.keys()) if (!EXPORT_KEYS.has(k)) chain.unauthenticated.add(k);
      chain.unauthenticated.add('exported_at');
      const count = root.get('entry_count');
      const countN = count && typeof count === 'object' && 'lexeme' in count ? Number(count.lexeme) : null;
      if (countN !== null && countN !== entries.length) {
        extra.push(finding('checkpoint-mismatch', null, null, `The export says it holds ${countN} entries but the file holds ${entries.length}: entries were added or removed.`));
      }
      const merkle = root.get('merkle_root');
      const chainRoot = root.get('chain_root');
      details.merkleRoot = typeof merkle === 'string' ? merkle : null;
      const complete = chain.chainStart === 'genesis' && recorded.length === entries.length;
      if (!complete && entries.length > 0) {
        details.merkleRootCheck = 'not checkable: the file does not hold the log from its first entry on (a partial export)';
        extra.push(
          finding('partial', null, null, 'This is a partial export: its first entry links to an entry not in the file, and its Merkle root covers the whole log, so the root cannot be checked.'),
        );
      } else {
        const computedRoot = agtMerkleRoot(recorded, nodeSha256Hex);
        details.computedMerkleRoot = computedRoot;
        const bad = [
          ['merkle_root', merkle],
          ['chain_root', chainRoot],
        ].filter(([, v]) => v !== undefined && v !== computedRoot);
        details.merkleRootCheck = bad.length ? 'mismatch' : 'matches';
        if (bad.length) {
          extra.push(
            finding(
              'checkpoint-mismatch',
              null,
              null,
              `The export's ${bad.map(([n]) => n).join(' and ')} do not match the Merkle root of its entries: the entries or the root were changed after export.`,
            ),
          );
        }
      }
    }
    return hashOnlyVerification(this.id, o.formatReason, chain, {
      malformed: doc.error !== null || !Array.isArray(entries),
      noun: 'entry',
      details,
      extraFindings: extra,
    });
  },
};
