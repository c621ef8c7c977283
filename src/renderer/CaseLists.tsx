/** Findings, replay divergences and sequence findings: each says what is wrong in words and jumps to its event. */
import { useEffect, useState } from 'react';
import type { CaseId } from '../shared/api/audit-api';
import type { DivergenceView, SequenceFindingView } from '../shared/replay/views';
import type { Finding } from '../shared/verify/findings';
import { sentenceOf, useApi } from './api';
import { asText } from './format';
import { Plain } from './plain-words';

export interface CaseListsProps {
  caseId: CaseId;
  /** Bumped when the case is re-verified, so the lists reload. */
  revision: number;
  onLocateFinding(finding: Finding): void;
  onSelectIndex(index: number): void;
  /** Select the event with this seq (a finding's related events). */
  onSelectSeq(seq: number): void;
}

type Tab = 'findings' | 'divergences' | 'sequence';
const PAGE = 50;

export const SEVERITY_WORDS: Record<Finding['severity'], string> = { integrity: 'Integrity failure', anchor: 'Not anchored', warning: 'Warning' };

export function FindingText({ finding }: { finding: Finding }) {
  return (
    <>
      <span className={`badge sev-badge sev-${finding.severity}`}>{SEVERITY_WORDS[finding.severity]}</span> <strong className="mono">{finding.kind}</strong>
      <span className="muted">
        {finding.line != null ? ` · line ${finding.line}` : ' · whole file'}
        {finding.seq != null ? ` · seq ${finding.seq}` : ''}
      </span>
      <div>
        <Plain text={finding.message} />
      </div>
    </>
  );
}

