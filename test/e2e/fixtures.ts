/** Exports for the end-to-end tests, made with the project's own generator and then damaged on purpose. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/browser-shell';

export interface Fixtures {
  dir: string;
  intact: string;
  tampered: string;
  /** 1-based line of the event whose content was changed. */
  tamperedLine: number;
  xss: string;
  trust: string;
  policies: string;
}

export const XSS_PAYLOAD = '<img src=x onerror="window.__xss=1">';
export const XSS_URL = 'javascript:window.__xss=2';

export function makeFixtures(events = 3000): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), 'audit-replay-e2e-'));
  const policies = join(REPO_ROOT, 'resources/sample/policies');
  const sample = join(REPO_ROOT, 'resources/sample/export.jsonl');
  const sampleTrust = join(REPO_ROOT, 'resources/sample/trust.json');
  let intact = sample;
  let trust = sampleTrust;
  if (!existsSync(sample) || !existsSync(sampleTrust)) {
    intact = join(dir, 'export.jsonl');
    trust = join(dir, 'trust.json');
    const run = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/audit-replay.mjs'),
        'generate',
        '--events',
        String(events),
        '--seed',
        '7',
        '--plant-divergences',
        '3',
        '--out',
        intact,
        '--key-out',
        join(dir, 'key.json'),
        '--trust-out',
        trust,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`generate failed: ${run.stderr}`);
  }
  const lines = readFileSync(intact, 'utf8').split('\n');
  // Change one event's content after it was written: its hash no longer matches.
  const tamperedLine = 40;
  const tamperedEvent = JSON.parse(lines[tamperedLine - 1]!) as { data: Record<string, unknown> };
  tamperedEvent.data = { ...tamperedEvent.data, tampered_note: 'changed after export' };
  const tampered = join(dir, 'tampered.jsonl');
  writeFileSync(tampered, lines.map((l, i) => (i === tamperedLine - 1 ? JSON.stringify(tamperedEvent) : l)).join('\n'));
  // Hostile strings in fields the table and inspector show.
  const xssEvent = JSON.parse(lines[4]!) as { actor: { id: string }; data: Record<string, unknown> };
  xssEvent.actor.id = XSS_URL;
  xssEvent.data = { ...xssEvent.data, tool: XSS_PAYLOAD, request_id: XSS_PAYLOAD, link: XSS_URL };
  const xss = join(dir, 'xss.jsonl');
  writeFileSync(xss, lines.map((l, i) => (i === 4 ? JSON.stringify(xssEvent) : l)).join('\n'));
  return { dir, intact, tampered, tamperedLine, xss, trust, policies };
}

/** A larger export, so an ingest runs long enough to watch its progress and cancel it. */
export function makeLargeExport(dir: string, events: number): { exportPath: string; trust: string } {
  const exportPath = join(dir, `large-${events}.jsonl`);
  const trust = join(dir, 'large-trust.json');
  const run = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin/audit-replay.mjs'), 'generate', '--events', String(events), '--seed', '3', '--out', exportPath, '--key-out', join(dir, 'large-key.json'), '--trust-out', trust],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`generate failed: ${run.stderr}`);
  return { exportPath, trust };
}
