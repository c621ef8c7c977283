/**
 * One line of an audit-export/1 file to a summary the chain verifier can
 * check in order. Pure: hashing is injected so the Node workers can use
 * node:crypto and the browser @noble/hashes.
 */
import { canonicalWithout, CanonicalizationError, MAX_DEPTH } from '../json/canonical';
import { checkStrictJson, parseStrictJson } from '../json/strict-json';
import { scanCanonicalObject, type MemberSpan } from '../json/canonical-scan';
import { HEX128 } from '../hex';
import type { Sha256Hex } from '../crypto';
import type { Checkpoint, ExportHeader } from './types';

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
  /** Optional members of the wrong type are replaced by empty ones (and named in `problems`). */
  header: ExportHeader;
  /** Sentences naming each header member that was not of its type; the header is not hashed, so these never stop verification. */
  problems?: string[];
  raw?: string;
}

export interface MalformedSummary {
  t: 'malformed';
  line: number;
  reason: string;
  /** Consecutive lines from `line` on with this same reason (1 when absent): a flood of junk costs one summary. */
  count?: number;
}

export type LineSummary = EventSummary | CheckpointSummary | HeaderSummary | MalformedSummary;

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Parse one line under the I-JSON rules. The fast path is JSON.parse: if the
 * canonical form of what it returns is the line itself, the line can hold no
 * duplicate member (JSON.parse would have dropped one and the texts would
 * differ). Anything else goes through the strict parser.
 */
