/** Builders for replay tests: bundles on disk, events in memory, exports on disk. */
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReplayEvent } from '../../src/shared/replay/types';

export const SAMPLE_POLICIES = fileURLToPath(new URL('../../resources/sample/policies', import.meta.url));
export const V7 = path.join(SAMPLE_POLICIES, 'ap-policy-v7');
export const V8 = path.join(SAMPLE_POLICIES, 'ap-policy-v8');

export function tempDir(prefix = 'replay-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** A folder of bundles holding copies of the sample bundles (so tests may alter them). */
export function copySamplePolicies(): string {
  const dir = tempDir();
  cpSync(SAMPLE_POLICIES, dir, { recursive: true });
  return dir;
}

export function writeBundle(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export interface Ctx {
  amount: number;
  currency?: string;
  vendor_verified?: boolean;
  po_matched?: boolean;
  ring?: number;
}

export function request(agent: string, action: string, resourceId: string, ctx: Ctx) {
  return {
    principal: { type: 'Agent', id: agent },
    action: { type: 'Action', id: action },
    resource: { type: resourceId.startsWith('CN-') ? 'CreditNote' : 'Invoice', id: resourceId },
    context: { currency: 'EUR', vendor_verified: true, po_matched: true, ring: 0, ...ctx },
  };
}

/** Appends events with consecutive seq and index. */
export class EventLog {
  readonly events: ReplayEvent[] = [];
  private decisions = 0;

  add(kind: string, actor: { type: string; id: string }, data: Record<string, unknown>): ReplayEvent {
    const n = this.events.length;
    const e: ReplayEvent = { index: n, seq: n, line: n + 2, kind, actor, data };
    this.events.push(e);
    return e;
  }

  decision(requestId: string, policy: { name: string; version: string; digest: string }, req: unknown, outcome: { effect: string; determining: string[] }): ReplayEvent {
    return this.add(
      'policy.decision',
      { type: 'system', id: 'policy-engine' },
      {
        decision_id: `dec-${++this.decisions}`,
        request_id: requestId,
        policy,
        request: req,
        outcome,
      },
    );
  }

  executed(agent: string, requestId: string): ReplayEvent {
    return this.add('action.executed', { type: 'agent', id: agent }, { request_id: requestId, result: { status: 'ok' } });
  }

  /** Writes an audit-export/1-shaped file (hashes are placeholders: replay does not verify). */
  writeExport(file: string): string {
    const lines = [
      JSON.stringify({
        type: 'header',
        format: 'audit-export/1',
        export_id: 't',
        chain_id: 't',
        genesis: '0'.repeat(64),
        first_seq: 0,
        created_at: '2026-11-25T00:00:00.000Z',
        exporter: { name: 't', version: '0' },
        keys: [],
      }),
    ];
    for (const e of this.events) {
      lines.push(JSON.stringify({ type: 'event', seq: e.seq, ts: '2026-11-25T00:00:00.000Z', kind: e.kind, actor: e.actor, data: e.data, prev_hash: '0'.repeat(64), hash: '0'.repeat(64) }));
    }
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  }
}
