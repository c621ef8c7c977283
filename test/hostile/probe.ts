/**
 * Runs one job on one file in a child process and prints one JSON line:
 * what came out (verdict and findings, or the error sentence), how long it
 * took and the peak resident memory of the whole process (worker threads
 * included). The hostile tests bound these from outside, so a crash, a hang
 * or a runaway allocation in the product fails the test instead of the run.
 *
 *   node bin/run-ts.mjs test/hostile/probe.ts <verify|verify-workers|ingest|replay|format> <file> [trust]
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyFile } from '../../src/main/node/verify/verify-file';
import { ingestCase } from '../../src/main/node/ingest/ingest-case';
import { replayExport } from '../../src/main/node/replay/replay-service';
import { describeError } from '../../src/main/node/errors/describe-error';

export interface ProbeResult {
  ok: boolean;
  verdict?: string;
  events?: number;
  findings?: number;
  /** Per kind, the findings counted but not listed. */
  folded?: Record<string, number>;
  firstFindings?: { kind: string; line: number | null; message: string }[];
  error?: string;
  errorLine?: number | null;
  ms: number;
  maxRssMiB: number;
  leftovers?: string[];
}

const [mode, file, trust] = process.argv.slice(2);
const started = performance.now();
const out: ProbeResult = { ok: false, ms: 0, maxRssMiB: 0 };
try {
  if (mode === 'verify' || mode === 'verify-workers') {
    const r = await verifyFile({ path: file, trustPath: trust ?? null, workers: mode === 'verify' ? 0 : 2 });
    Object.assign(out, {
      ok: true,
      verdict: r.verdict,
      events: r.events,
      findings: r.findings.length,
      folded: r.folded ?? {},
      firstFindings: r.findings.slice(0, 5).map((f) => ({ kind: f.kind, line: f.line, message: f.message.slice(0, 300) })),
    });
  } else if (mode === 'ingest') {
    const casesDir = mkdtempSync(path.join(os.tmpdir(), 'hostile-cases-'));
    try {
      const r = await ingestCase({ caseId: 'c', casesDir, exportPath: file, trustPath: trust ?? null, workers: 0 });
      Object.assign(out, { ok: true, verdict: r.result.verdict, events: r.result.events, findings: r.result.findings.length });
    } finally {
      out.leftovers = readdirSync(casesDir);
    }
  } else if (mode === 'replay') {
    const r = await replayExport({ exportPath: file, policies: path.resolve('resources/sample/policies'), workers: 0 });
    Object.assign(out, { ok: true, events: r.report.events, findings: r.report.unreadable_lines.length });
  } else throw new Error(`unknown mode ${mode}`);
} catch (err) {
  out.error = describeError(err, file);
  out.errorLine = (err as { line?: number }).line ?? null;
}
out.ms = Math.round(performance.now() - started);
out.maxRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(JSON.stringify(out) + '\n');
process.exit(0);
