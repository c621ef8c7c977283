/**
 * Result envelopes of AGT's Agent Control Specification runtime, one JSON
 * object a line. Nothing chains them; each input_identity / enforced_identity
 * is recomputed from policy_input. The verdict itself is covered by nothing.
 */
import { LexObject } from '../../../shared/json/lexeme-json';
import { acsIdentities } from '../../../shared/formats/agt/hashing';
import { decisionOf, outside, text } from '../../../shared/formats/agt/case-events';
import { finding, FindingCollector } from '../../../shared/verify/findings';
import type { FormatReader } from './reader';
import { nodeSha256Hex } from './source';
import { firstEntry, hasMembers } from './head-view';
import { buildVerification, objectLines } from './agt-common';

const COVERED = new Set(['policy_input', 'input_identity', 'enforced_identity', 'action_identity', 'transformed_policy_target', 'transformed_policy_target_applied']);
export const ACS_NOT_REPLAYABLE =
  "ACS decisions can only be re-evaluated by AGT's ACS runtime (npm agent-control-specification), whose native module needs glibc 2.39; it is not bundled and does not load on glibc 2.36.";

export const acsResultsReader: FormatReader = {
  id: 'acs-results',
  describe: 'AGT Agent Control Specification result envelopes, JSON Lines (identities recomputed; no chain)',
  detect(head) {
    if (!hasMembers(firstEntry(head), 'policy_input', 'input_identity')) return null;
    return { score: 95, reason: 'the first line is a JSON object with policy_input and input_identity, the ACS result envelope' };
  },
  async verify(o) {
    const findings = new FindingCollector();
    const unauthAll = new Set<string>();
    let checked = 0;
    let runtimeErrors = 0;
    const lines = objectLines(o, 'result', (f) => findings.push(f));
    for await (const { ln, index: i, entry: e } of lines) {
      const recIn = e.get('input_identity');
      const recEnf = e.get('enforced_identity');
      const recAct = e.get('action_identity');
      let computed: string | null = null;
      if (recIn === null && recEnf === null) runtimeErrors++;
      else {
        const ids = acsIdentities(e, nodeSha256Hex);
        if ('ok' in ids) findings.push(finding('malformed-line', i, ln.line, `Result ${i} cannot be checked because ${ids.problem}.`));
        else {
          checked++;
          computed = ids.input;
          const bad: string[] = [];
          if (recIn !== ids.input) bad.push('input_identity');
          if (recEnf !== ids.enforced) bad.push('enforced_identity');
          if (recAct !== undefined && recAct !== ids.enforced) bad.push('action_identity');
          if (bad.length) {
            findings.push(finding('identity-mismatch', i, ln.line, `Result ${i}'s ${bad.join(' and ')} no longer match the policy input recorded with it: the input was changed after the decision.`));
          }
        }
      }
      const unauth = outside(e, COVERED);
      for (const k of unauth) unauthAll.add(k);
      const verdict = e.get('verdict');
      const decision = verdict instanceof LexObject ? verdict.get('decision') : undefined;
      const input = e.get('policy_input');
      const point = input instanceof LexObject ? text(input.get('intervention_point')) : '';
      o.onEvent?.({
        index: i,
        seq: i,
        line: ln.line,
        ts: '',
        kind: 'policy.decision',
        actorType: 'system',
        actorId: 'acs-runtime',
        outcome: decisionOf(decision),
        summary: `ACS ${point || 'decision'}: ${text(decision) || 'no decision'}`,
        raw: ln.text,
        canonical: null,
        recordedHash: typeof recIn === 'string' ? recIn : null,
        computedHash: computed,
        prevHash: null,
        unauthenticated: unauth,
      });
    }
    findings.push(finding('unanchored', null, null, 'ACS results are not chained, signed or keyed: deleted, reordered or invented results cannot be seen, and the verdicts are covered by no hash.'));
    return buildVerification({
      format: this.id,
      formatReason: o.formatReason ?? `read as ${this.id}`,
      findings,
      events: lines.stats.entries,
      headHash: null,
      chainStart: 'none',
      unauthenticated: unauthAll,
      malformed: lines.stats.entries > 0 && lines.stats.readable === 0,
      anchored: false,
      anchorSentence: 'ACS results have no chain, key or signature: only each input identity was recomputed, and the verdicts are covered by nothing.',
      noun: 'result',
      details: { identitiesChecked: checked, runtimeErrors, replayable: false, notReplayableReason: ACS_NOT_REPLAYABLE },
    });
  },
};
