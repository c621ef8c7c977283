/**
 * One line of an audit-export/1 file to a summary the chain verifier can
 * check in order. Pure: hashing is injected so the Node workers can use
 * node:crypto and the browser @noble/hashes.
 */
import { canonicalizeWithout, CanonicalizationError, MAX_DEPTH } from '../json/canonical';
import { parseStrictJson } from '../json/strict-json';
import { HEX64, HEX128 } from '../hex';
import type { Checkpoint, ExportHeader } from './types';

export type Sha256Hex = (text: string) => string;

export interface EventSummary {
  t: 'event';
  line: number;
  seq: number;
  ts: string;
  kind: string;
  actorType: string;
  actorId: string;
  prevHash: string;
  /** The hash the line records. */
  hash: string;
  /** The hash recomputed over canon(event without "hash"). */
  computed: string;
  /** RFC 6962 leaf hash of the recorded hash, when the caller computed it (in parallel). */
  leaf?: string;
  /** The event line as written, kept only when the caller asks (ingest). */
  raw?: string;
}

export interface CheckpointSummary {
  t: 'checkpoint';
  line: number;
  checkpoint: Checkpoint;
  /** canon(checkpoint without "sig"): the signed bytes, as text. */
  signed: string;
  raw?: string;
}

export interface HeaderSummary {
  t: 'header';
  line: number;
  header: ExportHeader;
  raw?: string;
}

export interface MalformedSummary {
  t: 'malformed';
  line: number;
  reason: string;
}

export type LineSummary = EventSummary | CheckpointSummary | HeaderSummary | MalformedSummary;

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parse one line under the I-JSON rules. The fast path is JSON.parse: if the
 * canonical form of what it returns is the line itself, the line can hold no
 * duplicate member (JSON.parse would have dropped one and the texts would
 * differ). Anything else goes through the strict parser.
 */
