/**
 * Every format Audit Replay reads, and automatic detection: the first 64 KiB
 * (gunzipped when the file is gzip) is shown to each reader, the most certain
 * wins, and the reason is reported. Nothing matching is an error naming what
 * was tried.
 */
import path from 'node:path';
import { auditExportReader } from '../verify/audit-export-reader';
import type { FormatReader } from './reader';
import { readHead } from './source';
import { agtMeshJsonlReader } from './agt-mesh-jsonl';
import { agtMeshExportReader } from './agt-mesh-export';
import { agtMeshCloudEventsReader } from './agt-mesh-cloudevents';
import { agtFileSinkReader } from './agt-file-sink';
import { agtReceiptsReader } from './agt-receipts';
import { agtTsSdkReader } from './agt-ts-sdk';
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
  agtTsSdkReader,
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
  const head = await readHead(file);
  const name = path.basename(file);
  let best: { reader: FormatReader; reason: string; score: number } | null = null;
  for (const reader of FORMAT_READERS) {
    const d = reader.detect(head, name);
    if (d && (!best || d.score > best.score)) best = { reader, reason: d.reason, score: d.score };
  }
  if (!best && head.trim() === '') {
    throw new UnknownFormatError(head === '' ? `${name} is empty: there is nothing to verify.` : `${name} holds only blank lines: there is nothing to verify.`);
  }
  if (!best) {
    const tried = FORMAT_READERS.map((r) => `${r.id} (${r.describe})`).join('; ');
    throw new UnknownFormatError(`${name} is not in a format Audit Replay reads. Tried: ${tried}. Use --format to name one.`);
  }
  return { reader: best.reader, reason: best.reason };
}
