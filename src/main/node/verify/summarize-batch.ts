/**
 * The parallel half of verification: decode a batch of lines and recompute
 * every hash. Runs in worker threads (summarize-worker) or inline.
 */
import { hash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import { summarizeLine, type LineSummary } from '../../../shared/export/parse-line';
import type { LineBatch } from '../ingest/line-batches';

// crypto.hash (Node 20.12+) skips the Hash object: about twice as fast for one-shot digests.
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');
const LEAF_PREFIX = Buffer.from([0]);
const leafOf = (hashHex: string): string => hash('sha256', Buffer.concat([LEAF_PREFIX, Buffer.from(hashHex, 'hex')]), 'hex');
const decoder = new TextDecoder('utf-8', { fatal: true });

export function summarizeBatch(batch: LineBatch, keepRaw: boolean): LineSummary[] {
  const { bytes, offsets, firstLine } = batch;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  // isAscii/isUtf8 are SIMD checks in Node; toString is much faster than a fatal TextDecoder.
  const ascii = isAscii(buf);
  const text: string | null = ascii ? buf.toString('latin1') : isUtf8(buf) ? buf.toString('utf8') : null;
  const out: LineSummary[] = [];
  if (ascii && text !== null) {
    // Byte offsets equal string offsets only for pure ASCII batches.
    for (let i = 0; i + 1 < offsets.length; i++) out.push(one(text.slice(offsets[i], offsets[i + 1]), firstLine + i, keepRaw));
    return out;
  }
  if (text !== null) {
    const lines = text.split('\n');
    const n = offsets.length - 1;
    for (let i = 0; i < n; i++) out.push(one(lines[i], firstLine + i, keepRaw, true));
    return out;
  }
  for (let i = 0; i + 1 < offsets.length; i++) {
    const slice = bytes.subarray(offsets[i], offsets[i + 1]);
    let lineText: string;
    try {
      lineText = decoder.decode(slice);
    } catch {
      out.push({ t: 'malformed', line: firstLine + i, reason: 'the line is not valid UTF-8' });
      continue;
    }
    out.push(one(lineText, firstLine + i, keepRaw));
  }
  return out;
}

function one(text: string, line: number, keepRaw: boolean, stripped = false): LineSummary {
  const body = stripped ? text : text.endsWith('\n') ? text.slice(0, -1) : text;
  if (body.length > 0 && body.charCodeAt(body.length - 1) === 0x0d) {
    return { t: 'malformed', line, reason: 'the line ends with a carriage return (CRLF); JSON Lines uses \\n alone' };
  }
  if (line === 1 && body.charCodeAt(0) === 0xfeff) {
    return { t: 'malformed', line, reason: 'the file starts with a byte order mark, which UTF-8 JSON Lines does not allow' };
  }
  return summarizeLine(body, line, sha256Hex, keepRaw, leafOf);
}