export function summarizeLine(
  text: string,
  line: number,
  sha256Hex: Sha256Hex,
  keepRaw = false,
  leafOf?: (hashHex: string) => string,
): LineSummary {
  let value: unknown;
  let fastOk = false;
  try {
    if (LONE_SURROGATE_ESCAPE.test(text)) value = parseStrictJson(text);
    else {
      value = JSON.parse(text);
      fastOk = true;
    }
  } catch (err) {
    try {
      value = parseStrictJson(text);
    } catch (strictErr) {
      return malformed(line, `not valid JSON: ${(strictErr as Error).message}`);
    }
    return malformed(line, `not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return malformed(line, 'the line is JSON but not an object');
  }
  const obj = value as Record<string, unknown>;
  const omit = obj.type === 'checkpoint' ? 'sig' : 'hash';
  // Fast path: a line already in canonical form (what honest exporters write)
  // hashes as its own text minus the omitted member; no second serialization.
  let without = fastOk && isCanonicalText(obj, text) ? removeMember(text, omit, obj[omit]) : null;
  if (without === null) {
    if (fastOk) {
      // Not canonical: only the strict parser can rule out duplicate names.
      try {
        parseStrictJson(text);
      } catch (err) {
        return malformed(line, (err as Error).message);
      }
    }
    try {
      without = canonicalizeWithout(obj, omit).without;
    } catch (err) {
      if (err instanceof CanonicalizationError || err instanceof RangeError) return malformed(line, (err as Error).message);
      throw err;
    }
  }
  const raw = keepRaw ? text : undefined;
  switch (obj.type) {
    case 'header':
      return headerSummary(obj, line, raw);
    case 'event': {
      const summary = eventSummary(obj, line, sha256Hex(without), raw);
      if (leafOf && summary.t === 'event') summary.leaf = leafOf(summary.hash);
      return summary;
    }
    case 'checkpoint':
      return checkpointSummary(obj, line, without, raw);
    default:
      return malformed(line, `unknown line type ${JSON.stringify(obj.type)}`);
  }
}

/** True when JSON.stringify reproduces the line and every object's keys are in JCS order. */
function isCanonicalText(obj: Record<string, unknown>, text: string): boolean {
  try {
    return keysSorted(obj, 0) && JSON.stringify(obj) === text;
  } catch {
    return false; // too deep for the stack: let the slow path say so
  }
}

function keysSorted(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (!keysSorted(v, depth + 1)) return false;
    return true;
  }
  const o = value as Record<string, unknown>;
  let prev: string | null = null;
  for (const k in o) {
    if (prev !== null && !(prev < k)) return false;
    if (!keysSorted(o[k], depth + 1)) return false;
    prev = k;
  }
  return true;
}

/** The canonical text without one top-level string member, or null when that cannot be done by position alone. */
function removeMember(text: string, key: string, value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const member = `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  const at = text.indexOf(member);
  if (at < 0 || text.indexOf(member, at + 1) >= 0) return null;
  const end = at + member.length;
  if (text[at - 1] === ',') return text.slice(0, at - 1) + text.slice(end);
  if (text[at - 1] === '{' && text[end] === ',') return text.slice(0, at) + text.slice(end + 1);
  if (text[at - 1] === '{' && text[end] === '}') return text.slice(0, at) + text.slice(end);
  return null;
}

function malformed(line: number, reason: string): MalformedSummary {
  return { t: 'malformed', line, reason };
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function missing(obj: Record<string, unknown>, checks: [string, (v: unknown) => boolean, string][]): string | null {
  const bad = checks.filter(([key, ok]) => !ok(obj[key])).map(([key, , want]) => `"${key}" (${want})`);
  return bad.length ? bad.join(', ') : null;
}

function eventSummary(obj: Record<string, unknown>, line: number, computed: string, raw: string | undefined): LineSummary {
  const bad = missing(obj, [
    ['seq', isInt, 'an integer'],
    ['ts', isStr, 'a timestamp'],
    ['kind', isStr, 'a string'],
    ['actor', (v) => isObj(v) && isStr(v.type) && isStr(v.id), 'an object with type and id'],
    ['data', isObj, 'an object'],
    ['prev_hash', (v) => isStr(v) && HEX64.test(v), '64 lowercase hex'],
    ['hash', (v) => isStr(v) && HEX64.test(v), '64 lowercase hex'],
  ]);
  if (bad) return malformed(line, `event lacks or mistypes ${bad}`);
  const actor = obj.actor as { type: string; id: string };
  return {
    t: 'event',
    line,
    seq: obj.seq as number,
    ts: obj.ts as string,
    kind: obj.kind as string,
    actorType: actor.type,
    actorId: actor.id,
    prevHash: obj.prev_hash as string,
    hash: obj.hash as string,
    computed,
    ...(raw === undefined ? {} : { raw }),
  };
}

function checkpointSummary(obj: Record<string, unknown>, line: number, signed: string, raw: string | undefined): LineSummary {
  const bad = missing(obj, [
    ['seq_hi', isInt, 'an integer'],
    ['tree_size', isInt, 'an integer'],
    ['head_hash', (v) => isStr(v) && HEX64.test(v), '64 lowercase hex'],
    ['merkle_root', (v) => isStr(v) && HEX64.test(v), '64 lowercase hex'],
    ['ts', isStr, 'a timestamp'],
    ['key_id', isStr, 'a string'],
    ['final', (v) => typeof v === 'boolean', 'true or false'],
    ['sig', (v) => isStr(v) && HEX128.test(v), '128 lowercase hex'],
  ]);
  if (bad) return malformed(line, `checkpoint lacks or mistypes ${bad}`);
  return { t: 'checkpoint', line, checkpoint: obj as unknown as Checkpoint, signed, ...(raw === undefined ? {} : { raw }) };
}

function headerSummary(obj: Record<string, unknown>, line: number, raw: string | undefined): LineSummary {
  const bad = missing(obj, [
    ['format', isStr, 'a string'],
    ['genesis', (v) => isStr(v) && HEX64.test(v), '64 lowercase hex'],
    ['first_seq', isInt, 'an integer'],
  ]);
  if (bad) return malformed(line, `header lacks or mistypes ${bad}`);
  const header = {
    export_id: '',
    chain_id: '',
    created_at: '',
    exporter: { name: '', version: '' },
    keys: [],
    ...obj,
  } as unknown as ExportHeader;
  return { t: 'header', line, header, ...(raw === undefined ? {} : { raw }) };
}
