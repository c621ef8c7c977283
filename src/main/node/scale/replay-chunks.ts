/**
 * Distributed replay: the Cedar evaluation of recorded decisions fans out as
 * chunks (byte ranges of the export, cut at line ends), each worker reading
 * its own range and evaluating its decisions on bundles it compiled once and
 * keeps (cached per worker by the policies folder and its digests). A chunk
 * answers with its results run-length encoded (an honest export's decisions
 * mostly match: one entry for thousands) and a digest of which decisions
 * they are. The submitter then runs the same replayEvents as `replay`, in
 * file order (conduct checks, projections, the report), taking each
 * decision's result from its chunk instead of evaluating it again.
 */
import { createHash } from 'node:crypto';
import { BundleIndex } from '../../../shared/replay/decision';
import type { TaskResult } from '../../../shared/replay/replay-decision';
import { REQUEST_LIMITS } from '../../../shared/replay/request-limits';
import type { ReplayEvent } from '../../../shared/replay/types';
import { InputError } from '../errors/errors';
import { checkRegularFile } from '../read/files';
import { loadBundleFolder, type BundleSource } from '../replay/bundle-loader';
import { readExportEvents } from '../replay/export-events';
import { createInlineRunner, type DecisionRunner } from '../replay/worker-pool';
import { planDecision, replayExport, resolveAgainst, type ReplayRun } from '../replay/replay-service';
import type { SegmentRef } from './segments';
import { countSegment, planSegments } from './segments';
import { createSubmitter, runId, type JobSpec } from './queue';
import type { JobData } from './worker';

export interface ReplayChunkJob {
  ref: SegmentRef;
  firstLine: number;
  policies: string;
  /** The digests the submitter loaded from `policies`: a worker that reads others refuses the job. */
  digests: string[];
  against: string | null;
}

export interface ReplayChunkResult {
  /** Decisions evaluated, and [count, result] runs of equal results in file order. */
  decisions: number;
  runs: [number, TaskResult][];
  /** SHA-256 of "line:seq\n" of each evaluated decision, so the submitter can tell they are the ones it reads. */
  keys: string;
}

/** Compiled bundles per policies folder and digests: a worker compiles each set once, whatever the number of chunks. */
const cache = new Map<string, { bundles: BundleSource[]; runner: DecisionRunner; against: ReturnType<typeof resolveAgainst> }>();

function bundlesFor(job: ReplayChunkJob) {
  const key = JSON.stringify([job.policies, job.digests, job.against]);
  let hit = cache.get(key);
  if (!hit) {
    const bundles = loadBundleFolder(job.policies);
    const digests = bundles.map((b) => b.digest);
    if (JSON.stringify(digests) !== JSON.stringify(job.digests)) {
      throw new InputError(`the policies folder holds other bundles on this worker (${digests.join(', ') || 'none'}) than where the run was submitted (${job.digests.join(', ')})`, job.policies);
    }
    const against = resolveAgainst(bundles, job.against);
    hit = { bundles, runner: createInlineRunner(bundles, against?.digest ?? null), against };
    cache.set(key, hit);
  }
  return hit;
}

const BATCH = 1024;

export async function replayChunk(job: ReplayChunkJob): Promise<ReplayChunkResult> {
  const st = await checkRegularFile(job.ref.path, 'export');
  if (st.size !== job.ref.size || st.mtimeMs !== job.ref.mtimeMs) throw new InputError('the export changed after the run was planned, so its chunks no longer fit it', job.ref.path);
  const { bundles, runner, against } = bundlesFor(job);
  const index = new BundleIndex(bundles);
  const reading = readExportEvents(job.ref.path, { start: job.ref.start, end: job.ref.end, firstLine: job.firstLine });
  const keys = createHash('sha256');
  const runs: [number, TaskResult][] = [];
  let last = '';
  let decisions = 0;
  let tasks: Parameters<DecisionRunner['run']>[0] = [];
  const flush = async () => {
    for (const r of await runner.run(tasks)) {
      const text = JSON.stringify(r);
      if (text === last) runs[runs.length - 1][0]++;
      else runs.push([1, r]);
      last = text;
    }
    tasks = [];
  };
  for await (const event of reading.events) {
    if (event.kind !== 'policy.decision') continue;
    const planned = planDecision(event, index, against, REQUEST_LIMITS);
    if (!('task' in planned) || !planned.task) continue;
    keys.update(`${event.line}:${event.seq}\n`);
    tasks.push(planned.task);
    decisions++;
    if (tasks.length >= BATCH) await flush();
  }
  await flush();
  return { decisions, runs, keys: keys.digest('hex') };
}