export function DivergenceCard({ d, onSelectIndex }: { d: DivergenceView; onSelectIndex(index: number): void }) {
  return (
    <article className="divergence" aria-label={`Divergence of decision ${d.decisionId}`}>
      <header>
        <span className={`badge replay-${d.status}`}>{d.status === 'diverged' ? 'Diverged' : 'Not replayable'}</span> decision <span className="mono">{d.decisionId}</span> by{' '}
        <span className="mono">{d.agent}</span>
        <span className="muted">
          {' '}
          · seq {d.seq} · policy {d.policyName} v{d.policyVersion}
        </span>{' '}
        <button type="button" className="link-button" aria-label={`Go to event seq ${d.seq}`} onClick={() => onSelectIndex(d.index)}>
          Go to event
        </button>
      </header>
      <p>{d.reason}</p>
      {d.fields.length > 0 && (
        <table className="side-by-side" aria-label={`Recorded and replayed outcome of ${d.decisionId}`}>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Recorded</th>
              <th scope="col">Replayed</th>
            </tr>
          </thead>
          <tbody>
            {d.fields.map((f) => (
              <tr key={f.field}>
                <th scope="row" className="mono">
                  {f.field}
                </th>
                <td className="mono recorded">{asText(f.recorded)}</td>
                <td className="mono replayed">{asText(f.replayed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {d.determiningPolicies.length > 0 && (
        <div className="policies">
          <div className="muted">Determining policies</div>
          {d.determiningPolicies.map((p) => (
            <figure key={p.id}>
              <figcaption className="mono">{p.id}</figcaption>
              <pre className="raw" tabIndex={0} aria-label={`Policy text of ${p.id}`}>
                {p.text}
              </pre>
            </figure>
          ))}
        </div>
      )}
    </article>
  );
}

/** A workflow or conduct finding: what is wrong, and the events it rests on as links. */
export function SequenceFindingEntry({ s, onSelectIndex, onSelectSeq }: { s: SequenceFindingView; onSelectIndex(index: number): void; onSelectSeq(seq: number): void }) {
  const warning = s.severity === 'warning';
  return (
    <li className={`entry ${warning ? 'sev-warning' : 'sev-violation'}`} aria-label={`${s.kind} at seq ${s.seq}`}>
      <span className={`badge sev-badge ${warning ? 'sev-warning' : 'sev-violation'}`}>{warning ? 'Warning' : 'Violation'}</span> <strong className="mono">{s.kind}</strong>{' '}
      <span className="muted">· seq {s.seq}</span>
      <div>
        <Plain text={s.message} />
      </div>
      <button type="button" className="link-button" aria-label={`Go to event seq ${s.seq}`} onClick={() => onSelectIndex(s.index)}>
        Go to event
      </button>
      {s.relatedSeqs.length > 0 && (
        <div className="involves">
          <span className="muted">Involves:</span>{' '}
          {s.relatedSeqs.map((seq) => (
            <button key={seq} type="button" className="link-button" aria-label={`Select related event seq ${seq}`} onClick={() => onSelectSeq(seq)}>
              seq {seq}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

export function CaseLists({ caseId, revision, onLocateFinding, onSelectIndex, onSelectSeq }: CaseListsProps) {
  const api = useApi();
  const [tab, setTab] = useState<Tab>('findings');
  const [findings, setFindings] = useState<Finding[] | null>(null);
  const [divergences, setDivergences] = useState<DivergenceView[] | null>(null);
  const [sequence, setSequence] = useState<SequenceFindingView[] | null>(null);
  const [shown, setShown] = useState(PAGE);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    const fail = (e: unknown) => live && setError(sentenceOf(e));
    api.listFindings(caseId).then((v) => live && setFindings(v), fail);
    api.listDivergences(caseId).then((v) => live && setDivergences(v), fail);
    api.listSequenceFindings(caseId).then((v) => live && setSequence(v), fail);
    return () => {
      live = false;
    };
  }, [api, caseId, revision]);

  const tabs: { id: Tab; label: string; count: number | null }[] = [
    { id: 'findings', label: 'Findings', count: findings?.length ?? null },
    { id: 'divergences', label: 'Divergences', count: divergences?.length ?? null },
    { id: 'sequence', label: 'Sequence findings', count: sequence?.length ?? null },
  ];

  return (
    <section className="panel lists" aria-label="Findings and divergences">
      <div role="tablist" aria-label="Lists" className="tabs">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`tabpanel-${t.id}`}
            onClick={() => {
              setTab(t.id);
              setShown(PAGE);
            }}
          >
            {t.label} ({t.count ?? '…'})
          </button>
        ))}
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`} className="list-body">
        {tab === 'findings' &&
          (findings?.length === 0 ? (
            <p className="muted">No findings.</p>
          ) : (
            <ul className="entries">
              {findings?.slice(0, shown).map((f, i) => (
                <li key={i} className={`entry sev-${f.severity}`}>
                  <FindingText finding={f} />
                  {(f.line != null || f.seq != null) && (
                    <button type="button" className="link-button" aria-label={f.seq != null ? `Go to event seq ${f.seq}` : `Go to the event on line ${f.line}`} onClick={() => onLocateFinding(f)}>
                      Go to event
                    </button>
                  )}
                </li>
              ))}
            </ul>
          ))}
        {tab === 'divergences' &&
          (divergences?.length === 0 ? (
            <p className="muted">No divergences: every replayed decision matches the recorded one (or no policy folder is set).</p>
          ) : (
            <div className="entries">
              {divergences?.slice(0, shown).map((d) => (
                <DivergenceCard key={`${d.index}-${d.decisionId}`} d={d} onSelectIndex={onSelectIndex} />
              ))}
            </div>
          ))}
        {tab === 'sequence' &&
          (sequence?.length === 0 ? (
            <p className="muted">No workflow or conduct findings: every executed action was allowed first, with the arguments authorized.</p>
          ) : (
            <ul className="entries">
              {sequence?.slice(0, shown).map((s, i) => (
                <SequenceFindingEntry key={i} s={s} onSelectIndex={onSelectIndex} onSelectSeq={onSelectSeq} />
              ))}
            </ul>
          ))}
        {(() => {
          const length = (tab === 'findings' ? findings : tab === 'divergences' ? divergences : sequence)?.length ?? 0;
          return length > shown ? (
            <button type="button" onClick={() => setShown((n) => n + PAGE)}>
              Show {Math.min(PAGE, length - shown)} more of {length - shown} remaining
            </button>
          ) : null;
        })()}
      </div>
    </section>
  );
}
