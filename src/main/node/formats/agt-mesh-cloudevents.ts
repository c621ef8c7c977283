/**
 * agent-mesh AuditLog.export_cloudevents(): a JSON array of CloudEvents 1.0.
 * Each entry is rebuilt from the event's parts and hashed as in the stdout log.
 */
import { LexObject } from '../../../shared/json/lexeme-json';
import { checkCloudEvent, eventTypeOfCloudEvent, toRfc3339 } from '../../../shared/formats/agt/hashing';
import { compactJson, decisionOf, meshKind, outside, text } from '../../../shared/formats/agt/case-events';
import { ChainCheck } from '../../../shared/formats/chain-check';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { readText } from './source';
import { nodeSha256Hex } from '../read/hashes';
import { hashOnlyVerification, parseDocument } from './agt-common';
import { arrayElements, hasMembers } from './head-view';

// Envelope members the rebuilt entry covers; data members are covered except the merged unhashed ones.
const COVERED = new Set(['id', 'source', 'type', 'time', 'data', 'agentmeshentryhash', 'agentmeshprevioushash']);
const DATA_UNHASHED = ['policy_decision', 'matched_rule', 'policy_version', 'arguments_hash', 'approver_did', 'issued_at', 'completed_at'];

export const agtMeshCloudEventsReader: FormatReader = {
  id: 'agt-mesh-cloudevents',
  describe: 'AGT agent-mesh export_cloudevents() JSON array of CloudEvents (SHA-256 chain, no key)',
  detect(head) {
    if (!hasMembers(arrayElements(head)?.[0], 'agentmeshentryhash')) return null;
    return { score: 95, reason: 'a JSON array of CloudEvents with agentmeshentryhash, as agent-mesh export_cloudevents() writes' };
  },
  async verify(o) {
    const doc = parseDocument(await readText(o.path), 'event');
    const chain = new ChainCheck({ noun: 'event', isGenesis: (p) => p === '', firstMustBeGenesis: false });
    const extra = new FindingCollector();
    if (doc.error) extra.push(doc.error);
    const notArray = !doc.error && !Array.isArray(doc.value);
    if (notArray) extra.push(finding('malformed-line', null, 1, 'The file is JSON but not an array of CloudEvents.'));
    const items = doc.error ? doc.elements.map((e) => e.value) : Array.isArray(doc.value) ? doc.value : [];
    let mergedGuesses = 0;
    items.forEach((v, i) => {
      const line = v instanceof LexObject ? doc.lines.lineOf(v.start) : 1;
      const recorded = v instanceof LexObject ? v.get('agentmeshentryhash') : undefined;
      if (!(v instanceof LexObject) || typeof recorded !== 'string') {
        chain.unreadable(finding('malformed-line', i, line, `Event ${i} cannot be checked because it has no agentmeshentryhash.`));
        return;
      }
      const r = checkCloudEvent(v, recorded, nodeSha256Hex);
      if (r.ok === false) {
        chain.unreadable(finding('malformed-line', i, line, `Event ${i} cannot be checked because ${r.problem}.`));
        return;
      }
      const prev = v.get('agentmeshprevioushash') as string;
      chain.entry(i, line, recorded, prev, r.computed);
      if (r.ok === true && r.keptInData.length) {
        mergedGuesses++;
        extra.push(
          finding(
            'unverifiable-entry',
            i,
            line,
            `Event ${i}'s data holds ${r.keptInData.join(', ')} from the entry's own data; the export merged these names with the entry's fields, so the entry's ${r.keptInData.join(', ')} field values are lost.`,
          ),
        );
      }
      const data = v.get('data') as LexObject;
      const unauth = outside(v, COVERED);
      for (const k of DATA_UNHASHED) if (data.has(k) && !(r.ok === true && r.keptInData.includes(k))) unauth.push(`data.${k}`);
      for (const k of unauth) chain.unauthenticated.add(k);
      const eventType = eventTypeOfCloudEvent(text(v.get('type'))) ?? '';
      const decision = decisionOf(data.get('policy_decision')) ?? (eventType === 'tool_blocked' ? 'deny' : null);
      const time = text(v.get('time'));
      o.onEvent?.({
        index: i,
        seq: i,
        line,
        ts: toRfc3339(time),
        kind: meshKind(eventType),
        actorType: 'agent',
        actorId: text(v.get('source')),
        outcome: decision,
        summary: `${eventType}: ${text(data.get('action'))}${data.get('resource') ? ` on ${text(data.get('resource'))}` : ''} (${text(data.get('outcome'))})${decision ? `, policy ${decision}` : ''}`,
        raw: compactJson(v),
        canonical: r.canonical,
        recordedHash: recorded,
        computedHash: r.computed,
        prevHash: prev,
        unauthenticated: unauth,
      });
    });
    return hashOnlyVerification(this.id, o.formatReason, chain, {
      malformed: doc.error !== null || notArray,
      noun: 'event',
      details: { eventsWithMergedNames: mergedGuesses },
      extraFindings: extra,
    });
  },
};
