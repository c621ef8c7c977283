/**
 * Two exports of the same chain: does the newer extend the older without
 * rewriting it (an RFC 6962 consistency proof between their Merkle roots),
 * continue it in a new file, or fork from it, and where?
 */
import { toHex } from '../../../shared/hex';
import { consistencyProof, leafHash, subtreeRoot, verifyConsistency } from '../../../shared/verify/merkle';
import type { ChainVerifier, ChainResult } from '../../../shared/verify/chain-verifier';
import type { TrustStore } from '../../../shared/export/types';
import type { Verdict } from '../../../shared/verify/findings';
import type { ExportRelation } from '../../../shared/verify/comparison';
import { InputError } from '../errors/errors';
import { checkRegularFile } from '../read/files';
import { verifyAuditExport } from '../formats/audit-export-reader';
import { nodeSha256 } from '../read/hashes';

export interface ExportSide {
  path: string;
  events: number;
  root: string | null;
  headHash: string | null;
  /** Each export's own verification verdict: a relation between two tampered files proves little. */
  verdict: Verdict;
}

export interface CompareResult {
  relation: ExportRelation;
  message: string;
  older: ExportSide;
  newer: ExportSide;
  consistencyProof: string[];
  forkAt: { index: number; seq: number; olderLine: number; newerLine: number } | null;
}

async function load(path: string, trust: TrustStore | null): Promise<{ chain: ChainResult; verifier: ChainVerifier }> {
  let verifier: ChainVerifier | null = null;
  const { chain } = await verifyAuditExport({ path, trust, hmacKey: null, onVerifier: (v) => (verifier = v) });
  if (!chain.header || !verifier) throw new InputError('not an audit-export/1 file', path);
  return { chain, verifier };
}

export async function compareExports(olderPath: string, newerPath: string, trust: TrustStore | null = null): Promise<CompareResult> {
  // Both up front: the newer must not be found to be a FIFO only after the older was read whole.
  await checkRegularFile(olderPath, 'older export');
  await checkRegularFile(newerPath, 'newer export');
  const [a, b] = [await load(olderPath, trust), await load(newerPath, trust)];
  const sha = nodeSha256;
  const leafOf = (v: ChainVerifier) => (i: number) => leafHash(sha, v.leaf(i));
  const rootOf = (v: ChainVerifier, n: number) => (n === 0 ? null : subtreeRoot(sha, leafOf(v), 0, n));
  const m = a.chain.events;
  const n = b.chain.events;
  const aRoot = rootOf(a.verifier, m);
  const bRoot = rootOf(b.verifier, n);
  const base = {
    older: { path: olderPath, events: m, root: aRoot && toHex(aRoot), headHash: a.chain.headHash, verdict: a.chain.verdict },
    newer: { path: newerPath, events: n, root: bRoot && toHex(bRoot), headHash: b.chain.headHash, verdict: b.chain.verdict },
    consistencyProof: [] as string[],
    forkAt: null,
  };
  const ha = a.chain.header!;
  const hb = b.chain.header!;
  if (hb.genesis === a.chain.headHash && hb.first_seq === (a.chain.lastSeq ?? -2) + 1) {
    return { ...base, relation: 'continues', message: `The newer export continues the older one: its genesis is the older export's last hash and it starts at seq ${hb.first_seq}.` };
  }
  if (ha.genesis !== hb.genesis || ha.first_seq !== hb.first_seq) {
    return { ...base, relation: 'unrelated', message: 'The two exports do not start from the same genesis and first seq, so they are not versions of one chain.' };
  }
  if (m === 0) return { ...base, relation: 'extends', message: 'The older export holds no events; anything extends it.' };
  if (m <= n) {
    const proof = consistencyProof(sha, leafOf(b.verifier), m, n);
    if (verifyConsistency(sha, m, n, aRoot!, bRoot!, proof)) {
      const hex = proof.map(toHex);
      return m === n
        ? { ...base, consistencyProof: hex, relation: 'identical', message: `Both exports hold the same ${m} events (same Merkle root).` }
        : {
            ...base,
            consistencyProof: hex,
            relation: 'extends',
            message: `The newer export extends the older one without rewriting it: its first ${m} events have the same Merkle root, proven by an RFC 6962 consistency proof of ${proof.length} hashes; ${n - m} events were added.`,
          };
    }
  }
  const limit = Math.min(m, n);
  let i = 0;
  while (i < limit && toHex(a.verifier.leaf(i)) === toHex(b.verifier.leaf(i))) i++;
  const forkAt = { index: i, seq: ha.first_seq + i, olderLine: i < m ? a.verifier.lineOf(i) : 0, newerLine: i < n ? b.verifier.lineOf(i) : 0 };
  const msg =
    i < limit
      ? `The exports fork at seq ${forkAt.seq}: the older export's event there (line ${forkAt.olderLine}) differs from the newer one's (line ${forkAt.newerLine}). History was rewritten from that point.`
      : `The newer export holds fewer events (${n}) than the older (${m}): events from seq ${forkAt.seq} on were removed.`;
  return { ...base, relation: 'forks', message: msg, forkAt };
}
