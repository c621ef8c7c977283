/**
 * agent-mesh FileAuditSink: JSON lines, each with content_hash (SHA-256 of the
 * content members) chained by previous_hash and an HMAC-SHA256 over the
 * content_hash. With the right secret the chain is anchored; without it the
 * file is only hash-chained. The secret stays in this function's arguments.
 */
import { FILE_SINK_AUTH, fileSinkHashInput } from '../../../shared/formats/agt/hashing';
import { meshCaseEvent, outside } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { hmacSha256Hex, nodeSha256Hex } from '../read/hashes';
import { firstEntry, hasMembers } from './head-view';
import { buildVerification, chainDetails, HASH_ONLY, objectLines } from './agt-common';

export const agtFileSinkReader: FormatReader = {
  id: 'agt-file-sink',
  describe: 'AGT FileAuditSink JSON Lines (SHA-256 chain, HMAC-SHA256 per line; secret via --hmac-key-file)',
  detect(head) {
    if (!hasMembers(firstEntry(head), 'content_hash', 'signature', 'previous_hash')) return null;
    return { score: 95, reason: 'the first line is a JSON object with content_hash, previous_hash and signature, as AGT FileAuditSink writes' };
  },
  async verify(o) {
    const key = o.hmacKey;
    const chain = new ChainCheck({ noun: 'entry', isGenesis: (p) => p === '', firstMustBeGenesis: true });
    const sigFindings = new FindingCollector();
    let signed = 0;
    const lines = objectLines(o, 'entry', (f) => chain.unreadable(f));
    for await (const { ln, index: i, entry: e } of lines) {
      const recorded = e.get('content_hash');
      const prev = e.get('previous_hash');
      const input = fileSinkHashInput(e);
      if (!input.ok || typeof recorded !== 'string' || typeof prev !== 'string') {
        chain.unreadable(finding('malformed-line', i, ln.line, `Entry ${i} cannot be checked because ${!input.ok ? input.problem : 'it has no content_hash or previous_hash'}.`));
        continue;
      }
      const computed = nodeSha256Hex(input.text);
      chain.entry(i, ln.line, recorded, prev, computed);
      if (key) {
        signed++;
        const sig = e.get('signature');
        // The HMAC covers the recorded content_hash; a changed content shows as a hash mismatch instead.
        if (typeof sig !== 'string' || sig.toLowerCase() !== hmacSha256Hex(key, recorded)) {
          sigFindings.push(finding('bad-signature', i, ln.line, `Entry ${i}'s HMAC does not match the secret given: the entry was forged or re-signed by someone without the secret.`));
        }
      }
      const unauth = outside(e, FILE_SINK_AUTH);
      for (const k of unauth) chain.unauthenticated.add(k);
      o.onEvent?.(meshCaseEvent(e, i, ln.line, ln.text, { canonical: input.text, recordedHash: recorded, computedHash: computed, prevHash: prev }, unauth));
    }
    const findings = new FindingCollector().add(chain.findings);
    // Every line failing is the mark of a wrong secret, not of a forger who missed a few lines:
    // who vouches is unknown (not proven), which is not the same as "altered".
    const wrongSecret = key !== null && signed > 0 && sigFindings.count() === signed;
    if (wrongSecret) {
      const f = sigFindings.listed()[0];
      findings.push(
        finding(
          'wrong-secret',
          f.seq,
          f.line,
          `No entry's HMAC matches the secret given (${signed} of ${signed} fail): the secret is probably not the one this log was written with, so nothing you hold vouches for it. If it is the right secret, every entry was forged.`,
        ),
      );
    } else findings.add(sigFindings);
    return buildVerification({
      format: this.id,
      formatReason: o.formatReason ?? `read as ${this.id}`,
      findings,
      events: chain.events,
      headHash: chain.headHash,
      chainStart: chain.chainStart,
      unauthenticated: chain.unauthenticated,
      malformed: lines.stats.entries > 0 && lines.stats.readable === 0,
      anchored: key !== null && !wrongSecret,
      signer: { status: key === null ? 'none' : wrongSecret ? 'wrong-secret' : 'trusted', key_id: null, public_key: null },
      anchorSentence: wrongSecret
        ? 'no entry carries an HMAC made with the secret given: check that it is the secret this log was written with.'
        : key
          ? 'every entry carries a valid HMAC made with the secret given.'
          : `no HMAC secret was given (--hmac-key-file), so the HMACs were not checked and ${HASH_ONLY}`,
      noun: 'entry',
      details: { ...chainDetails(chain), hmacChecked: key !== null, hmacFailures: sigFindings.count() },
    });
  },
};
