/**
 * AGT's Claude Code and opencode plugins (lib/audit.mjs, identical in both, at
 * AGT b5705588): a JSON array rewritten whole on every append, each `hash`
 * over JSON.stringify({timestamp, agentId, action, decision, previousHash})
 * of exactly those five members, the first linking to 64 zeros.
 */
import { toJs, type LexObject } from '../../json/lexeme-json';
import type { HashInput } from './hashing';

export const PLUGIN_HASHED = ['timestamp', 'agentId', 'action', 'decision', 'previousHash'] as const;
export const PLUGIN_AUTH = new Set<string>([...PLUGIN_HASHED, 'hash']);
/** The plugin keeps entries.slice(-10000) on every append. */
export const PLUGIN_MAX_ENTRIES = 10000;

/**
 * The text the plugin hashes: its object literal of the five members, so a
 * member the entry lacks is left out (JSON.stringify drops undefined), as the
 * plugin itself computes it; any other member is covered by nothing.
 */
export function pluginHashInput(entry: LexObject): HashInput {
  const obj: Record<string, unknown> = {};
  for (const name of PLUGIN_HASHED) if (entry.has(name)) obj[name] = toJs(entry.get(name));
  return { ok: true, text: JSON.stringify(obj) };
}

/** True when an entry's members come in the plugin's order: previousHash right before hash, as its object literal writes them. */
export function inPluginOrder(entry: LexObject): boolean {
  const keys = entry.keys();
  const p = keys.indexOf('previousHash');
  return p !== -1 && keys[p + 1] === 'hash' && !entry.has('skillAuditMetadata');
}

/** The sentence for a plugin log whose first entry does not link to 64 zeros. */
export function pluginMidChainSentence(entries: number, firstLinksTo: string): string {
  const count = entries.toLocaleString('en-US');
  const rotation =
    `The log starts mid-chain: entry 0 links to ${firstLinksTo}, not to 64 zeros. The AGT CLI plugin leaves its own log like this: ` +
    `on its 10,001st append it keeps only the last 10,000 entries (slice(-10000)), so entry 0 then links to an entry that is gone; ` +
    `from then on its own check (which wants 64 zeros first) fails and every later append throws, so the hook fails closed and nothing more is logged.`;
  return entries === PLUGIN_MAX_ENTRIES
    ? `${rotation} This file holds exactly 10,000 entries, as that rotation leaves it. The entries before it cannot be checked here.`
    : `${rotation} This file holds ${count} entries, not the 10,000 that rotation leaves, so rotation does not explain it: entries were removed from its head some other way. The entries before it cannot be checked here.`;
}

/** The sentence for the later plugins' {"seamHash", "entries"} file whose first entry links to its seam. */
export function pluginSeamSentence(seam: string): string {
  return (
    `The log starts after evicted entries: entry 0 links to ${seam}, the seamHash later plugin versions keep for the last entry they dropped (by default they keep the last 10,000). ` +
    'The seam is written beside the entries and covered by no hash, so a head cut that also rewrites the seam cannot be seen; the entries before it cannot be checked here.'
  );
}
