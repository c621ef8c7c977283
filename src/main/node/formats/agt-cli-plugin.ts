/**
 * AGT's Claude Code / opencode plugin audit log (~/.claude/agt/audit-log.json):
 * hash-compatible with the TypeScript SDK export, but its own writer, with
 * its own member order, its own hash (five members only) and its own known
 * failure: past 10,000 entries it drops its head and then refuses itself.
 */
import { inPluginOrder, PLUGIN_AUTH, PLUGIN_MAX_ENTRIES, pluginHashInput, pluginMidChainSentence } from '../../../shared/formats/agt/cli-plugin';
import { finding } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { hashOnlyVerification } from './agt-common';
import { arrayElements, hasMembers } from './head-view';
import { readEntryArray } from './agt-ts-sdk';

export const agtCliPluginReader: FormatReader = {
  id: 'agt-cli-plugin',
  describe: 'AGT Claude Code / opencode plugin audit log (lib/audit.mjs) JSON array (SHA-256 chain, no key)',
  detect(head) {
    const first = arrayElements(head)?.[0];
    if (!hasMembers(first, 'previousHash', 'agentId', 'hash') || !inPluginOrder(first)) return null;
    return { score: 92, reason: 'a JSON array of entries with agentId and previousHash written right before hash, as the AGT Claude Code and opencode plugins write them' };
  },
  async verify(o) {
    const r = await readEntryArray(o, { hashInput: pluginHashInput, auth: PLUGIN_AUTH });
    const details: Record<string, unknown> = { plugin: 'agent-governance-claude-code / agent-governance-opencode lib/audit.mjs', keepsLast: PLUGIN_MAX_ENTRIES };
    if (r.chain.chainStart === 'anchored-head') {
      r.extra.push(finding('starts-mid-chain', 0, r.firstLine ?? 1, pluginMidChainSentence(r.chain.events, r.chain.firstPrevHash ?? '')));
      details.rotation = r.chain.events === PLUGIN_MAX_ENTRIES ? 'consistent with the plugin dropping its head at its 10,001st append' : 'not explained by the plugin\'s rotation (it leaves exactly 10,000 entries)';
    }
    return hashOnlyVerification(this.id, o.formatReason, r.chain, { malformed: r.malformed, noun: 'entry', details, extraFindings: r.extra });
  },
};
