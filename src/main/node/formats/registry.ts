/**
 * Every format Audit Replay reads, and automatic detection: the first 64 KiB
 * (gunzipped when the file is gzip), parsed as JSON (head-view.ts), is shown
 * to each reader; the most certain wins and the reason is reported, naming
 * any other reader that would also have taken the file. Nothing matching is
 * an error naming what was tried.
 *
 * The order when two readers could take a file (docs/formats.md, Detection):
 * a header that names its format (audit-export/1, score 100) wins over any
 * match on member names (95 and below); among those, the higher score; at
 * equal scores, the reader listed first in FORMAT_READERS.
 */
import path from 'node:path';
import { auditExportReader } from './audit-export-reader';
import type { FormatReader } from './reader';
import { readHeadView } from './head-view';
import { agtMeshJsonlReader } from './agt-mesh-jsonl';
import { agtMeshExportReader } from './agt-mesh-export';
import { agtMeshCloudEventsReader } from './agt-mesh-cloudevents';
import { agtFileSinkReader } from './agt-file-sink';
import { agtReceiptsReader } from './agt-receipts';
import { agtTsSdkReader } from './agt-ts-sdk';
import { agtCliPluginReader } from './agt-cli-plugin';
import { agtTraceReader } from './agt-trace';
import { acsResultsReader } from './acs-results';
import { opaDecisionLogReader } from './opa-decision-log';
import { otlpTraceReader } from './otlp-trace';

export const FORMAT_READERS: FormatReader[] = [
  auditExportReader,
  agtMeshJsonlReader,
  agtMeshExportReader,
  agtMeshCloudEventsReader,
  agtFileSinkReader,
  agtReceiptsReader,
  agtCliPluginReader,
  agtTsSdkReader,
  agtTraceReader,
  acsResultsReader,
  opaDecisionLogReader,
  otlpTraceReader,
];

export class UnknownFormatError extends Error {}

export function readerById(id: string): FormatReader | undefined {
  return FORMAT_READERS.find((r) => r.id === id);
}

/** Detects the format of a file from its first 64 KiB. Throws UnknownFormatError listing every format tried. */
export async function detectFormat(file: string): Promise<{ reader: FormatReader; reason: string }> {
  const head = await readHeadView(file);
  const name = path.basename(file);
  const matches: { reader: FormatReader; reason: string; score: number }[] = [];
  for (const reader of FORMAT_READERS) {
    const d = reader.detect(head, name);
    if (d) matches.push({ reader, reason: d.reason, score: d.score });
  }
  // Stable: at equal scores the reader listed first stays first.
  matches.sort((a, b) => b.score - a.score);
  const [best, ...others] = matches;
  if (!best && head.text.trim() === '') {
    throw new UnknownFormatError(head.text === '' ? `${name} is empty: there is nothing to verify.` : `${name} holds only blank lines: there is nothing to verify.`);
  }
  if (!best) {
    const tried = FORMAT_READERS.map((r) => `${r.id} (${r.describe})`).join('; ');
    throw new UnknownFormatError(`${name} is not in a format Audit Replay reads. Tried: ${tried}. Use --format to name one.`);
  }
  if (others.length === 0) return { reader: best.reader, reason: best.reason };
  const why = best.score === 100 ? 'a header naming its format wins' : best.score > others[0].score ? 'the more specific match wins' : 'at equal evidence the reader listed first wins';
  const also = others.map((o) => `${o.reader.id}: ${o.reason}`).join('; ');
  return { reader: best.reader, reason: `${best.reason} (it could also be read as ${also}; ${why})` };
}
