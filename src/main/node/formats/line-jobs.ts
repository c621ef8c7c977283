/**
 * Per-line work of the JSON Lines readers that can run on the hash workers:
 * everything about one line that does not depend on the lines around it
 * (parsing, rebuilding the hashed text, hashing). The reader then checks the
 * chain in file order on the results, exactly as it would have line by line.
 */
import type { CaseEvent } from '../../../shared/formats/case-model';
import type { LexObject } from '../../../shared/json/lexeme-json';
import { MESH_AUTH, meshHashInput } from '../../../shared/formats/agt/hashing';
import { meshCaseEvent, outside } from '../../../shared/formats/agt/case-events';
import type { LineBatch } from '../read/line-batches';
import { linesOfBatch } from './source';
import { nodeSha256Hex } from '../read/hashes';
import { parseObjectLine } from './agt-common';

type EntryResult = { t: 'entry'; line: number; recorded: string; prev: string; computed: string; unauthenticated: string[]; event?: CaseEvent };

/**
 * Consecutive entries (blank lines aside) that each match their hash and link
 * to the one before: only the first still needs the chain check (its own
 * link and hash); the rest add nothing to say. Made only when no case events
 * are wanted (verify, not ingest).
 */
export interface EntryRun {
  t: 'run';
  /** Line of the first entry. */
  line: number;
  count: number;
  first: { recorded: string; prev: string };
  /** Recorded hash of the last entry. */
  last: string;
  /** Members outside the hash in any of them. */
  unauthenticated: string[];
}

/**
 * One non-blank line's outcome (blank lines give none), or a run of clean
 * entries. An unreadable or unchecked result may stand for `count`
 * consecutive lines from `line` on with the same reason (1 when absent).
 */
export type LineResult =
  { t: 'unreadable'; line: number; terminated: boolean; why: string; count?: number } | { t: 'unchecked'; line: number; problem: string; count?: number } | EntryResult | EntryRun;

/** Folds a junk result into the one before when it repeats it on the next line: a flood of junk costs one result. */
function sameJunk(last: LineResult | undefined, r: LineResult): boolean {
  if (!last || last.t !== r.t || (last.t !== 'unreadable' && last.t !== 'unchecked')) return false;
  if (last.line + (last.count ?? 1) !== r.line) return false;
  if (last.t === 'unreadable' && r.t === 'unreadable') return last.why === r.why && last.terminated === r.terminated;
  return last.t === 'unchecked' && r.t === 'unchecked' && last.problem === r.problem;
}

export type LineJob = 'agt-mesh-jsonl';

/** An agent-mesh StdoutAuditSink line: entry_hash over json.dumps of the hashed members. */
function meshLine(text: string, line: number, terminated: boolean, keep: boolean): LineResult {
  let e: LexObject;
  try {
    e = parseObjectLine(text);
  } catch (err) {
    return { t: 'unreadable', line, terminated, why: err instanceof Error ? err.message : String(err) };
  }
  const recorded = typeof e.get('entry_hash') === 'string' ? (e.get('entry_hash') as string) : null;
  const prev = typeof e.get('previous_hash') === 'string' ? (e.get('previous_hash') as string) : null;
  const input = meshHashInput(e);
  if (!input.ok || recorded === null || prev === null) return { t: 'unchecked', line, problem: !input.ok ? input.problem : 'it has no entry_hash or previous_hash' };
  const computed = nodeSha256Hex(input.text);
  const unauthenticated = outside(e, MESH_AUTH);
  // The entry's position is only known in file order: the reader sets index and seq.
  const event = keep ? meshCaseEvent(e, -1, line, text, { canonical: input.text, recordedHash: recorded, computedHash: computed, prevHash: prev }, unauthenticated) : undefined;
  return { t: 'entry', line, recorded, prev, computed, unauthenticated, ...(event ? { event } : {}) };
}

const JOBS: Record<LineJob, (text: string, line: number, terminated: boolean, keep: boolean) => LineResult> = {
  'agt-mesh-jsonl': meshLine,
};

/** The results of a batch's lines for a job, read as readLines reads them; blank lines skipped. */
export function runLineJob(job: LineJob, batch: LineBatch, keep: boolean): LineResult[] {
  const fn = JOBS[job];
  const out: LineResult[] = [];
  let run: (EntryRun & { keys: Set<string> }) | null = null;
  const close = () => {
    if (run) out.push({ t: 'run', line: run.line, count: run.count, first: run.first, last: run.last, unauthenticated: [...run.keys] });
    run = null;
  };
  for (const ln of linesOfBatch(batch)) {
    if (ln.text.trim() === '') continue;
    const r = fn(ln.text, ln.line, ln.terminated, keep);
    if (keep || r.t !== 'entry' || r.computed !== r.recorded) {
      close();
      const last = out[out.length - 1];
      if (sameJunk(last, r) && (last.t === 'unreadable' || last.t === 'unchecked')) last.count = (last.count ?? 1) + 1;
      else out.push(r);
      continue;
    }
    if (run && r.prev === run.last) {
      run.count++;
      run.last = r.recorded;
      for (const k of r.unauthenticated) run.keys.add(k);
      continue;
    }
    close();
    run = { t: 'run', line: r.line, count: 1, first: { recorded: r.recorded, prev: r.prev }, last: r.recorded, unauthenticated: [], keys: new Set(r.unauthenticated) };
  }
  close();
  return out;
}
