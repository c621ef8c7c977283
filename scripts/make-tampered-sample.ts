/**
 * Derives resources/sample/export-tampered.jsonl from the sample the way an
 * insider covering up a payment would: flip one recorded denial to allow,
 * then recompute every later hash and link so the chain looks consistent.
 * Only the signed checkpoints give it away.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { canonicalize } from '../src/shared/json/canonical';

const source = process.argv[2] ?? 'resources/sample/export.jsonl';
const target = process.argv[3] ?? 'resources/sample/export-tampered.jsonl';
const lines = readFileSync(source, 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l));
const victim = lines.findIndex((l, i) => i > lines.length / 2 && l.type === 'event' && l.kind === 'policy.decision' && l.data.outcome.effect === 'deny');
if (victim < 0) throw new Error('no denial to flip in the second half of the sample');
lines[victim].data.outcome = { effect: 'allow', determining: ['ap.pay.small'] };
let prev: string | null = null;
for (let i = victim; i < lines.length; i++) {
  const l = lines[i];
  if (l.type !== 'event') continue;
  if (prev) l.prev_hash = prev;
  delete l.hash;
  l.hash = createHash('sha256').update(canonicalize(l)).digest('hex');
  prev = l.hash;
}
writeFileSync(target, lines.map((l) => canonicalize(l)).join('\n') + '\n');
process.stderr.write(`flipped the decision on line ${victim + 1} (seq ${lines[victim].seq}) and re-chained ${target}\n`);
