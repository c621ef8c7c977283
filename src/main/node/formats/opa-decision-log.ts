/**
 * Open Policy Agent decision logs: JSON Lines as the console logger prints
 * them, or the gzip JSON arrays the decision-log upload sends. OPA neither
 * chains nor signs its events, so the reader shows each decision and says the
 * log proves nothing about its own integrity.
 */
import { LexObject, type LexValue } from '../../../shared/json/lexeme-json';
import { compactJson, decisionOf, text } from '../../../shared/formats/agt/case-events';
import { toRfc3339 } from '../../../shared/formats/agt/hashing';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { forEachItem, noChainVerification } from './no-chain';
import { firstEntries, hasMembers } from './head-view';

function outcomeOf(result: LexValue | undefined): string | null {
  if (result === true) return 'allow';
  if (result === false) return 'deny';
  if (typeof result === 'string') return result === 'true' ? 'allow' : result === 'false' ? 'deny' : decisionOf(result);
  if (result instanceof LexObject) {
    const allow = result.get('allow') ?? result.get('allowed');
    if (allow === true) return 'allow';
    if (allow === false) return 'deny';
    return decisionOf(result.get('decision') ?? result.get('effect'));
  }
  return null;
}

function strings(v: LexValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function clip(s: string, n = 160): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export const opaDecisionLogReader: FormatReader = {
  id: 'opa-decision-log',
  describe: 'Open Policy Agent decision log: console JSON Lines or gzip JSON array from the log upload (no chain)',
  detect(head) {
    // OPA's console log mixes server messages with decision events: the first entry that is a decision decides.
    const event = firstEntries(head).find((e) => hasMembers(e, 'decision_id'));
    if (!hasMembers(event, 'decision_id') || typeof event.get('decision_id') !== 'string') return null;
    if (event.get('type') === 'openpolicyagent.org/decision_logs' || event.get('msg') === 'Decision Log') {
      return { score: 95, reason: 'entries with decision_id typed openpolicyagent.org/decision_logs, as OPA writes decision logs' };
    }
    if (event.has('path') && (event.has('result') || event.has('bundles'))) {
      return { score: 80, reason: 'entries with decision_id, path and result, the OPA decision log event layout' };
    }
    return null;
  },
  async verify(o) {
    const findings = new FindingCollector();
    const unauth = new Set<string>();
    const revisions: Record<string, string[]> = {};
    const erased = new Set<string>();
    const masked = new Set<string>();
    let withErased = 0;
    const r = await forEachItem(o.path, o.signal, 'decision', ({ value, index, line, raw }) => {
      if (!(value instanceof LexObject) || !value.has('decision_id')) {
        findings.push(finding('malformed-line', index, line, `Entry ${index} is not an OPA decision event (it has no decision_id).`));
        return;
      }
      for (const k of value.keys()) unauth.add(k);
      const bundles = value.get('bundles');
      const revs: string[] = [];
      if (bundles instanceof LexObject) {
        for (const [name, b] of bundles.members) {
          const rev = b instanceof LexObject ? text(b.get('revision')) : '';
          const known = (revisions[name] ??= []);
          if (!known.includes(rev)) known.push(rev);
          revs.push(`${name}@${rev || '?'}`);
        }
      }
      const er = strings(value.get('erased'));
      const ma = strings(value.get('masked'));
      er.forEach((p) => erased.add(p));
      ma.forEach((p) => masked.add(p));
      if (er.length) withErased++;
      const result = value.get('result');
      const path = text(value.get('path')) || text(value.get('query'));
      const input = value.get('input');
      const labels = value.get('labels');
      const requester = text(value.get('requested_by'));
      const parts = [
        `${path || 'query'} → ${result === undefined ? 'no result' : clip(compactJson(result), 80)}`,
        `decision ${text(value.get('decision_id'))}`,
        revs.length ? `bundles ${revs.join(', ')}` : '',
        er.length ? `erased ${er.join(', ')}` : '',
        ma.length ? `masked ${ma.join(', ')}` : '',
        input === undefined ? 'no input logged' : `input ${clip(compactJson(input), 80)}`,
      ].filter(Boolean);
      o.onEvent?.({
        index,
        seq: index,
        line,
        ts: toRfc3339(text(value.get('timestamp')) || text(value.get('time'))),
        kind: 'policy.decision',
        actorType: requester ? 'system' : 'unknown',
        actorId: requester || (labels instanceof LexObject ? text(labels.get('id')) : '') || 'opa',
        outcome: outcomeOf(result),
        summary: parts.join('; '),
        raw: raw ?? compactJson(value),
        canonical: null,
        recordedHash: null,
        computedHash: null,
        prevHash: null,
        unauthenticated: value.keys(),
      });
    });
    return noChainVerification({
      format: this.id,
      formatReason: o.formatReason,
      findings: r.findings.add(findings),
      events: r.items,
      malformed: r.items > 0 && r.readable === 0,
      what: 'OPA decision logs',
      noun: 'decision',
      unauthenticated: unauth,
      details: {
        layout: r.mode === 'lines' ? 'console JSON Lines' : 'JSON array (decision log upload)',
        bundleRevisions: revisions,
        erasedPaths: [...erased].sort(),
        maskedPaths: [...masked].sort(),
        replayable: false,
        notReplayableReason:
          withErased > 0
            ? `${withErased} decision(s) had input erased before logging, and Audit Replay does not evaluate Rego policies.`
            : 'Audit Replay replays Cedar bundles; it does not evaluate Rego policies, and the log does not contain the policy bundle.',
      },
    });
  },
};
