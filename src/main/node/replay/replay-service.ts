/**
 * Replay as a service: the CLI, the desktop app and the bench all call these.
 * Decisions are evaluated in batches on a worker pool; results are taken back
 * in file order, so the report bytes do not depend on the number of workers.
 */
import { BundleIndex, readDecision } from '../../../shared/replay/decision';
import type { DecisionTask, TaskResult } from '../../../shared/replay/replay-decision';
import { REQUEST_LIMITS, type RequestLimits } from '../../../shared/replay/request-limits';
import { canonicalReport, ReplayReportBuilder } from '../../../shared/replay/report';
import { SequenceChecker, type ProjectionCheck } from '../../../shared/replay/sequence-checks';
import { projectionProblem, projectionTask } from '../../../shared/replay/projection';
import type { NotReplayableReason, PolicyRef, ReplayEvent, ReplayReport } from '../../../shared/replay/types';
import { InputError } from '../errors/errors';
import { checkRegularFile } from '../read/files';
import { loadBundleFolder, type BundleSource } from './bundle-loader';
import { nodeSha256Hex } from '../read/hashes';
import { readExportEvents } from './export-events';
import { createInlineRunner, createWorkerRunner, type DecisionRunner } from './worker-pool';
import type { DecisionReading } from '../../../shared/replay/decision';

export interface ReplayOptions {
  bundles: readonly BundleSource[];
  /** What-if: `name@version` or a bundle digest among `bundles`. */
  against?: string | null;
  /** Worker threads; 0 evaluates in the calling thread. Default 1. */
  workers?: number;
  /** Decisions per message to a worker. */
  batchSize?: number;
  /** SHA-256 of the export file, recorded in the report. */
  exportSha256?: string | null;
  /** Replace the tsx bootstrap (e.g. the built worker in the packaged app). */
  workerUrl?: URL;
  /** Called after each batch with the number of decisions done. */
  onProgress?: (decisionsDone: number, eventsRead: number) => void;
  signal?: AbortSignal;
  /** Caps on one request (default REQUEST_LIMITS); tests raise them to hand Cedar what the caps refuse. */
  requestLimits?: Readonly<RequestLimits>;
  /**
   * A decision's result evaluated elsewhere (a distributed run's workers), asked in file order
   * for each decision that would go to Cedar; undefined sends it to the runner as usual.
   */
  precomputed?: (event: ReplayEvent) => TaskResult | undefined;
}

export interface ReplayRun {
  report: ReplayReport;
  /** Canonical JSON of the report (RFC 8785). */
  canonical: string;
  /** SHA-256 of `canonical`. */
  sha256: string;
}

type Pending =
  | { kind: 'unreplayable'; reading: Extract<DecisionReading, { ok: false }> }
  | { kind: 'task'; reading: Extract<DecisionReading, { ok: true }>; pinnedFailure: { reason: NotReplayableReason; message: string } | null; at: number; pre?: TaskResult }
  | { kind: 'projection'; check: ProjectionCheck; policy: PolicyRef; at: number };

export function resolveAgainst(bundles: readonly PolicyRef[], selector: string | null | undefined): PolicyRef | null {
  if (!selector) return null;
  const found = new BundleIndex(bundles).find(selector);
  if (!found) throw new InputError(`--against ${selector}: no bundle with that name@version or digest in the policies folder`);
  return found;
}

/**
 * What one decision event asks of Cedar: its reading, why its pinned bundle cannot be used
 * (if so), and the task to evaluate (null when there is nothing to evaluate it on).
 */
export function planDecision(
  event: ReplayEvent,
  index: BundleIndex,
  against: PolicyRef | null,
  limits: Readonly<RequestLimits>,
):
  | { reading: Extract<DecisionReading, { ok: false }> }
  | { reading: Extract<DecisionReading, { ok: true }>; pinnedFailure: { reason: NotReplayableReason; message: string } | null; task: DecisionTask | null } {
  const reading = readDecision(event, limits);
  if (!reading.ok) return { reading };
  const pinned = index.resolve(reading.decision.policy);
  const pinnedFailure = pinned.ok ? null : { reason: pinned.reason, message: pinned.message };
  const task = pinned.ok || against ? { digest: pinned.ok ? pinned.bundle.digest : null, request: reading.decision.request, recorded: reading.decision.recorded } : null;
  return { reading, pinnedFailure, task };
}

