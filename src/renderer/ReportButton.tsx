/**
 * "Export report": the evidence report of the case, re-run from its inputs
 * with its notes, as JSON, HTML or PDF. Where it is saved is asked by the
 * host (the desktop app's save dialog), never chosen by this window.
 */
import { useState } from 'react';
import type { CaseId, ReportFormat } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';

export function ReportButton({ caseId }: { caseId: CaseId }) {
  const api = useApi();
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const exportReport = async () => {
    setBusy(true);
    setResult(null);
    try {
      const saved = await api.exportReport(caseId, format);
      setResult(saved ? `Saved ${saved.path} (${saved.bytes} bytes); report SHA-256 ${saved.reportSha256}.` : 'Not saved.');
    } catch (err) {
      setResult(sentenceOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="report-export" role="group" aria-label="Evidence report">
      <select aria-label="Report format" value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
        <option value="pdf">PDF</option>
        <option value="html">HTML</option>
        <option value="json">JSON (re-checkable)</option>
      </select>
      <button type="button" onClick={() => void exportReport()} disabled={busy} aria-busy={busy}>
        {busy ? 'Making the report…' : 'Export report'}
      </button>
      {result && <span role="status">{result}</span>}
    </div>
  );
}
