/**
 * agent-mesh AuditLog entries as StdoutAuditSink writes them: one JSON object
 * a line, hash-chained by entry_hash / previous_hash, nothing keyed or signed.
 */
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { firstEntry, hasMembers } from './head-view';
import { hashOnlyVerification, lineProblem } from './agt-common';
import { lineJobResults } from './parallel-lines';

export const agtMeshJsonlReader: FormatReader = {
  id: 'agt-mesh-jsonl',
  describe: 'AGT agent-mesh audit log, JSON Lines from StdoutAuditSink (SHA-256 chain, no key)',
  detect(head) {
    const e = firstEntry(head);
    if (!hasMembers(e, 'entry_hash', 'previous_hash') || e.has('content_hash')) return null;
    return { score: 90, reason: 'the first line is a JSON object with entry_hash and previous_hash, as agent-mesh StdoutAuditSink writes' };
  },
  async verify(o) {
    const chain = new ChainCheck({ noun: 'entry', isGenesis: (p) => p === '', firstMustBeGenesis: false });
    let entries = 0;
    let readable = 0;
    // Parsing and hashing run on the hash workers (line-jobs.ts); the chain is checked here, in file order.
    for await (const r of lineJobResults(o, 'agt-mesh-jsonl', (bytes) => o.onProgress?.(bytes, entries))) {
      if (r.t === 'run') {
        chain.entryRun(entries, r.line, r.first, r.count, r.last);
        entries += r.count;
        readable += r.count;
        for (const k of r.unauthenticated) chain.unauthenticated.add(k);
        continue;
      }
      if (r.t === 'unreadable' || r.t === 'unchecked') {
        // `count` consecutive lines with the same problem: each counted, the first ones listed.
        const n = r.count ?? 1;
        const first = entries;
        entries += n;
        if (r.t === 'unreadable') {
          chain.unreadableRun(
            n,
            (k) => r.line + k,
            (k) => lineProblem(r.why, { line: r.line + k, terminated: r.terminated }, first + k, 'entry'),
            r.terminated ? 'malformed-line' : 'truncated',
          );
          continue;
        }
        readable += n;
        chain.unreadableRun(
          n,
          (k) => r.line + k,
          (k) => finding('malformed-line', first + k, r.line + k, `Entry ${first + k} cannot be checked because ${r.problem}.`),
        );
        continue;
      }
      const i = entries++;
      readable++;
      chain.entry(i, r.line, r.recorded, r.prev, r.computed);
      for (const k of r.unauthenticated) chain.unauthenticated.add(k);
      if (r.event) o.onEvent?.({ ...r.event, index: i, seq: i });
    }
    return hashOnlyVerification(this.id, o.formatReason, chain, { malformed: entries > 0 && readable === 0, noun: 'entry', details: {} });
  },
};
