/**
 * "Export this entry's proof": a few kilobytes of JSON (audit-replay-proof/1)
 * that `audit-replay verify-proof` re-checks offline, without the export.
 * The desktop app asks where to save it; the served desk hands it to the
 * browser as a download. Offered only where a checkpoint whose signature
 * holds covers the event: anything else would be a proof of nothing.
 */
import { useEffect, useState } from 'react';
import type { CaseId, EntryProofExport } from '../shared/api/audit-api';
import { proofCommand, proofFileName } from '../shared/verify/entry-proof';
import { sentenceOf, useApi } from './api';

export interface ProofExportProps {
  caseId: CaseId;
  index: number;
  seq: number;
  exportName: string;
  /** The trust store's file name, for the command; null when the case has none. */
  trustName: string | null;
  /** Does a checkpoint whose signature holds cover the event, with a path that reaches its root? */
  covered: boolean;
}

/** The browser's own download of the proof's text (the served desk has no save dialog). */
function download(made: EntryProofExport): boolean {
  if (typeof URL.createObjectURL !== 'function') return false;
  const url = URL.createObjectURL(new Blob([made.text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = made.fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later, not at once: Chromium drops a download whose blob is revoked before it starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}

export function ProofExport({ caseId, index, seq, exportName, trustName, covered }: ProofExportProps) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ text: string; command: string | null } | null>(null);
  useEffect(() => setResult(null), [caseId, index]);
  if (!covered) {
    return <p className="muted proof-export">No checkpoint whose signature holds covers this event, so there is no proof of it to export: such a proof would prove nothing.</p>;
  }
  const command = result?.command ?? proofCommand(proofFileName(exportName, seq), trustName);
  const exportProof = async () => {
    setBusy(true);
    setResult(null);
    try {
      // null, not absent: the served desk sends the arguments as a JSON list, and the validators want all three.
      const made = await api.exportEntryProof(caseId, index, null);
      if (!made) setResult({ text: 'Not saved.', command: null });
      else if (made.path) setResult({ text: `Saved ${made.path} (${made.bytes} bytes; SHA-256 ${made.sha256}).`, command: made.command });
      else if (download(made)) setResult({ text: `Downloaded ${made.fileName} (${made.bytes} bytes; SHA-256 ${made.sha256}).`, command: made.command });
      else setResult({ text: 'This window cannot save files.', command: null });
    } catch (err) {
      setResult({ text: sentenceOf(err), command: null });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="proof-export" role="group" aria-label="This entry's proof">
      <button type="button" onClick={() => void exportProof()} disabled={busy} aria-busy={busy}>
        {busy ? 'Making the proof…' : "Export this entry's proof"}
      </button>
      {result && <p role="status">{result.text}</p>}
      <p className="muted">A small file anyone can re-check offline, without the export, with your trust store.</p>
      {/* The command line is for whoever re-checks it; folded, so the desk's own words stay plain. */}
      <details className="proof-how">
        <summary>How to re-check it</summary>
        <pre className="raw proof-command" tabIndex={0} aria-label="Command that re-checks the proof">
          {command}
        </pre>
      </details>
    </div>
  );
}
