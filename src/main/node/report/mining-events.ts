/** The events of any supported file, as process-mining tools need them (verified on the way, like every read). */
import type { MiningEvent } from '../../../shared/report/process-mining';
import { verifyFile } from '../verify/verify-file';

export async function readMiningEvents(file: string, options: { format?: string | null; hmacKeyPath?: string | null } = {}): Promise<{ events: MiningEvent[]; verdict: string; format: string }> {
  const events: MiningEvent[] = [];
  const result = await verifyFile({
    path: file,
    format: options.format,
    hmacKeyPath: options.hmacKeyPath,
    onEvent: (e) => {
      let data: Record<string, unknown> | null = null;
      try {
        const raw = JSON.parse(e.raw) as { data?: unknown };
        if (typeof raw?.data === 'object' && raw.data !== null && !Array.isArray(raw.data)) data = raw.data as Record<string, unknown>;
      } catch {
        // An entry that is not JSON still has its kind, actor and time.
      }
      events[e.index] = { index: e.index, seq: e.seq, line: e.line, ts: e.ts, kind: e.kind, actorType: e.actorType, actorId: e.actorId, outcome: e.outcome, data };
    },
  });
  return { events: events.filter(Boolean), verdict: result.verdict, format: result.format };
}
