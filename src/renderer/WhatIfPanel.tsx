/**
 * "What if…": the case's decisions replayed against another policy bundle
 * (the CLI's `replay --against`), each decision that would change a link to
 * its event; and "Compare with an earlier export" (the CLI's `compare`), its
 * answer in words. Where the folder or file is asked: the desktop app's own
 * dialog (the call goes without a path), or a typed path where there is no
 * dialog (the served desk). Every id shown comes from the export: text only.
 */
import { useRef, useState } from 'react';
import type { CaseId, CaseSummary } from '../shared/api/audit-api';
import { EFFECT_WORDS, type WhatIfGroup, type WhatIfView } from '../shared/replay/views';
import type { ExportComparison } from '../shared/verify/comparison';
import { sentenceOf, useApi } from './api';
import { JobProgressBar } from './OpenPanel';
import { useJob } from './useJob';

const AUDIT_EXPORT = 'audit-export/1';
const SHOWN = 50;

export interface WhatIfPanelProps {
  summary: CaseSummary;
  onSelectIndex(index: number): void;
  onSelectSeq(seq: number): void;
}

/** The desktop app's preload gives dropped files a path; where it does, the app has its own dialogs. */
function hasDesktopDialogs(): boolean {
  return typeof window.auditHost?.pathForFile === 'function';
}

function Outcome({ effect, determining }: { effect: string; determining: string[] }) {
  return (
    <>
      <span className={`badge outcome-${effect}`}>{EFFECT_WORDS[effect as keyof typeof EFFECT_WORDS] ?? effect}</span>
      {determining.length > 0 && <span className="mono muted"> {determining.join(', ')}</span>}
    </>
  );
}

function GroupTable({ group, view, onSelectIndex }: { group: WhatIfGroup; view: WhatIfView; onSelectIndex(index: number): void }) {
  const [shown, setShown] = useState(SHOWN);
  const rows = group.changes.slice(0, shown).map((i) => view.changes[i]!);
  return (
    <details className="what-if-group">
      <summary>
        <span className="mono">{group.label}</span> · {group.count.toLocaleString('en-US')} {group.count === 1 ? 'decision' : 'decisions'}
      </summary>
      <table className="side-by-side what-if-table" aria-label={`Decisions that would change: ${group.label}`}>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Decision</th>
            <th scope="col">Decided then (determining policies)</th>
            <th scope="col">Would decide now</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.index}>
              <td>
                <button type="button" className="link-button" aria-label={`Go to the decision at seq ${c.seq}`} onClick={() => onSelectIndex(c.index)}>
                  seq {c.seq}
                </button>
              </td>
              <td className="mono">{c.decisionId}</td>
              <td>
                <Outcome effect={c.before.effect} determining={c.before.determining} />
              </td>
              <td>
                <Outcome effect={c.after.effect} determining={c.after.determining} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {group.changes.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + SHOWN)}>
          Show {Math.min(SHOWN, group.changes.length - shown)} more of {group.changes.length - shown} remaining
        </button>
      )}
    </details>
  );
}

function WhatIfResult({ view, onSelectIndex }: { view: WhatIfView; onSelectIndex(index: number): void }) {
  const [by, setBy] = useState<'transition' | 'policy'>('transition');
  const groups = by === 'transition' ? view.byTransition : view.byPolicy;
  return (
    <div className="what-if-result">
      <p className="what-if-sentence" role="status">
        {view.sentence}
      </p>
      <p className="muted">
        Against <span className="mono">{`${view.against.name}@${view.against.version}`}</span> from <span className="mono">{view.policiesPath}</span>
        <span className="mono" title={`Bundle digest (SHA-256): ${view.against.digest}`}>
          {' '}
          · {view.against.digest.slice(0, 12)}…
        </span>
      </p>
      {view.changed > 0 && (
        <>
          <div role="radiogroup" aria-label="Group the changes" className="what-if-by">
            <label>
              <input type="radio" name="what-if-by" checked={by === 'transition'} onChange={() => setBy('transition')} /> by change of outcome
            </label>
            <label>
              <input type="radio" name="what-if-by" checked={by === 'policy'} onChange={() => setBy('policy')} /> by policy
            </label>
          </div>
          {by === 'policy' && <p className="muted">A decision is listed under each policy that became, or stopped being, the reason for its outcome.</p>}
          {groups.map((g) => (
            <GroupTable key={`${by}:${g.key}`} group={g} view={view} onSelectIndex={onSelectIndex} />
          ))}
          {view.truncated && <p className="muted">Only the first {view.changes.length.toLocaleString('en-US')} changed decisions are listed; the counts are for all of them.</p>}
        </>
      )}
    </div>
  );
}

function ComparisonAnswer({ answer, onSelectSeq }: { answer: ExportComparison; onSelectSeq(seq: number): void }) {
  const tone = answer.tone === 'good' ? 'ok' : answer.tone === 'bad' ? 'bad' : 'warn';
  return (
    <div className={`answer comparison tone-${tone}`} role="status" aria-label="Comparison with the earlier export">
      <strong className="answer-word" title={answer.technical}>
        {answer.title}
      </strong>
      <p>{answer.sentence}</p>
      {answer.fork && (
        <button type="button" className="link-button" aria-label={`Go to seq ${answer.fork.seq}, where the two exports part`} onClick={() => onSelectSeq(answer.fork!.seq)}>
          Go to seq {answer.fork.seq}
        </button>
      )}
      {answer.caution && <p className="error-text">{answer.caution}</p>}
      <details>
        <summary>Technical detail</summary>
        <p className="mono">{answer.technical}</p>
      </details>
    </div>
  );
}

