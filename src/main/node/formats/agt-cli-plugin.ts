/**
 * AGT's Claude Code / opencode plugin audit log (~/.claude/agt/audit-log.json):
 * hash-compatible with the TypeScript SDK export, but its own writer, with
 * its own member order, its own hash (five members only) and its own known
 * failure: past 10,000 entries it drops its head and then refuses itself.
 */
import { LexObject, type LexValue } from '../../../shared/json/lexeme-json';
import { inPluginOrder, PLUGIN_AUTH, PLUGIN_MAX_ENTRIES, pluginHashInput, pluginMidChainSentence, pluginSeamSentence } from '../../../shared/formats/agt/cli-plugin';
import { finding } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { hashOnlyVerification } from './agt-common';
import { arrayElements, hasMembers } from './head-view';
import { readEntryArray } from './agt-ts-sdk';

export const agtCliPluginReader: FormatReader = {
  id: 'agt-cli-plugin',
  describe: 'AGT Claude Code / opencode plugin audit log (lib/audit.mjs) JSON array (SHA-256 chain, no key)',
  detect(head) {
    const d = head.document;
    const seamed = d instanceof LexObject && Array.isArray(d.get('entries')) && d.has('seamHash');
    const first = seamed ? (d.get('entries') as LexValue[])[0] : arrayElements(head)?.[0];
    if (!hasMembers(first, 'previousHash', 'agentId', 'hash') || !inPluginOrder(first)) return null;
    if (seamed) return { score: 92, reason: "a JSON object with seamHash and an entries array in the AGT CLI plugin's member order, as later plugin versions write after evicting entries" };
    return { score: 92, reason: 'a JSON array of entries with agentId and previousHash written right before hash, as the AGT Claude Code and opencode plugins write them' };
  },
  async verify(o) {
    const r = await readEntryArray(o, { hashInput: pluginHashInput, auth: PLUGIN_AUTH, seamLayout: true });
    const details: Record<string, unknown> = { plugin: 'agent-governance-claude-code / agent-governance-opencode lib/audit.mjs', keepsLast: PLUGIN_MAX_ENTRIES };
    if (r.seam) {
      const seam = r.seam.hash;
      const first = r.chain.firstPrevHash;
      details.seamHash = typeof seam === 'string' ? seam : null;
      if (r.chain.events > 0 && (typeof seam !== 'string' || first !== seam)) {
        r.extra.push(
          finding(
            'broken-link',
            0,
            r.firstLine ?? 1,
            `Entry 0 links to ${first ?? '(nothing)'}, but the file's seamHash ${typeof seam === 'string' ? `says the last evicted entry was ${seam}` : 'is not a text'}: entries were removed from its head, or the seam was changed. The plugin's own check fails on this file too.`,
          ),
        );
      } else if (r.chain.events > 0) {
        r.extra.push(finding('starts-mid-chain', 0, r.firstLine ?? 1, pluginSeamSentence(seam as string)));
      }
    } else if (r.chain.chainStart === 'anchored-head') {
      r.extra.push(finding('starts-mid-chain', 0, r.firstLine ?? 1, pluginMidChainSentence(r.chain.events, r.chain.firstPrevHash ?? '')));
      details.rotation =
        r.chain.events === PLUGIN_MAX_ENTRIES ? 'consistent with the plugin dropping its head at its 10,001st append' : "not explained by the plugin's rotation (it leaves exactly 10,000 entries)";
    }
    return hashOnlyVerification(this.id, o.formatReason, r.chain, { malformed: r.malformed, noun: 'entry', details, extraFindings: r.extra });
  },
};
