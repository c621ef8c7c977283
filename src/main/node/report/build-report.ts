/**
 * Build an evidence report by running everything again from the inputs:
 * verify the export, replay its decisions against the policy bundles, read
 * the trust store, and add the reviewer's notes. The result is a pure
 * function of those inputs and the app version; input paths appear only as
 * file names, and any absolute path inside a message is cut to its name, so
 * the same inputs give the same bytes on any machine.
 */
import path from 'node:path';
import { realpathSync } from 'node:fs';
import { EXPORT_FORMAT } from '../../../shared/export/types';
import type { Finding } from '../../../shared/verify/findings';
import { TimelineCollector } from '../../../shared/report/timeline';
import { sealReport } from '../../../shared/report/seal';
import {
  EVIDENCE_REPORT_FORMAT,
  type EvidenceReport,
  type ReportBundle,
  type ReportFinding,
  type ReportNote,
  type ReportReplay,
  type TimelineMark,
  type UnsealedReport,
} from '../../../shared/report/types';
import { verifyFile } from '../verify/verify-file';
import { readTrustStore } from '../verify/trust-store';
import { loadBundleFolder, type BundleSource } from '../replay/bundle-loader';
import { replayExport } from '../replay/replay-service';
import { InputError } from '../errors/errors';
import { describeError } from '../errors/describe-error';
import type { StoredNote } from '../store/notes-store';
import { APP } from './app-version';
import { nodeSha256Hex } from '../read/hashes';
import { conductNotRun, conductOf } from '../../../shared/replay/conduct';
import type { Stretch } from '../../../shared/verify/answers';

export interface ReportInputs {
  exportPath: string;
  trustPath?: string | null;
  policiesPath?: string | null;
  format?: string | null;
  hmacKeyPath?: string | null;
  /** Hash workers for verification and Cedar workers for replay; the report does not depend on it. */
  workers?: number;
  /** Cedar workers for replay when it should differ from `workers`; 0 evaluates in this thread (the packaged app has no replay worker bootstrap). */
  replayWorkers?: number;
  /** The reviewer's notes (from a case store), linked to events by position. */
  notes?: readonly StoredNote[];
  summarizeWorkerUrl?: string;
  replayWorkerUrl?: URL;
  signal?: AbortSignal;
}

/** Event positions → line and seq, kept compactly for a million events. */
class EventIndex {
  readonly lines: number[] = [];
  readonly seqs: number[] = [];
  set(index: number, line: number, seq: number): void {
    this.lines[index] = line;
    this.seqs[index] = seq;
  }
  /** The event that starts at this line, by binary search (lines grow with position). */
  indexOfLine(line: number | null): number | null {
    if (line === null) return null;
    let lo = 0;
    let hi = this.lines.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.lines[mid];
      if (v === line) return mid;
      if (v < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }
  lineOf(index: number | null): number | null {
    return index === null ? null : (this.lines[index] ?? null);
  }
  seqOf(index: number | null): number | null {
    return index === null ? null : (this.seqs[index] ?? null);
  }
}

/** Replaces every absolute input path in a message by its file name. */
function pathScrubber(paths: (string | null | undefined)[]): (text: string) => string {
  const known = new Set<string>();
  for (const p of paths) {
    if (!p) continue;
    known.add(p);
    known.add(path.resolve(p));
    try {
      known.add(realpathSync(p));
    } catch {
      // A missing input is reported by whoever reads it.
    }
  }
  const list = [...known].filter((p) => p.length > 1).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const p of list) if (out.includes(p)) out = out.split(p).join(path.basename(p));
    return out;
  };
}