export function WhatIfPanel({ summary, onSelectIndex, onSelectSeq }: WhatIfPanelProps) {
  const api = useApi();
  const caseId: CaseId = summary.caseId;
  const desktop = hasDesktopDialogs();
  const usable = summary.format === AUDIT_EXPORT;
  const [folder, setFolder] = useState('');
  const [earlier, setEarlier] = useState('');
  const [view, setView] = useState<WhatIfView | null>(null);
  const [whatIfNote, setWhatIfNote] = useState<{ text: string; kind: 'error' | 'info' } | null>(null);
  const [answer, setAnswer] = useState<ExportComparison | null>(null);
  const [compareError, setCompareError] = useState<string | null>(null);
  const [comparing, setComparing] = useState(false);
  // The job whose result to fetch when it is done (useJob names no job in onDone).
  const lastJob = useRef<string | null>(null);

  const { job, start, cancel } = useJob({
    onDone: () => {
      const jobId = lastJob.current;
      if (jobId) api.getWhatIfResult(jobId).then(setView, (e: unknown) => setWhatIfNote({ text: sentenceOf(e), kind: 'error' }));
    },
    onMessage: (text, kind) => setWhatIfNote({ text: kind === 'info' ? 'Cancelled; nothing in the case was changed.' : text, kind }),
  });

  const runWhatIf = (path: string | null) => {
    setWhatIfNote(null);
    setView(null);
    void start(async () => {
      const started = await api.whatIf(caseId, path);
      if (!started) throw new Error('No policy bundle was chosen; nothing was run.');
      lastJob.current = started.jobId;
      return started;
    });
  };

  const runCompare = async (path: string | null) => {
    setCompareError(null);
    setAnswer(null);
    setComparing(true);
    try {
      const found = await api.compareExport(caseId, path);
      if (found) setAnswer(found);
    } catch (e) {
      setCompareError(sentenceOf(e));
    } finally {
      setComparing(false);
    }
  };

  if (!usable) {
    return (
      <section className="panel what-if" aria-labelledby="what-if-title">
        <h2 id="what-if-title">What if… and compare</h2>
        <p className="muted">
          What-if and comparing with an earlier export work on {AUDIT_EXPORT} exports, which record the policy request of each decision and a hash chain to compare; this case is a{' '}
          <span className="mono">{summary.format}</span> file.
        </p>
      </section>
    );
  }

  return (
    <section className="panel what-if" aria-labelledby="what-if-title">
      <h2 id="what-if-title">What if… another policy had decided?</h2>
      <p className="muted">Replays this case&apos;s recorded decisions against another policy bundle and lists every decision that would come out differently. The case itself is not changed.</p>
      <form
        className="what-if-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (folder.trim()) runWhatIf(folder.trim());
        }}
      >
        {desktop ? (
          <button type="button" className="primary" onClick={() => runWhatIf(null)} disabled={job !== null}>
            Choose a policy bundle and run…
          </button>
        ) : (
          <>
            <label>
              Policy bundle folder (one bundle, or a folder with one bundle this case does not use)
              <input name="what-if-policies" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/path/to/policies/ap-policy-v8" spellCheck={false} />
            </label>
            <button type="submit" disabled={job !== null || !folder.trim()}>
              Run what-if
            </button>
          </>
        )}
      </form>
      {job && <JobProgressBar progress={job.progress} onCancel={cancel} label="What-if progress" />}
      {whatIfNote && (
        <p className={whatIfNote.kind === 'error' ? 'error-text' : 'muted'} role={whatIfNote.kind === 'error' ? 'alert' : 'status'}>
          {whatIfNote.text}
        </p>
      )}
      {view && <WhatIfResult view={view} onSelectIndex={onSelectIndex} />}

      <h3>Compare with an earlier export</h3>
      <p className="muted">Checks whether this export carries an earlier copy of the same record on without changing anything in it, or where it departs from it.</p>
      <form
        className="what-if-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (earlier.trim()) void runCompare(earlier.trim());
        }}
      >
        {desktop ? (
          <button type="button" onClick={() => void runCompare(null)} disabled={comparing} aria-busy={comparing}>
            {comparing ? 'Comparing…' : 'Choose the earlier export and compare…'}
          </button>
        ) : (
          <>
            <label>
              Earlier export file
              <input name="earlier-export" value={earlier} onChange={(e) => setEarlier(e.target.value)} placeholder="/path/to/earlier-export.jsonl" spellCheck={false} />
            </label>
            <button type="submit" disabled={comparing || !earlier.trim()} aria-busy={comparing}>
              {comparing ? 'Comparing…' : 'Compare'}
            </button>
          </>
        )}
      </form>
      {compareError && (
        <p className="error-text" role="alert">
          {compareError}
        </p>
      )}
      {answer && <ComparisonAnswer answer={answer} onSelectSeq={onSelectSeq} />}
    </section>
  );
}
