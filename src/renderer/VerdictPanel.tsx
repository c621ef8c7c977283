/**
 * The three answers first (record, signer, conduct), each in words and its own colour, then the
 * one-word verdict the command line gives, the counts behind it and where it first broke.
 */
import type { ReactNode } from 'react';
import type { CaseSummary } from '../shared/api/audit-api';
import { VERDICT_EXIT_CODE, type Finding } from '../shared/verify/findings';
import { describeRange, joinAdjacent, type Stretch } from '../shared/verify/answers';
import { FindingText } from './CaseLists';
import { Plain, Term } from './plain-words';
import { CONDUCT_WORDS, formatBytes, formatCount, formatTs, INTEGRITY_WORDS, SIGNER_WORDS, VERDICT_WORDS, worstTone, type AnswerWords } from './format';

export interface VerdictPanelProps {
  summary: CaseSummary;
  onLocateFinding(finding: Finding): void;
  /** Show an unproven stretch: the table filtered to it, its first event selected. */
  onShowStretch(stretch: Stretch): void;
}

function Answer({ question, words, children, label }: { question: string; words: AnswerWords; children: ReactNode; label: string }) {
  return (
    <div className={`answer tone-${words.tone}`} role="group" aria-label={label}>
      <span className="answer-symbol" aria-hidden="true">
        {words.symbol}
      </span>
      <div className="answer-body">
        <div className="answer-head">
          <span className="answer-question">{question}</span> <strong className="answer-word">{words.word}</strong>
        </div>
        {children}
      </div>
    </div>
  );
}

/** Record, signer and conduct, each answered on its own line in its own colour. */
export function ThreeAnswers({ summary, onShowStretch }: Pick<VerdictPanelProps, 'summary' | 'onShowStretch'>) {
  const { integrity, signer, conduct } = summary;
  const stretches = joinAdjacent(integrity.unproven);
  const signerWords = SIGNER_WORDS[signer.status];
  return (
    <div className="answers">
      <Answer question="Record" words={INTEGRITY_WORDS[integrity.status]} label={`Record: ${INTEGRITY_WORDS[integrity.status].word}`}>
        <p>
          <Plain text={integrity.sentence} />
        </p>
        {stretches.length > 0 && (
          <ul className="stretches" aria-label="Stretches that cannot be proven">
            {stretches.slice(0, 5).map((st) => (
              <li key={`${st.from_seq}-${st.to_seq}`}>
                <span>
                  <strong>{describeRange(st)}</strong> cannot be proven: {st.why}.
                </span>{' '}
                <button type="button" onClick={() => onShowStretch(st)} aria-label={`Show ${describeRange(st)}`}>
                  Show these events
                </button>
              </li>
            ))}
            {stretches.length > 5 && <li className="muted">… and {formatCount(stretches.length - 5)} more, listed with the findings.</li>}
          </ul>
        )}
      </Answer>
      <Answer question="Signer" words={signerWords} label={`Signer: ${signerWords.word}`}>
        <p>
          <Plain text={signer.sentence} />
        </p>
        {signer.status !== 'trusted' && signer.key_id && (
          <p className="mono signer-key">
            key_id {signer.key_id}
            {signer.public_key ? ` · public key ${signer.public_key}` : ''}
          </p>
        )}
        {signer.advice && <p className="muted">{signer.advice}</p>}
        <p className="muted">
          {summary.trustPath ? (
            <>
              Verified with the trust store <span className="mono">{summary.trustPath}</span>
            </>
          ) : (
            'No trust store was chosen.'
          )}
        </p>
      </Answer>
      <Answer question="Conduct" words={CONDUCT_WORDS[conduct.status]} label={`Conduct: ${CONDUCT_WORDS[conduct.status].word}`}>
        <p>
          <Plain text={conduct.status === 'not-run' && conduct.reason ? conduct.reason : conduct.sentence} />
        </p>
      </Answer>
    </div>
  );
}