export function summarizeLine(text: string, line: number, sha256Hex: Sha256Hex, keepRaw = false, leafOf?: (hashHex: string) => string): LineSummary {
  // Junk is common in hostile files: say why without building an exception per line.
  const first = firstNonBlank(text);
  if (first === -1) return malformed(line, 'the line is empty');
  if (text.charCodeAt(first) !== 0x7b) return malformed(line, 'the line is not an object (it does not start with {)');
  const fast = canonicalEvent(text, line, sha256Hex, keepRaw);
  if (fast) {
    if (leafOf && fast.t === 'event') fast.leaf = leafOf(fast.hash);
    return fast;
  }
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
      checkStrictJson(text);
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
  const canonical = fastOk && isCanonicalText(obj, text);
  let without = canonical ? removeMember(text, omit, obj[omit]) : null;
  // Canonical and without the member (a header, or junk such as `{}`): the text is already canon(obj without it),
  // as the slow path below would build it, unless nesting reaches the depth canonicalization refuses.
  if (without === null && canonical && !Object.hasOwn(obj, omit) && shallowerThan(obj, MAX_DEPTH)) without = text;
  if (without === null) {
    if (fastOk) {
      // Not canonical: only the strict parser can rule out duplicate names (it checks; the value is JSON.parse's).
      try {
        checkStrictJson(text);
      } catch (err) {
        return malformed(line, (err as Error).message);
      }
    }
    try {
      without = canonicalWithout(obj, omit);
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

/**
 * The fastest path, for an event line already in canonical form: no object
 * graph is built; the needed members are read from their spans and the
 * hashed bytes are the line minus its "hash" member. Null for anything else.
 */
function canonicalEvent(text: string, line: number, sha256Hex: Sha256Hex, keepRaw: boolean): LineSummary | null {
  const members = scanCanonicalObject(text);
  if (!members) return null;
  let type: MemberSpan | undefined;
  let hash: MemberSpan | undefined;
  const lite: Record<string, unknown> = {};
  for (const m of members) {
    switch (m.key) {
      case 'type':
        type = m;
        break;
      case 'hash':
        hash = m;
        lite.hash = spanValue(text, m);
        break;
      case 'data':
        // Only its shape is checked here; its bytes are hashed as written, which is canonical.
        lite.data = text.charCodeAt(m.start) === 0x7b ? EMPTY : spanValue(text, m);
        break;
      case 'seq':
      case 'ts':
      case 'kind':
      case 'actor':
      case 'prev_hash':
        lite[m.key] = spanValue(text, m);
        break;
    }
  }
  if (!type || text.slice(type.start, type.end) !== '"event"' || !hash || typeof lite.hash !== 'string') return null;
  const without =
    text.charCodeAt(hash.memberStart - 1) === 0x2c
      ? text.slice(0, hash.memberStart - 1) + text.slice(hash.end)
      : text.charCodeAt(hash.end) === 0x2c
        ? text.slice(0, hash.memberStart) + text.slice(hash.end + 1)
        : text.slice(0, hash.memberStart) + text.slice(hash.end);
  return eventSummary(lite, line, sha256Hex(without), keepRaw ? text : undefined);
}

const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function spanValue(text: string, m: MemberSpan): unknown {
  const first = text.charCodeAt(m.start);
  if (first === 0x22) {
    const inner = text.slice(m.start + 1, m.end - 1);
    return inner.includes('\\') ? JSON.parse(text.slice(m.start, m.end)) : inner;
  }
  return JSON.parse(text.slice(m.start, m.end));
}

/** Offset of the first character that is not JSON whitespace, or -1. */
function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
  }
  return -1;
}

/** True when JSON.stringify reproduces the line and every object's keys are in JCS order. */
function isCanonicalText(obj: Record<string, unknown>, text: string): boolean {
  try {
    return keysSorted(obj, 0) && JSON.stringify(obj) === text;
  } catch {
    return false; // too deep for the stack: let the slow path say so
  }
}

/** True when no object or array in `value` (at `depth`) lies `limit` levels deep or more: canonicalize() would refuse it. */
function shallowerThan(value: unknown, limit: number, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth >= limit) return false;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const v of children) if (!shallowerThan(v, limit, depth + 1)) return false;
  return true;
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
  // The last occurrence is the top-level member: quotes inside strings are escaped, so the
  // text can only recur as a member nested in an earlier value, which would make the line
  // hash itself (a SHA-256 fixed point), or in a later top-level value that the spec types
  // as a scalar (the line is then rejected as malformed anyway).
  const at = text.lastIndexOf(member);
  if (at < 0) return null;
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
/** 64 lowercase hex digits; a loop, because a regular expression here costs 5% of verification. */
function isHex64(v: unknown): v is string {
  if (typeof v !== 'string' || v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

type MemberCheck = [string, (v: unknown) => boolean, string];

function missing(obj: Record<string, unknown>, checks: readonly MemberCheck[]): string | null {
  let bad: string[] | null = null;
  for (const [key, ok, want] of checks) if (!ok(obj[key])) (bad ??= []).push(`"${key}" (${want})`);
  return bad ? bad.join(', ') : null;
}

// Built once: this runs for every line of multi-gigabyte exports.
const EVENT_CHECKS: readonly MemberCheck[] = [
  ['seq', isInt, 'an integer'],
  ['ts', isStr, 'a timestamp'],
  ['kind', isStr, 'a string'],
  ['actor', (v) => isObj(v) && isStr(v.type) && isStr(v.id), 'an object with type and id'],
  ['data', isObj, 'an object'],
  ['prev_hash', isHex64, '64 lowercase hex'],
  ['hash', isHex64, '64 lowercase hex'],
];

const CHECKPOINT_CHECKS: readonly MemberCheck[] = [
  ['seq_hi', isInt, 'an integer'],
  ['tree_size', isInt, 'an integer'],
  ['head_hash', isHex64, '64 lowercase hex'],
  ['merkle_root', isHex64, '64 lowercase hex'],
  ['ts', isStr, 'a timestamp'],
  ['key_id', isStr, 'a string'],
  ['final', (v) => typeof v === 'boolean', 'true or false'],
  ['sig', (v) => isStr(v) && HEX128.test(v), '128 lowercase hex'],
];

const HEADER_CHECKS: readonly MemberCheck[] = [
  ['format', isStr, 'a string'],
  ['genesis', isHex64, '64 lowercase hex'],
  ['first_seq', isInt, 'an integer'],
];

function eventSummary(obj: Record<string, unknown>, line: number, computed: string, raw: string | undefined): LineSummary {
  const bad = missing(obj, EVENT_CHECKS);
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
  const bad = missing(obj, CHECKPOINT_CHECKS);
  if (bad) return malformed(line, `checkpoint lacks or mistypes ${bad}`);
  return { t: 'checkpoint', line, checkpoint: obj as unknown as Checkpoint, signed, ...(raw === undefined ? {} : { raw }) };
}

function headerSummary(obj: Record<string, unknown>, line: number, raw: string | undefined): LineSummary {
  const bad = missing(obj, HEADER_CHECKS);
  if (bad) return malformed(line, `header lacks or mistypes ${bad}`);
  // No hash or signature covers the header, so anyone can write anything in these members:
  // each is checked by type before use, and a wrong one is dropped with a sentence, never
  // allowed to stop verification (which would let an editor turn "tampered" into "unusable").
  const problems: string[] = [];
  const text = (key: string): string => {
    const v = obj[key];
    if (v === undefined || typeof v === 'string') return (v as string | undefined) ?? '';
    problems.push(`Line ${line}: the header's "${key}" is not a string; it is ignored.`);
    return '';
  };
  let exporter = { name: '', version: '' };
  if (obj.exporter !== undefined) {
    const e = obj.exporter;
    if (isObj(e) && (e.name === undefined || isStr(e.name)) && (e.version === undefined || isStr(e.version))) {
      exporter = { name: (e.name as string | undefined) ?? '', version: (e.version as string | undefined) ?? '' };
    } else {
      problems.push(`Line ${line}: the header's "exporter" is not an object with string "name" and "version"; it is ignored.`);
    }
  }
  const header: ExportHeader = {
    type: 'header',
    format: obj.format as string,
    export_id: text('export_id'),
    chain_id: text('chain_id'),
    genesis: obj.genesis as string,
    first_seq: obj.first_seq as number,
    created_at: text('created_at'),
    exporter,
    keys: headerKeys(obj.keys, line, problems),
  };
  return { t: 'header', line, header, ...(problems.length ? { problems } : {}), ...(raw === undefined ? {} : { raw }) };
}

/** The header's "keys": only well-typed entries, each key_id once (the first); the rest named in problems. */
function headerKeys(value: unknown, line: number, problems: string[]): ExportHeader['keys'] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`Line ${line}: the header's "keys" is not a list of keys; it is ignored (trust comes from your trust store, never from the export).`);
    return [];
  }
  const keys: ExportHeader['keys'] = [];
  const seen = new Set<string>();
  value.forEach((k: unknown, i) => {
    if (!isObj(k) || !isStr(k.key_id) || !isStr(k.alg) || !isHex64(k.public_key)) {
      problems.push(`Line ${line}: the header's keys[${i}] is not an object with string "key_id", "alg" and a 64-hex "public_key"; it is ignored.`);
    } else if (seen.has(k.key_id)) {
      problems.push(`Line ${line}: the header names key "${k.key_id}" more than once (keys[${i}] again); only the first is used.`);
    } else {
      seen.add(k.key_id);
      keys.push({ key_id: k.key_id, alg: k.alg, public_key: k.public_key });
    }
  });
  return keys;
}
