/**
 * The request the selected event belongs to, as one story: requested →
 * decision (with its policies) → approval asked / granted by whom →
 * executed, or why not; with the time since the request and the conduct
 * findings on each step. Every step selects its event.
 */
import { useEffect, useState } from 'react';
import type { CaseId, RequestStory as Story } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { formatTs } from './format';

export interface RequestStoryProps {
  caseId: CaseId;
  index: number | null;
  onSelectIndex(index: number): void;
}

function after(ms: number | null): string {
  if (ms === null) return '';
  if (ms === 0) return 'start';
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 120_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${Math.round(ms / 60_000)} min`;
}

export function RequestStory({ caseId, index, onSelectIndex }: RequestStoryProps) {
  const api = useApi();
  const [story, setStory] = useState<Story | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    if (index === null) {
      setStory(null);
      return;
    }
    let live = true;
    // Steps of the same request keep the story on screen while the new one loads.
    api.getRequestStory(caseId, index).then(
      (s) => live && setStory(s),
      (e: unknown) => {
        if (!live) return;
        setStory(null);
        setError(sentenceOf(e));
      },
    );
    return () => {
      live = false;
    };
  }, [api, caseId, index]);

  if (error)
    return (
      <p className="error-text" role="alert">
        {error}
      </p>
    );
  if (!story) return null;
  return (
    <section className="panel request-story" aria-label="Request from start to end">
      <h2>Request from start to end</h2>
      <p>
        <span className="mono">{story.requestId}</span>
        {story.requester && (
          <>
            {' '}
            · asked by <span className="mono">{story.requester}</span>
          </>
        )}
      </p>
      <p className="story-ending">
        <strong>Ended:</strong> {story.ending}
      </p>
      <ol className="story-steps">
        {story.steps.map((s) => (
          <li key={s.row.index} className={s.row.index === index ? 'current' : undefined} aria-current={s.row.index === index ? 'step' : undefined}>
            <span className="story-time" title={formatTs(s.row.ts)}>
              {after(s.afterMs)}
            </span>
            <button type="button" className="link-button" onClick={() => onSelectIndex(s.row.index)} aria-label={`Select the ${s.stage} step, seq ${s.row.seq}`}>
              {s.stage}
            </button>
            <span className="story-detail">{s.detail}</span>
            {(s.row.findingKinds.length > 0 || s.conduct.length > 0) && (
              <ul className="story-findings" aria-label={`Findings on seq ${s.row.seq}`}>
                {s.row.findingKinds.map((k) => (
                  <li key={`f:${k}`} className="finding-cell">
                    {k}
                  </li>
                ))}
                {s.conduct.map((c, i) => (
                  <li key={`c:${i}`} className={c.severity === 'warning' ? 'story-warning' : 'finding-cell'}>
                    {c.severity === 'warning' ? 'Warning' : 'Violation'} ({c.kind}): {c.message}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      {story.truncated && <p className="muted">Only the first {story.steps.length} steps are shown.</p>}
    </section>
  );
}