export async function replayEvents(events: AsyncIterable<ReplayEvent> | Iterable<ReplayEvent>, options: ReplayOptions): Promise<ReplayRun> {
  const index = new BundleIndex(options.bundles);
  let against: PolicyRef | null;
  try {
    against = resolveAgainst(options.bundles, options.against);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError((err as Error).message);
  }
  const workers = options.workers ?? 1;
  const batchSize = options.batchSize ?? 1024;
  const againstDigest = against?.digest ?? null;
  const limits = options.requestLimits ?? REQUEST_LIMITS;
  const runner: DecisionRunner =
    workers <= 0 ? createInlineRunner(options.bundles, againstDigest, limits) : await createWorkerRunner(workers, options.bundles, againstDigest, options.workerUrl, limits);
  const builder = new ReplayReportBuilder(against);
  // Projections are evaluated on the pinned bundle beside the decisions, in the same batches and order.
  const projections: ProjectionCheck[] = [];
  const checker = new SequenceChecker((c) => projections.push(c));
  const inFlight: { pending: Pending[]; results: ReturnType<DecisionRunner['run']> }[] = [];
  const maxInFlight = Math.max(2, workers * 3);
  let pending: Pending[] = [];
  let tasks: DecisionTask[] = [];
  let decisionsDone = 0;
  let eventsRead = 0;

  const drainOne = async () => {
    const head = inFlight.shift()!;
    const results = await head.results;
    let decisions = 0;
    for (const p of head.pending) {
      if (p.kind === 'projection') {
        checker.projectionJudged(p.check, projectionProblem(results[p.at].pinned, p.policy));
        continue;
      }
      decisions++;
      if (p.kind === 'unreplayable') builder.addUnreplayable(p.reading);
      else builder.addDecision(p.reading, p.pre ?? results[p.at], p.pinnedFailure);
    }
    decisionsDone += decisions;
    options.onProgress?.(decisionsDone, eventsRead);
  };
  const flush = async () => {
    if (pending.length === 0) return;
    inFlight.push({ pending, results: tasks.length > 0 ? runner.run(tasks) : Promise.resolve([]) });
    // A rejected batch must not surface as an unhandled rejection before we await it.
    inFlight[inFlight.length - 1].results.catch(() => {});
    pending = [];
    tasks = [];
    while (inFlight.length >= maxInFlight) await drainOne();
  };

  try {
    for await (const event of events) {
      if (options.signal?.aborted) throw new Error('replay cancelled');
      eventsRead++;
      checker.push(event);
      if (projections.length > 0) {
        for (const check of projections) {
          const task = projectionTask(check, index, limits);
          if (!task.ok) {
            checker.projectionJudged(check, task.problem);
            continue;
          }
          tasks.push({ digest: task.digest, request: task.request, recorded: { effect: 'allow', determining: [] } });
          pending.push({ kind: 'projection', check, policy: task.policy, at: tasks.length - 1 });
        }
        projections.length = 0;
      }
      if (event.kind !== 'policy.decision') continue;
      const planned = planDecision(event, index, against, limits);
      if (!('task' in planned)) {
        pending.push({ kind: 'unreplayable', reading: planned.reading });
      } else {
        const { reading, pinnedFailure, task } = planned;
        const pre = task ? options.precomputed?.(event) : undefined;
        if (pre) {
          pending.push({ kind: 'task', reading, pinnedFailure, at: -1, pre });
        } else if (task) {
          tasks.push(task);
          pending.push({ kind: 'task', reading, pinnedFailure, at: tasks.length - 1 });
        } else {
          pending.push({ kind: 'task', reading, pinnedFailure, at: -1 });
        }
      }
      if (pending.length >= batchSize) await flush();
    }
    await flush();
    while (inFlight.length > 0) await drainOne();
  } finally {
    await runner.close();
  }
  const report = builder.build({
    exportSha256: options.exportSha256 ?? null,
    events: eventsRead,
    bundles: index.all.map((b) => ({ name: b.name, version: b.version, digest: b.digest })),
    sequenceFindings: checker.findings(),
  });
  return { report, ...canonicalText(report) };
}

function canonicalText(report: ReplayReport): { canonical: string; sha256: string } {
  const { text, sha256 } = canonicalReport(report, nodeSha256Hex);
  return { canonical: text, sha256 };
}

export interface ReplayExportOptions extends Omit<ReplayOptions, 'bundles' | 'exportSha256'> {
  exportPath: string;
  /** A folder of bundle folders, or bundles already loaded. */
  policies: string | readonly BundleSource[];
}

/** Replay an export file against a folder of bundles. Throws InputError (a sentence with file and line) on unusable input. */
export async function replayExport(options: ReplayExportOptions): Promise<ReplayRun & { bundles: BundleSource[]; unreadableLines: number[] }> {
  await checkRegularFile(options.exportPath, 'export');
  const bundles = typeof options.policies === 'string' ? loadBundleFolder(options.policies) : [...options.policies];
  const reading = readExportEvents(options.exportPath);
  // The file hash is known only at the end; the report is rebuilt with it (counts are unaffected).
  const run = await replayEvents(reading.events, { ...options, bundles });
  const done = reading.done();
  const report: ReplayReport = { ...run.report, export_sha256: done.sha256, unreadable_lines: done.unreadableLines };
  return { report, ...canonicalText(report), bundles, unreadableLines: done.unreadableLines };
}

/** Policy texts of loaded bundles, for `divergenceViews`. */
export function policyTextLookup(bundles: readonly BundleSource[]): (digest: string, id: string) => string | null {
  const byDigest = new Map(bundles.map((b) => [b.digest, new Map(b.policies.map((p) => [p.id, p.text]))]));
  return (digest, id) => byDigest.get(digest)?.get(id) ?? null;
}