export async function buildEvidenceReport(inputs: ReportInputs): Promise<EvidenceReport> {
  const scrub = pathScrubber([inputs.exportPath, inputs.trustPath, inputs.policiesPath, inputs.hmacKeyPath]);
  const trust = inputs.trustPath ? await readTrust(inputs.trustPath) : null;

  const index = new EventIndex();
  const timeline = new TimelineCollector();
  const marks = new Map<number, TimelineMark[]>();
  const mark = (i: number | null, m: TimelineMark) => {
    if (i === null) return;
    const list = marks.get(i);
    if (list) list.push(m);
    else marks.set(i, [m]);
  };
  const verification = await verifyFile({
    path: inputs.exportPath,
    trustPath: inputs.trustPath,
    hmacKeyPath: inputs.hmacKeyPath,
    format: inputs.format,
    workers: inputs.workers,
    workerUrl: inputs.summarizeWorkerUrl,
    signal: inputs.signal,
    onEvent: (e) => {
      index.set(e.index, e.line, e.seq);
      timeline.add(e.index, e.ts, e.actorType, e.actorId, e.outcome);
      if (e.outcome === 'deny') mark(e.index, 'deny');
    },
  });
  const toFinding = (f: Finding): ReportFinding => ({ kind: f.kind, seq: f.seq, line: f.line, index: index.indexOfLine(f.line), message: scrub(f.message), severity: f.severity });
  const findings = verification.findings.map(toFinding);
  // A checkpoint finding names the checkpoint's line; its mark goes on the event of its seq.
  const wantedSeqs = new Set(findings.filter((f) => f.severity === 'integrity' && f.index === null && f.seq !== null).map((f) => f.seq!));
  const indexOfSeq = new Map<number, number>();
  if (wantedSeqs.size) index.seqs.forEach((s, i) => wantedSeqs.has(s) && !indexOfSeq.has(s) && indexOfSeq.set(s, i));
  for (const f of findings) if (f.severity === 'integrity') mark(f.index ?? (f.seq === null ? null : (indexOfSeq.get(f.seq) ?? null)), 'finding');
  const findingCounts: Record<string, number> = {};
  for (const f of findings) findingCounts[f.kind] = (findingCounts[f.kind] ?? 0) + 1;

  let policies: EvidenceReport['examined']['policies'] = null;
  let replay: ReportReplay | null = null;
  let replayError: string | null = null;
  if (!inputs.policiesPath) {
    replayError = 'No policy folder was given, so the recorded decisions were not replayed.';
  } else {
    let bundles: BundleSource[] = [];
    try {
      bundles = loadBundleFolder(inputs.policiesPath);
    } catch (err) {
      replayError = scrub(describeError(err, inputs.policiesPath));
    }
    policies = {
      name: path.basename(path.resolve(inputs.policiesPath)),
      bundles: bundles.map((b): ReportBundle => ({ folder: path.basename(b.dir), name: b.name, version: b.version, digest: b.digest })),
    };
    if (bundles.length && verification.format !== EXPORT_FORMAT) {
      replayError = `${verification.format} logs carry no replayable policy inputs.`;
    } else if (bundles.length) {
      try {
        const run = await replayExport({
          exportPath: inputs.exportPath,
          policies: bundles,
          workers: inputs.replayWorkers ?? inputs.workers ?? 1,
          workerUrl: inputs.replayWorkerUrl,
          signal: inputs.signal,
        });
        if (run.report.export_sha256 !== verification.file.sha256) throw new InputError('the export changed on disk while the report was being made; make it again', inputs.exportPath);
        const r = run.report;
        const withLine = <T extends { index: number }>(x: T) => ({ ...x, line: index.lineOf(x.index) });
        replay = {
          report_sha256: run.sha256,
          bundles: r.bundles,
          decisions: r.decisions,
          matched: r.matched,
          diverged: r.diverged,
          not_replayable: r.not_replayable,
          unreadable_lines: r.unreadable_lines,
          divergences: r.divergences.map(withLine),
          not_replayable_decisions: r.not_replayable_decisions.map((n) => ({ ...withLine(n), message: scrub(n.message) })),
          sequence_findings: r.sequence_findings.map((s) => ({ ...withLine(s), message: scrub(s.message) })),
          counts: r.counts,
          conduct: conductOf(r, verification.integrity.unproven),
        };
        for (const d of r.divergences) mark(d.index, 'divergence');
        for (const s of r.sequence_findings) mark(s.index, 'sequence');
      } catch (err) {
        if (err instanceof InputError && /changed on disk/.test(err.message)) throw err;
        replayError = scrub(describeError(err, inputs.policiesPath));
      }
    }
  }

  const notes: ReportNote[] = (inputs.notes ?? []).map((n) => ({
    note_id: n.noteId,
    target: { kind: n.target.kind, finding: n.target.finding, index: n.target.index, seq: index.seqOf(n.target.index), line: index.lineOf(n.target.index) },
    current: n.history[n.history.length - 1],
    history: n.history,
  }));

  const checkpoints =
    verification.format === EXPORT_FORMAT
      ? ((verification.details.checkpoints as { line: number; seq_hi: number; tree_size: number; key_id: string; final: boolean; status: string }[] | undefined) ?? [])
      : [];
  const scrubStretch = (x: Stretch): Stretch => ({ ...x, why: scrub(x.why) });
  const body: UnsealedReport = {
    format: EVIDENCE_REPORT_FORMAT,
    app: { name: APP.name, version: APP.version },
    integrity: { ...verification.integrity, sentence: scrub(verification.integrity.sentence), unproven: verification.integrity.unproven.map(scrubStretch) },
    signer: { ...verification.signer, sentence: scrub(verification.signer.sentence), unvouched: verification.signer.unvouched.map(scrubStretch) },
    conduct: replay ? replay.conduct : conductNotRun(replayError ?? 'Replay did not run.'),
    examined: {
      export: {
        name: path.basename(inputs.exportPath),
        bytes: verification.file.bytes,
        sha256: verification.file.sha256,
        format: verification.format,
        format_reason: scrub(verification.formatReason),
        hmac_key_given: Boolean(inputs.hmacKeyPath),
      },
      trust,
      policies,
    },
    verification: {
      verdict: verification.verdict,
      verdict_reason: scrub(verification.verdictReason),
      events: verification.events,
      head_hash: verification.headHash,
      chain_start: verification.chainStart,
      first_failure: verification.firstFailure ? toFinding(verification.firstFailure) : null,
      finding_counts: findingCounts,
      findings,
      checkpoints: checkpoints.map((c) => ({ line: c.line, seq_hi: c.seq_hi, tree_size: c.tree_size, key_id: c.key_id, final: c.final, status: c.status })),
      unauthenticated_fields: verification.unauthenticatedFields,
    },
    replay,
    replay_error: replayError,
    timeline: timeline.build(marks),
    notes,
  };
  return sealReport(body);
}

async function readTrust(trustPath: string): Promise<EvidenceReport['examined']['trust']> {
  const { store, bytes } = await readTrustStore(trustPath);
  return {
    name: path.basename(trustPath),
    sha256: nodeSha256Hex(bytes),
    keys: store.keys
      .map((k) => ({ key_id: k.key_id, alg: k.alg, public_key: k.public_key, revoked_at: k.revoked_at ?? null }))
      .sort((a, b) => (a.key_id < b.key_id ? -1 : a.key_id > b.key_id ? 1 : a.public_key < b.public_key ? -1 : 1)),
  };
}
