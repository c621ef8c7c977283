/**
 * Junk floods against an honest export of the same size, measured in the same
 * run: for each flood, `audit-replay verify FILE --json --trust T` runs in a
 * child process under /usr/bin/time, which reports its peak resident memory
 * (worker threads included) and wall time; both are printed beside the same
 * figures for a normal export with as many events as the flood has lines (or
 * events), as ratios. The machine decides the seconds; the ratios say whether
 * junk costs more than honest data.
 *
 *   node bin/run-ts.mjs bench/floods.bench.ts
 *   FLOOD_SCALE=0.1 node bin/run-ts.mjs bench/floods.bench.ts   (a tenth of every count, for a quick look)
 *
 * The inputs are generated once into os.tmpdir()/audit-replay-floods and
 * reused (delete the folder to rebuild them):
 * - 10M `{}` lines after a valid header;
 * - 10M blank lines after a valid header;
 * - 500k events whose ts steps back at every event, hashed, linked and
 *   checkpointed honestly, so only the ts-regression warning fires;
 * - ten 15 MiB lines after a valid header, each an event-shaped object whose
 *   data holds a list of a few million numbers, not in canonical form (the
 *   slowest line to judge: parsed, checked for duplicates, canonicalized);
 * - 20,000 events with 2,000 forged checkpoints among them (bad signatures,
 *   tree_size below the events read so far), then a valid final checkpoint.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deriveKey } from '../src/main/node/generate/generate-export';
import { FloodWriter } from '../test/hostile/floods';

const SCALE = Number(process.env.FLOOD_SCALE ?? 1);
const n = (count: number) => Math.max(10, Math.round(count * SCALE));
const DIR = path.join(os.tmpdir(), 'audit-replay-floods');
const REPO = path.resolve(import.meta.dirname, '..');
const write = new FloodWriter(deriveKey('floods'));
const TRUST = path.join(DIR, 'trust.json');

function cached(name: string, make: (file: string) => void): string {
  const file = path.join(DIR, name);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${file} …\n`);
    make(file);
  }
  return file;
}

interface Run {
  seconds: number;
  peakMiB: number;
  jsonBytes: number;
  verdict: string;
  listed: number;
  folded: Record<string, number>;
}

function verify(file: string): Run {
  const timing = path.join(DIR, 'time.txt');
  rmSync(timing, { force: true });
  const r = spawnSync('/usr/bin/time', ['-o', timing, '-f', '%e %M', process.execPath, path.join(REPO, 'bin/audit-replay.mjs'), 'verify', file, '--json', '--trust', TRUST], {
    cwd: REPO,
    maxBuffer: 1 << 30,
    encoding: 'buffer',
  });
  if (r.error) throw r.error;
  const [seconds, kib] = readFileSync(timing, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const out = r.stdout.toString('utf8');
  let parsed: { verdict: string; findings: unknown[]; folded?: Record<string, number> };
  try {
    parsed = JSON.parse(out) as typeof parsed;
  } catch {
    throw new Error(`verify ${file} printed no JSON (exit ${r.status}): ${r.stderr.toString().slice(0, 500)}`);
  }
  return { seconds, peakMiB: kib / 1024, jsonBytes: r.stdout.length, verdict: parsed.verdict, listed: parsed.findings.length, folded: parsed.folded ?? {} };
}

mkdirSync(DIR, { recursive: true });
writeFileSync(TRUST, JSON.stringify(write.trust()));
const LINES = n(10_000_000);
const TS = n(500_000);
const GIANT = 10;
const CP_EVENTS = n(20_000);

const floods: { name: string; file: string; baseline: number }[] = [
  { name: `${LINES.toLocaleString('en')} "{}" lines`, file: cached(`objects-${LINES}.jsonl`, (f) => write.repeated(f, '{}\n', LINES)), baseline: LINES },
  { name: `${LINES.toLocaleString('en')} blank lines`, file: cached(`blank-${LINES}.jsonl`, (f) => write.repeated(f, '\n', LINES)), baseline: LINES },
  { name: `${TS.toLocaleString('en')} ts-regression events`, file: cached(`ts-regression-${TS}.jsonl`, (f) => write.events(f, TS, { tsStep: -1 })), baseline: TS },
  { name: `${GIANT} lines of 15 MiB`, file: cached(`giant-${GIANT}.jsonl`, (f) => write.giant(f, GIANT)), baseline: GIANT },
  {
    name: `${CP_EVENTS.toLocaleString('en')} events + ${(CP_EVENTS / 10).toLocaleString('en')} forged checkpoints`,
    file: cached(`checkpoint-flood-${CP_EVENTS}.jsonl`, (f) => write.events(f, CP_EVENTS, { after: write.forgedCheckpoints(10) })),
    baseline: CP_EVENTS,
  },
];
const baselines = new Map<number, Run>();
for (const events of new Set(floods.map((f) => f.baseline))) {
  const file = cached(`normal-${events}.jsonl`, (f) => write.events(f, events));
  const run = verify(file);
  if (run.verdict !== 'intact') throw new Error(`the normal export of ${events} events did not verify intact: ${run.verdict}`);
  baselines.set(events, run);
}

const mb = (file: string) => `${(statSync(file).size / 1e6).toFixed(1)} MB`;
console.log(
  `junk floods: verify --json --trust, each in a child process (peak RSS and wall time from /usr/bin/time); ${os.availableParallelism()} cores, node ${process.version}${SCALE === 1 ? '' : `, FLOOD_SCALE=${SCALE}`}`,
);
console.log(
  `${'input'.padEnd(42)} ${'size'.padStart(10)} ${'time'.padStart(8)} ${'peak RSS'.padStart(10)}   ratios to the normal export (time, RSS)   --json output, verdict, findings listed, folded`,
);
for (const [events, run] of [...baselines].sort((a, b) => a[0] - b[0])) {
  console.log(
    `${`normal export, ${events.toLocaleString('en')} events`.padEnd(42)} ${mb(path.join(DIR, `normal-${events}.jsonl`)).padStart(10)} ${`${run.seconds.toFixed(2)} s`.padStart(8)} ${`${run.peakMiB.toFixed(0)} MiB`.padStart(10)}`,
  );
}
for (const f of floods) {
  const run = verify(f.file);
  const base = baselines.get(f.baseline)!;
  const folded =
    Object.entries(run.folded)
      .map(([k, v]) => `${k} ${v.toLocaleString('en')}`)
      .join(', ') || 'none';
  console.log(
    `${f.name.padEnd(42)} ${mb(f.file).padStart(10)} ${`${run.seconds.toFixed(2)} s`.padStart(8)} ${`${run.peakMiB.toFixed(0)} MiB`.padStart(10)}   ${`${(run.seconds / base.seconds).toFixed(2)}× time, ${(run.peakMiB / base.peakMiB).toFixed(2)}× RSS of ${f.baseline.toLocaleString('en')} events`.padEnd(40)} ${(run.jsonBytes / 1e6).toFixed(2)} MB, ${run.verdict}, ${run.listed}, folded: ${folded}`,
  );
}
