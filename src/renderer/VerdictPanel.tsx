/** The verdict first, in words and colour, then the counts behind it and where it first broke. */
import type { CaseSummary } from '../shared/api/audit-api';
import type { Finding } from '../shared/verify/findings';
import { FindingText } from './CaseLists';
import { formatBytes, formatCount, formatTs, VERDICT_WORDS } from './format';

export interface VerdictPanelProps {
  summary: CaseSummary;
  onLocateFinding(finding: Finding): void;
}

export function VerdictPanel({ summary, onLocateFinding }: VerdictPanelProps) {
  const words = VERDICT_WORDS[summary.verdict] ?? { title: summary.verdict, symbol: '?', meaning: '' };
  const finalCp = summary.checkpoints.find((c) => c.final);
  const r = summary.replay;
  // Newer contract members, read defensively so an older service still renders.
  const { replayError, replayReportSha256 } = summary as unknown as { replayError?: string | null; replayReportSha256?: string | null };
  const anchoredAll = summary.events > 0 && summary.anchoredEvents >= summary.events;
  return (
    <section className={`panel verdict verdict-${summary.verdict}`} aria-labelledby="verdict-title">
      <div className="verdict-banner">
        <span className="verdict-symbol" aria-hidden="true">{words.symbol}</span>
        <div>
          <h2 id="verdict-title">
            Verdict: <span className="verdict-word">{words.title.toUpperCase()}</span>
          </h2>
          <p className="verdict-meaning">{words.meaning}</p>
          {summary.verdictReason && <p className="verdict-reason">{summary.verdictReason}</p>}
          {summary.format !== 'audit-export/1' && (
            <p className="verdict-format" aria-label="Format read">
              Read as <span className="mono">{summary.format}</span>: {summary.formatReason}.
              {summary.unauthenticatedFields.length > 0 && (
                <>
                  {' '}
                  Not covered by any hash, HMAC or signature, so open to silent edits: <span className="mono">{summary.unauthenticatedFields.join(', ')}</span>.
                </>
              )}
            </p>
          )}
        </div>
      </div>

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
          <dd title={summary.agents.join(', ')}>{formatCount(summary.agents.length)}</dd>
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
              <dt>Sequence findings</dt>
              <dd className={r.sequenceFindings ? 'warn-text' : ''}>{formatCount(r.sequenceFindings)}</dd>
            </div>
          </>
        ) : (
          <div className="wide">
            <dt>Replay</dt>
            <dd className="muted">{replayError ? `Not run: ${replayError}` : summary.policiesPath ? 'Not run: the policy folder gave no replay results for this case.' : 'Not run: choose a policy folder for this case.'}</dd>
          </div>
        )}
      </dl>

      <details className="export-facts">
        <summary>About this export</summary>
        <dl>
          <dt>File</dt>
          <dd className="mono">{summary.exportPath}</dd>
          <dt>Size</dt>
          <dd>{formatBytes(summary.exportBytes)}</dd>
          <dt>SHA-256</dt>
          <dd className="mono">{summary.exportSha256}</dd>
          <dt>Format</dt>
          <dd>
            <span className="mono">{summary.format}</span> — {summary.formatReason}
          </dd>
          <dt>Head hash</dt>
          <dd className="mono">{summary.headHash ?? '—'}</dd>
          <dt>Findings by kind</dt>
          <dd>{Object.entries(summary.findingCounts).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'}</dd>
          <dt>Replay report SHA-256</dt>
          <dd className="mono">{replayReportSha256 ?? '—'}</dd>
          <dt>Unauthenticated fields</dt>
          <dd className="mono">{summary.unauthenticatedFields.length ? summary.unauthenticatedFields.join(', ') : 'none'}</dd>
        </dl>
      </details>
    </section>
  );
}
