/**
 * agent-mesh AuditLog entries as StdoutAuditSink writes them: one JSON object
 * a line, hash-chained by entry_hash / previous_hash, nothing keyed or signed.
 */
import { MESH_AUTH, meshHashInput } from '../../../shared/formats/agt/hashing';
import { meshCaseEvent, outside } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { firstLine, nodeSha256Hex } from './source';
import { hashOnlyVerification, objectLines } from './agt-common';

export const agtMeshJsonlReader: FormatReader = {
  id: 'agt-mesh-jsonl',
  describe: 'AGT agent-mesh audit log, JSON Lines from StdoutAuditSink (SHA-256 chain, no key)',
  detect(head) {
    const l = firstLine(head);
    if (!l.startsWith('{') || !l.includes('"entry_hash"') || !l.includes('"previous_hash"') || l.includes('"content_hash"')) return null;
    return { score: 90, reason: 'the first line is a JSON object with entry_hash and previous_hash, as agent-mesh StdoutAuditSink writes' };
  },
  async verify(o) {
    const chain = new ChainCheck({ noun: 'entry', isGenesis: (p) => p === '', firstMustBeGenesis: false });
    const lines = objectLines(o, 'entry', (f) => chain.unreadable(f));
    for await (const { ln, index: i, entry: e } of lines) {
      const recorded = typeof e.get('entry_hash') === 'string' ? (e.get('entry_hash') as string) : null;
      const prev = typeof e.get('previous_hash') === 'string' ? (e.get('previous_hash') as string) : null;
      const input = meshHashInput(e);
      if (!input.ok || recorded === null || prev === null) {
        chain.unreadable(finding('malformed-line', i, ln.line, `Entry ${i} cannot be checked because ${!input.ok ? input.problem : 'it has no entry_hash or previous_hash'}.`));
        continue;
      }
      const computed = nodeSha256Hex(input.text);
      chain.entry(i, ln.line, recorded, prev, computed);
      const unauth = outside(e, MESH_AUTH);
      for (const k of unauth) chain.unauthenticated.add(k);
      o.onEvent?.(meshCaseEvent(e, i, ln.line, ln.text, { canonical: input.text, recordedHash: recorded, computedHash: computed, prevHash: prev }, unauth));
    }
    return hashOnlyVerification(this.id, o.formatReason, chain, { malformed: lines.stats.entries > 0 && lines.stats.readable === 0, noun: 'entry', details: {} });
  },
};
