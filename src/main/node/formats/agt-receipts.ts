/**
 * AGT MCP governance receipts (ReceiptStore.export()): a JSON array of
 * Ed25519-signed receipts chained by parent_receipt_hash. The signer's key
 * travels inside each receipt, so only a key in the reviewer's trust store
 * anchors anything.
 */
import { LexObject, LexNumber } from '../../../shared/json/lexeme-json';
import { RECEIPT_AUTH, receiptPayload } from '../../../shared/formats/agt/hashing';
import { compactJson, decisionOf, outside, text } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import { utf8 } from '../../../shared/hex';
import { parseUtcTimestamp } from '../../../shared/export/timestamp';
import type { FormatReader } from './reader';
import { nodeSha256Hex, readText } from './source';
import { nodeVerifyEd25519 } from './node-ed25519';
import { buildVerification, chainDetails, HASH_ONLY, parseDocument } from './agt-common';
import { arrayElements, hasMembers } from './head-view';

function receiptTime(v: unknown): { iso: string; ms: number | null } {
  if (v instanceof LexNumber) {
    const ms = Number(v.lexeme) * 1000;
    if (Number.isFinite(ms)) return { iso: new Date(ms).toISOString(), ms };
  }
  return { iso: typeof v === 'string' ? v : '', ms: null };
}

export const agtReceiptsReader: FormatReader = {
  id: 'agt-receipts',
  describe: 'AGT MCP governance receipts JSON array (Ed25519 signatures, parent_receipt_hash chain; keys via --trust)',
  detect(head) {
    if (!hasMembers(arrayElements(head)?.[0], 'payload_hash', 'signer_public_key')) return null;
    return { score: 95, reason: 'a JSON array of receipts with payload_hash, signature and signer_public_key, as AGT ReceiptStore.export() writes' };
  },
  async verify(o) {
    const doc = parseDocument(await readText(o.path), 'receipt');
    const chain = new ChainCheck({ noun: 'receipt', isGenesis: (p) => p === null, firstMustBeGenesis: false });
    const extra = new FindingCollector();
    if (doc.error) extra.push(doc.error);
    const notArray = !doc.error && !Array.isArray(doc.value);
    if (notArray) extra.push(finding('malformed-line', null, 1, 'The file is JSON but not an array of receipts.'));
    const items = doc.error ? doc.elements.map((e) => e.value) : Array.isArray(doc.value) ? doc.value : [];
    const trusted = new Map<string, { key_id: string; revoked_at?: string }>();
    for (const k of o.trust?.keys ?? []) if (k.alg.toLowerCase() === 'ed25519') trusted.set(k.public_key.toLowerCase(), k);
    const signers = new Set<string>();
    let trustedCount = 0;
    let untrustedKey: string | null = null;
    let revokedKey: { key_id: string; public_key: string } | null = null;
    items.forEach((v, i) => {
      const line = v instanceof LexObject ? doc.lines.lineOf(v.start) : 1;
      const payload = v instanceof LexObject ? receiptPayload(v) : ({ ok: false, problem: 'it is not a JSON object' } as const);
      const rec = v instanceof LexObject ? v.get('payload_hash') : undefined;
      const parent = v instanceof LexObject ? v.get('parent_receipt_hash') : undefined;
      if (!(v instanceof LexObject) || !payload.ok || typeof rec !== 'string' || (parent !== null && typeof parent !== 'string')) {
        chain.unreadable(finding('malformed-line', i, line, `Receipt ${i} cannot be checked because ${!payload.ok ? payload.problem : 'it has no payload_hash or parent_receipt_hash'}.`));
        return;
      }
      const computed = nodeSha256Hex(payload.text);
      chain.entry(i, line, rec, parent ?? null, computed);
      const sig = text(v.get('signature'));
      const pub = text(v.get('signer_public_key')).toLowerCase();
      signers.add(pub);
      const sigOk = nodeVerifyEd25519(sig, utf8(payload.text), pub);
      if (!sigOk) {
        extra.push(finding('bad-signature', i, line, `Receipt ${i}'s signature does not verify: the receipt was changed after it was signed.`));
      } else if (o.trust) {
        const key = trusted.get(pub);
        const t = receiptTime(v.get('timestamp'));
        if (!key) {
          untrustedKey ??= pub;
          extra.push(finding('untrusted-key', i, line, `Receipt ${i} is signed by a key that is not in your trust store (${pub.slice(0, 16)}…): anyone can sign receipts with a key of their own.`));
        } else if (key.revoked_at && (t.ms === null || t.ms >= (parseUtcTimestamp(key.revoked_at) ?? -Infinity))) {
          // A time that does not parse never counts as "before the revocation".
          const when = t.ms === null ? 'at a time that does not parse, so it cannot be shown to predate the revocation' : 'after it was revoked';
          extra.push(finding('revoked-key', i, line, `Receipt ${i} is signed by key ${key.key_id} ${when} (revoked at ${key.revoked_at}).`));
          revokedKey ??= { key_id: key.key_id, public_key: pub };
        } else trustedCount++;
      }
      const unauth = outside(v, RECEIPT_AUTH);
      for (const k of unauth) chain.unauthenticated.add(k);
      const decision = decisionOf(v.get('cedar_decision'));
      o.onEvent?.({
        index: i,
        seq: i,
        line,
        ts: receiptTime(v.get('timestamp')).iso,
        kind: 'policy.decision',
        actorType: 'agent',
        actorId: text(v.get('agent_did')),
        outcome: decision,
        summary: `${text(v.get('tool_name'))}: Cedar ${text(v.get('cedar_decision'))} by ${text(v.get('cedar_policy_id'))}`,
        raw: compactJson(v),
        canonical: payload.text,
        recordedHash: rec,
        computedHash: computed,
        prevHash: parent ?? null,
        unauthenticated: unauth,
      });
    });
    const anchored = o.trust !== null && trustedCount === chain.events && chain.events > 0;
    // Assigned inside the forEach callback, which the compiler does not follow.
    const revoked = revokedKey as { key_id: string; public_key: string } | null;
    return buildVerification({
      format: this.id,
      formatReason: o.formatReason ?? `read as ${this.id}`,
      findings: new FindingCollector().add(chain.findings).add(extra),
      events: chain.events,
      headHash: chain.headHash,
      chainStart: chain.chainStart,
      unauthenticated: chain.unauthenticated,
      malformed: doc.error !== null || notArray,
      anchored,
      signer: !o.trust
        ? { status: 'none', key_id: null, public_key: null }
        : revoked
          ? { status: 'revoked', ...revoked }
          : untrustedKey
            ? { status: 'untrusted', key_id: null, public_key: untrustedKey }
            : { status: anchored ? 'trusted' : 'none', key_id: null, public_key: null },
      anchorSentence: o.trust
        ? anchored
          ? 'every receipt is signed by a key in your trust store.'
          : 'not every receipt is signed by a key in your trust store.'
        : `no trust store was given (--trust): the signatures verify only against keys carried inside the receipts, which anyone can replace, so ${HASH_ONLY}`,
      noun: 'receipt',
      details: { ...chainDetails(chain), signerKeys: [...signers].sort(), trustStoreGiven: o.trust !== null, receiptsSignedByTrustedKeys: trustedCount },
    });
  },
};
