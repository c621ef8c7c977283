/**
 * Opening an export: first what to check it against (trust store, policies),
 * then the export, by the file dialog (the desktop app only), a typed path or
 * drag and drop; the inputs an export was last opened with come back with it;
 * recent cases, and the bundled sample on first start.
 */
import { useEffect, useState } from 'react';
import type { CaseId, CaseRef, DeskInfo, JobProgress, OpenExportRequest } from '../shared/api/audit-api';
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
  const [desk, setDesk] = useState<DeskInfo | null>(null);
  const [remembered, setRemembered] = useState<string | null>(null);
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
  useEffect(() => {
    let live = true;
    // Until the shell says it has a file dialog, none is offered (a browser has none).
    api.getDeskInfo().then(
      (d) => live && setDesk(d),
      () => live && setDesk({ canPickFiles: false, sample: null }),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const canPick = desk?.canPickFiles === true;

  /** The trust store and policies this export was last opened with, when the reviewer has named neither. */
  const rememberedFor = (exportPath: string): { trustPath: string | null; policiesPath: string | null } | null => {
    if (trust.trim() || policies.trim()) return null;
    const last = recent?.find((c) => !c.interrupted && c.exportPath === exportPath && (c.trustPath || c.policiesPath));
    return last ? { trustPath: last.trustPath ?? null, policiesPath: last.policiesPath ?? null } : null;
  };
  const request = (exportPath: string): OpenExportRequest => {
    const again = rememberedFor(exportPath);
    return {
      exportPath,
      trustPath: trust.trim() || again?.trustPath || null,
      policiesPath: policies.trim() || again?.policiesPath || null,
      hmacKeyPath: hmacKey.trim() || null,
    };
  };
  const typePath = (value: string) => {
    setPath(value);
    const again = rememberedFor(value.trim());
    if (again) {
      setTrust(again.trustPath ?? '');
      setPolicies(again.policiesPath ?? '');
      setRemembered('The trust store and policy folder are filled in from the last time this export was opened; change them if you need to.');
    }
  };
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
  const chooseButton = (kind: 'trust' | 'policies' | 'key', set: (v: string) => void, label: string) =>
    canPick && (
      <button type="button" onClick={() => chooseInto(kind, set)} aria-label={label}>
        Choose…
      </button>
    );

  return (
    <section className="panel open-panel" aria-label="Open an export">
      <h2>Open an audit export</h2>
      <p className="muted">
        {canPick ? 'Name what to check it against, then choose the export, drop it anywhere on this window, or type its path.' : "Name what to check it against, then type the export's path."} The
        export is only read, never changed.
      </p>
      {recent !== null && recent.length === 0 && desk?.sample && (
        <div className="first-start" role="note" aria-label="First start">
          <p>New here? The bundled sample is a small export of invoice agents with its trust store and policies: open it to see a verdict, the timeline and a few planted problems.</p>
          <button type="button" className="primary" disabled={busy} onClick={() => onOpen(desk.sample!)}>
            Open the sample
          </button>
        </div>
      )}
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim() && !busy) onOpen(request(path.trim()));
        }}
      >
        <fieldset>
          <legend>1. What to check it against</legend>
          <label>
            Trust store (optional)
            <span className="input-row">
              <input name="trust" value={trust} onChange={(e) => setTrust(e.target.value)} placeholder="/path/to/trust.json" spellCheck={false} />
              {chooseButton('trust', setTrust, 'Choose a trust store file')}
            </span>
          </label>
          <label>
            Policy folder (optional)
            <span className="input-row">
              <input name="policies" value={policies} onChange={(e) => setPolicies(e.target.value)} placeholder="/path/to/policies" spellCheck={false} />
              {chooseButton('policies', setPolicies, 'Choose a policy folder')}
            </span>
          </label>
          <label>
            HMAC key file (optional, for AGT file-sink logs; read once, never stored)
            <span className="input-row">
              <input name="hmac-key" value={hmacKey} onChange={(e) => setHmacKey(e.target.value)} placeholder="/path/to/sink.key" spellCheck={false} />
              {chooseButton('key', setHmacKey, 'Choose an HMAC key file')}
            </span>
          </label>
          <details className="explain">
            <summary>What are these?</summary>
            <p>
              <strong>A trust store</strong> is a small JSON file you keep that lists the signing keys you accept (and any you have revoked). With it the desk can say who vouches for the record.
              Without it the record can still be checked for edits, but nobody you trust vouches for it: the verdict is “unanchored”.
            </p>
            <p>
              <strong>A policy folder</strong> holds the Cedar policy bundles the agents ran under, one folder per version. With it every recorded decision is decided again under the exact version it
              names, and any that come out differently are listed. Without it decisions are shown but not re-checked.
            </p>
            <p>
              <strong>An HMAC key file</strong> is only for logs that Microsoft&apos;s Agent Governance Toolkit signs with a shared secret instead of a key pair.
            </p>
          </details>
        </fieldset>
        <fieldset>
          <legend>2. The export</legend>
          {canPick && (
            <div className="open-actions">
              <button type="button" className="primary" onClick={choose} disabled={busy}>
                Choose export file…
              </button>
            </div>
          )}
          <label>
            Export file path
            <input name="path" value={path} onChange={(e) => typePath(e.target.value)} placeholder="/path/to/export.jsonl" spellCheck={false} />
          </label>
          {remembered && (
            <p className="muted" role="status">
              {remembered}
            </p>
          )}
          <button type="submit" disabled={busy || !path.trim()}>
            Open
          </button>
        </fieldset>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
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
    answers.conduct === 'violations'
      ? [answers.diverged ? plural(answers.diverged, 'divergence') : '', answers.violations ? plural(answers.violations, 'workflow violation') : ''].filter(Boolean).join(', ')
      : conduct.word;
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

export function JobProgressBar({ progress, onCancel, label = 'Background job' }: { progress: JobProgress | null; onCancel(): void; label?: string }) {
  // A what-if counts events against the case's total; an ingest counts bytes.
  const byEvents = progress?.task === 'what-if' && (progress.eventsTotal ?? 0) > 0;
  const fraction = !progress ? null : byEvents ? Math.min(1, progress.events / progress.eventsTotal!) : progress.bytesTotal > 0 ? Math.min(1, progress.bytesDone / progress.bytesTotal) : null;
  return (
    <section className="panel progress-panel" aria-label={label}>
      <div className="progress-line">
        <strong>{progress ? PHASE_WORDS[progress.phase] : 'Starting…'}</strong>
        {progress && (
          <span className="muted">
            {byEvents
              ? `${formatCount(progress.events)} of ${formatCount(progress.eventsTotal!)} events`
              : `${formatCount(progress.events)} events · ${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`}{' '}
            · time left {formatDuration(progress.secondsLeft)}
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