/** Decision results from the chunks, handed out in file order by line, each chunk's checked when the run ends. */
class ChunkResults {
  private readonly taken: { n: number; run: number; used: number; keys: ReturnType<typeof createHash> }[];
  constructor(
    private readonly firstLines: number[],
    private readonly results: ReplayChunkResult[],
  ) {
    this.taken = results.map(() => ({ n: 0, run: 0, used: 0, keys: createHash('sha256') }));
  }

  take(event: ReplayEvent): TaskResult | undefined {
    const line = event.line ?? 0;
    let lo = 0;
    let hi = this.firstLines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firstLines[mid] <= line) lo = mid;
      else hi = mid - 1;
    }
    if (this.firstLines.length === 0 || line < this.firstLines[0]) return undefined;
    const t = this.taken[lo];
    const runs = this.results[lo].runs;
    if (t.run >= runs.length) return undefined;
    const result = runs[t.run][1];
    if (++t.used === runs[t.run][0]) {
      t.run++;
      t.used = 0;
    }
    t.n++;
    t.keys.update(`${event.line}:${event.seq}\n`);
    return result;
  }

  check(): void {
    this.taken.forEach((t, k) => {
      if (t.n !== this.results[k].decisions || t.keys.digest('hex') !== this.results[k].keys) {
        throw new InputError(`chunk ${k + 1} of ${this.results.length} was read differently on its worker than here (${this.results[k].decisions} decisions there, ${t.n} here)`);
      }
    });
  }
}

export const DEFAULT_CHUNK_BYTES = 16 << 20;

export interface DistributedReplayRequest {
  exportPath: string;
  policies: string;
  against?: string | null;
  redis: string;
  chunkBytes?: number;
  /** See SubmitterOptions. */
  waitTimeoutMs?: number;
}

/** `replay --redis`: the same report as `replay` (same bytes, same SHA-256). */
export async function replayDistributed(request: DistributedReplayRequest): Promise<ReplayRun & { chunks: number }> {
  await checkRegularFile(request.exportPath, 'export');
  const bundles = loadBundleFolder(request.policies);
  const submitter = await createSubmitter(request.redis, { waitTimeoutMs: request.waitTimeoutMs });
  try {
    const chunkBytes = request.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    const plan = await planSegments(request.exportPath, chunkBytes);
    if (!plan) return { ...(await replayExport({ exportPath: request.exportPath, policies: bundles, against: request.against ?? null, workers: 1 })), chunks: 0 };
    const id = runId(['replay', plan.path, plan.size, plan.mtimeMs, chunkBytes, request.policies, bundles.map((b) => b.digest), request.against ?? null]);
    const refs: SegmentRef[] = plan.segments.map((s) => ({ path: plan.path, size: plan.size, mtimeMs: plan.mtimeMs, start: s.start, end: s.end }));
    const what = (k: number) => `Chunk ${k + 1} of ${refs.length} (bytes ${refs[k].start}–${refs[k].end})`;
    const counts = await submitter.run<JobData, Awaited<ReturnType<typeof countSegment>>>(
      refs.map((ref, k) => ({ name: 'count', id: `${id}-count-${k}`, data: { kind: 'count', ref }, what: what(k) })),
    );
    const firstLines: number[] = [];
    let line = 2;
    for (const c of counts) {
      firstLines.push(line);
      line += c.lines;
    }
    const jobs: JobSpec<JobData>[] = refs.map((ref, k) => ({
      name: 'replay-chunk',
      id: `${id}-replay-${k}`,
      data: { kind: 'replay', chunk: { ref, firstLine: firstLines[k], policies: request.policies, digests: bundles.map((b) => b.digest), against: request.against ?? null } },
      what: what(k),
    }));
    const results = await submitter.run<JobData, ReplayChunkResult>(jobs);
    const lookup = new ChunkResults(firstLines, results);
    const run = await replayExport({ exportPath: request.exportPath, policies: bundles, against: request.against ?? null, workers: 1, precomputed: (e) => lookup.take(e) });
    lookup.check();
    return { report: run.report, canonical: run.canonical, sha256: run.sha256, chunks: refs.length };
  } finally {
    await submitter.close();
  }
}
