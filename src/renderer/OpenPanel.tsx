/** Opening an export: the file dialog, a typed path (the browser shell has no dialog), drag and drop, and recent cases. */
import { useEffect, useState } from 'react';
import type { CaseId, CaseRef, JobProgress, OpenExportRequest } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { CONDUCT_WORDS, formatBytes, formatCount, formatDuration, formatTs, INTEGRITY_WORDS, plural, SIGNER_WORDS, VERDICT_WORDS } from './format';

export interface OpenPanelProps {
  onOpen(request: OpenExportRequest): void;
  onOpenCase(caseId: CaseId): void;
  /** Bumped after a job ends so the recent list refreshes. */
  revision: number;
  /** A job is running: one at a time, so opening is paused until it ends or is cancelled. */
  busy?: boolean;
}

export function OpenPanel({ onOpen, onOpenCase, revision, busy = false }: OpenPanelProps) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [trust, setTrust] = useState('');
  const [policies, setPolicies] = useState('');
  const [hmacKey, setHmacKey] = useState('');
  const [recent, setRecent] = useState<CaseRef[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.listRecentCases().then(
      (r) => live && setRecent(r),
      (e: unknown) => live && setError(sentenceOf(e)),
    );
    return () => {
      live = false;
    };
  }, [api, revision]);

  const request = (exportPath: string): OpenExportRequest => ({
    exportPath,
    trustPath: trust.trim() || null,
    policiesPath: policies.trim() || null,
    hmacKeyPath: hmacKey.trim() || null,
  });
  const choose = async () => {
    setError(null);
    try {
      const picked = await api.pickFile('export');
      if (picked) onOpen(request(picked));
    } catch (e) {
      setError(sentenceOf(e));
    }
  };
  const chooseInto = async (kind: 'trust' | 'policies' | 'key', set: (v: string) => void) => {
    try {
      const picked = await api.pickFile(kind);
      if (picked) set(picked);
    } catch (e) {
      setError(sentenceOf(e));
    }
  };

  return (
    <section className="panel open-panel" aria-label="Open an export">
      <h2>Open an audit export</h2>
      <p className="muted">Choose a file, drop it anywhere on this window, or type its path. The file is only read, never changed.</p>
      <div className="open-actions">
        <button type="button" className="primary" onClick={choose} disabled={busy}>
          Choose export file…
        </button>
      </div>
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim() && !busy) onOpen(request(path.trim()));
        }}
      >
        <label>
          Export file path
          <input name="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="/path/to/export.jsonl" spellCheck={false} />
        </label>
        <label>
          Trust store (optional)
          <span className="input-row">
            <input name="trust" value={trust} onChange={(e) => setTrust(e.target.value)} placeholder="/path/to/trust.json" spellCheck={false} />
            <button type="button" onClick={() => chooseInto('trust', setTrust)} aria-label="Choose a trust store file">Choose…</button>
          </span>
        </label>
        <label>
          Policy folder (optional)
          <span className="input-row">
            <input name="policies" value={policies} onChange={(e) => setPolicies(e.target.value)} placeholder="/path/to/policies" spellCheck={false} />
            <button type="button" onClick={() => chooseInto('policies', setPolicies)} aria-label="Choose a policy folder">Choose…</button>
          </span>
        </label>
        <label>
          HMAC key file (optional, for AGT file-sink logs; read once, never stored)
          <span className="input-row">
            <input name="hmac-key" value={hmacKey} onChange={(e) => setHmacKey(e.target.value)} placeholder="/path/to/sink.key" spellCheck={false} />
            <button type="button" onClick={() => chooseInto('key', setHmacKey)} aria-label="Choose an HMAC key file">Choose…</button>
          </span>
        </label>
        <button type="submit" disabled={busy || !path.trim()}>
          Open
        </button>
      </form>
      {error && <p className="error-text" role="alert">{error}</p>}
      <h3>Recent cases</h3>
      {recent === null ? (
        <p className="muted">Loading…</p>
      ) : recent.length === 0 ? (
        <p className="muted">No cases yet.</p>
      ) : (
        <ul className="recent" aria-label="Recent cases">
          {recent.map((c) =>
            c.interrupted || c.verdict === null ? (
              <li key={c.caseId}>
                <button type="button" className="recent-case" disabled={busy} onClick={() => onOpen(request(c.exportPath))} aria-label={`Open ${c.exportName} again: its last ingest was interrupted`}>
                  <span className="badge verdict-badge verdict-interrupted">Interrupted</span>
                  <span className="recent-name">{c.exportName}</span>
                  <span className="muted">the ingest was stopped before it finished (found {formatTs(c.openedAt)}); no half case was kept. Open it again.</span>
                  <span className="muted mono recent-path">{c.exportPath}</span>
                </button>
              </li>
            ) : (
              <li key={c.caseId}>
                <button type="button" className="recent-case" onClick={() => onOpenCase(c.caseId)} aria-label={`Open case ${c.exportName}, ${c.verdict}`}>
                  <span className={`badge verdict-badge verdict-${c.verdict}`}>{VERDICT_WORDS[c.verdict]?.title ?? c.verdict}</span>
                  <span className="recent-name">{c.exportName}</span>
                  {c.answers && <RecentAnswers answers={c.answers} />}
                  <span className="muted">
                    {formatCount(c.events)} events · trust store {c.trustName ? <span className="mono">{c.trustName}</span> : 'none'} · opened {formatTs(c.openedAt)}
                  </span>
                  <span className="muted mono recent-path">{c.exportPath}</span>
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}

/** Record, signer and conduct in a word each, so two cases of one export with other trust stores are told apart. */
function RecentAnswers({ answers }: { answers: NonNullable<CaseRef['answers']> }) {
  const record = INTEGRITY_WORDS[answers.integrity];
  const signer = SIGNER_WORDS[answers.signer];
  const conduct = CONDUCT_WORDS[answers.conduct];
  const conductText =
    answers.conduct === 'violations' ? [answers.diverged ? plural(answers.diverged, 'divergence') : '', answers.violations ? plural(answers.violations, 'workflow violation') : ''].filter(Boolean).join(', ') : conduct.word;
  return (
    <span className="recent-answers">
      <span className={`answer-chip tone-${record.tone}`}>Record: {record.word}</span>
      <span className={`answer-chip tone-${signer.tone}`}>
        Signer: {signer.word}
        {answers.signerKey && answers.signer !== 'trusted' ? ` (${answers.signerKey})` : ''}
      </span>
      <span className={`answer-chip tone-${conduct.tone}`}>Conduct: {conductText}</span>
    </span>
  );
}

const PHASE_WORDS: Record<JobProgress['phase'], string> = {
  hashing: 'Fingerprinting the file',
  ingest: 'Reading events',
  verify: 'Checking hashes, links and checkpoints',
  replay: 'Replaying decisions',
  verifying: 'Verifying: hashes, links, checkpoints and signatures',
  indexing: 'Indexing events for the desk',
  replaying: 'Replaying decisions',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function JobProgressBar({ progress, onCancel }: { progress: JobProgress | null; onCancel(): void }) {
  const fraction = progress && progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : null;
  return (
    <section className="panel progress-panel" aria-label="Background job">
      <div className="progress-line">
        <strong>{progress ? PHASE_WORDS[progress.phase] : 'Starting…'}</strong>
        {progress && (
          <span className="muted">
            {formatCount(progress.events)} events · {formatBytes(progress.bytesDone)} of {formatBytes(progress.bytesTotal)} · time left {formatDuration(progress.secondsLeft)}
          </span>
        )}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <progress aria-label="Progress" max={1} value={fraction ?? undefined} />
      {progress?.verdict && (
        // Known when verifying ends; the case opens when the index (and replay) are in.
        <p className="progress-verdict" role="status">
          <span className={`badge verdict-badge verdict-${progress.verdict.verdict}`}>{VERDICT_WORDS[progress.verdict.verdict]?.title ?? progress.verdict.verdict}</span> {progress.verdict.reason}
        </p>
      )}
    </section>
  );
}