export function VerdictPanel({ summary, onLocateFinding, onShowStretch }: VerdictPanelProps) {
  const words = VERDICT_WORDS[summary.verdict] ?? { title: summary.verdict, symbol: '?', meaning: '' };
  const finalCp = summary.checkpoints.find((c) => c.final);
  const r = summary.replay;
  // Newer contract members, read defensively so an older service still renders.
  const { replayError, replayReportSha256 } = summary as unknown as { replayError?: string | null; replayReportSha256?: string | null };
  const anchoredAll = summary.events > 0 && summary.anchoredEvents >= summary.events;
  const tone = worstTone([INTEGRITY_WORDS[summary.integrity.status].tone, SIGNER_WORDS[summary.signer.status].tone, CONDUCT_WORDS[summary.conduct.status].tone]);
  return (
    <section className={`panel verdict tone-border-${tone}`} aria-labelledby="verdict-title">
      <h2 id="verdict-title" className="answers-title" tabIndex={-1}>
        Verdict: what this export shows
      </h2>
      <ThreeAnswers summary={summary} onShowStretch={onShowStretch} />
      <p className="verdict-line">
        <span className={`badge verdict-badge verdict-${summary.verdict}`}>
          Verdict: <span className="verdict-word">{words.title.toUpperCase()}</span>
        </span>{' '}
        <span className="muted">
          what <span className="mono">audit-replay verify</span> reports for this file (exit code {VERDICT_EXIT_CODE[summary.verdict]}); the three answers above say why.
        </span>
      </p>
      {summary.format !== 'audit-export/1' && (
        <p className="verdict-format" aria-label="Format read">
          Read as <span className="mono">{summary.format}</span>: <Plain text={summary.formatReason} />.
          {summary.unauthenticatedFields.length > 0 && (
            <>
              {' '}
              Not covered by any hash, HMAC or signature, so open to silent edits: <span className="mono">{summary.unauthenticatedFields.join(', ')}</span>.
            </>
          )}
        </p>
      )}

      {summary.firstFailure && (
        <div className="first-failure" aria-label="First point of failure">
          <div className="label">First point of failure</div>
          <FindingText finding={summary.firstFailure} />
          {(summary.firstFailure.line != null || summary.firstFailure.seq != null) && (
            <button type="button" onClick={() => onLocateFinding(summary.firstFailure!)}>
              Show this event
            </button>
          )}
        </div>
      )}

      <dl className="counts">
        <div>
          <dt>Events</dt>
          <dd>{formatCount(summary.events)}</dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd title={summary.agents.join(', ')}>
            {formatCount(summary.agents.length)}
            {summary.actors.length > summary.agents.length && (
              <span className="muted" title={summary.actors.filter((a) => !summary.agents.includes(a)).join(', ')}>
                {' '}
                · {formatCount(summary.actors.length)} actors in all
              </span>
            )}
          </dd>
        </div>
        <div className="wide">
          <dt>Time range</dt>
          <dd>
            {formatTs(summary.firstTs)} → {formatTs(summary.lastTs)}
          </dd>
        </div>
        <div>
          <dt>Checkpoints</dt>
          <dd>
            {formatCount(summary.checkpoints.length)} <span className="muted">{finalCp ? '(final present)' : '(no final)'}</span>
          </dd>
        </div>
        <div>
          <dt>Anchored events</dt>
          <dd className={anchoredAll ? '' : 'warn-text'}>{formatCount(summary.anchoredEvents)}</dd>
        </div>
        <div>
          <dt>Keys</dt>
          <dd className="mono">{summary.keys.length ? summary.keys.join(', ') : 'none'}</dd>
        </div>
        {r ? (
          <>
            <div>
              <dt>Decisions</dt>
              <dd>{formatCount(r.decisions)}</dd>
            </div>
            <div>
              <dt>Matched on replay</dt>
              <dd className="ok-text">{formatCount(r.matched)}</dd>
            </div>
            <div>
              <dt>Diverged</dt>
              <dd className={r.diverged ? 'bad-text' : ''}>{formatCount(r.diverged)}</dd>
            </div>
            <div>
              <dt>Not replayable</dt>
              <dd className={r.notReplayable ? 'warn-text' : ''}>{formatCount(r.notReplayable)}</dd>
            </div>
            <div>
              <dt>Workflow findings</dt>
              <dd className={r.sequenceFindings ? 'bad-text' : r.sequenceWarnings ? 'warn-text' : ''}>
                {r.sequenceWarnings
                  ? `${formatCount(r.sequenceFindings)} ${r.sequenceFindings === 1 ? 'violation' : 'violations'}, ${formatCount(r.sequenceWarnings)} ${r.sequenceWarnings === 1 ? 'warning' : 'warnings'}`
                  : formatCount(r.sequenceFindings)}
              </dd>
            </div>
          </>
        ) : (
          <div>
            <dt>Replay</dt>
            <dd className="muted" title={replayError ?? summary.conduct.reason ?? summary.conduct.sentence}>
              not run
            </dd>
          </div>
        )}
      </dl>

      <details className="export-facts">
        <summary>About this export</summary>
        <dl>
          <dt>Verdict, in one sentence</dt>
          <dd>
            <Plain text={summary.verdictReason} />
          </dd>
          <dt>File</dt>
          <dd className="mono">{summary.exportPath}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(summary.exportBytes)}</dd>
          <dt>SHA-256</dt>
          <dd className="mono">{summary.exportSha256}</dd>
          <dt>Format</dt>
          <dd>
            <span className="mono">{summary.format}</span> — <Plain text={summary.formatReason} />
          </dd>
          <dt>
            <Term plain="Fingerprint of the last event" term="head hash" />
          </dt>
          <dd className="mono">{summary.headHash ?? '—'}</dd>
          <dt>Findings by kind</dt>
          <dd>
            {Object.entries(summary.findingCounts)
              .map(([k, n]) => `${k}: ${n}`)
              .join(', ') || 'none'}
          </dd>
          <dt>Replay report SHA-256</dt>
          <dd className="mono">{replayReportSha256 ?? '—'}</dd>
          <dt>Unauthenticated fields</dt>
          <dd className="mono">{summary.unauthenticatedFields.length ? summary.unauthenticatedFields.join(', ') : 'none'}</dd>
        </dl>
      </details>
    </section>
  );
}
