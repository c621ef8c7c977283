/**
 * Re-serializers that reproduce, byte for byte, what other languages' JSON
 * writers produced when a log's hash was computed: Python's json.dumps and
 * Rust's serde_json (compact, sorted). Numbers are written from the lexeme the
 * file holds, never through a double, unless the writer itself used doubles.
 */
import { LexNumber, LexObject, type LexValue } from './lexeme-json';

/** Compares two strings by Unicode code point (Python's str order), not by UTF-16 unit as JS does. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Surrogates (astral code points) rank above U+E000..U+FFFF.
function codeUnitRank(u: number): number {
  if (u >= 0xe000) return u - 0x800;
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  return u;
}

export interface PythonDumpsOptions {
  sortKeys: boolean;
  /** json.dumps's default is true: every non-ASCII character becomes \uXXXX. */
  ensureAscii: boolean;
  /** [item separator, key separator]; Python's default is [", ", ": "]. */
  separators: [string, string];
  /** How a number's lexeme is written; as written when absent (json.dumps of a value json.loads kept as text). */
  numberText?: (lexeme: string) => string;
}

export const PY_DEFAULT: PythonDumpsOptions = { sortKeys: true, ensureAscii: true, separators: [', ', ': '] };

const SAFE_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const SHORT: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

export function pythonString(s: string, ensureAscii: boolean): string {
  if (SAFE_ASCII.test(s)) return '"' + s + '"';
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT[c];
    if (short !== undefined) out += short;
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

export function pythonDumps(v: LexValue, o: PythonDumpsOptions = PY_DEFAULT): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return pythonString(v, o.ensureAscii);
  if (v instanceof LexNumber) return o.numberText ? o.numberText(v.lexeme) : v.lexeme;
  const [item, key] = o.separators;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? item : '') + pythonDumps(v[i], o);
    return out + ']';
  }
  const keys = [...v.members.keys()];
  if (keys.length === 0) return '{}';
  if (o.sortKeys && !isSorted(keys)) keys.sort(compareCodePoints);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    out += (i ? item : '') + pythonString(keys[i], o.ensureAscii) + key + pythonDumps(v.members.get(keys[i])!, o);
  }
  return out + '}';
}

// Logs written with sort_keys are already in order; checking is cheaper than sorting.
function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareCodePoints(keys[i - 1], keys[i]) > 0) return false;
  return true;
}

/** A new object with exactly these members, in this order. */
export function lexObject(members: [string, LexValue][]): LexObject {
  const o = new LexObject(-1);
  for (const [k, v] of members) o.members.set(k, v);
  return o;
}

/**
 * A number as serde_json prints it: integers as written (i64/u64 range),
 * everything else as an f64 in ryu's shortest form (`1.0`, `1e-7`, `1e22`).
 */
export function serdeNumber(lexeme: string): string {
  if (/^-?\d+$/.test(lexeme)) {
    const big = BigInt(lexeme);
    if (big >= -(2n ** 63n) && big < 2n ** 64n) return big.toString();
  }
  const x = Number(lexeme);
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant, expText] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const length = digits.length;
  const kk = Number(expText) + 1; // position of the decimal point relative to the digits
  const k = kk - length;
  let out: string;
  if (k >= 0 && kk <= 16) out = digits + '0'.repeat(k) + '.0';
  else if (kk > 0 && kk <= 16) out = digits.slice(0, kk) + '.' + digits.slice(kk);
  else if (kk > -5 && kk <= 0) out = '0.' + '0'.repeat(-kk) + digits;
  else if (length === 1) out = digits + 'e' + (kk - 1);
  else out = digits[0] + '.' + digits.slice(1) + 'e' + (kk - 1);
  return sign + out;
}

const SERDE_SORTED_COMPACT: PythonDumpsOptions = { sortKeys: true, ensureAscii: false, separators: [',', ':'], numberText: serdeNumber };
/** Compact JSON, keys sorted by code point at every depth, non-ASCII raw, serde_json numbers (ACS identities). */
export function serdeSortedCompact(v: LexValue): string {
  return pythonDumps(v, SERDE_SORTED_COMPACT);
}
