/**
 * Recognizes text that is already RFC 8785 canonical JSON without building
 * any objects, and reports where each top-level member's value lies.
 *
 * Verification of honest exports is dominated by parsing and re-serializing
 * every line; an exporter that follows the spec writes canonical lines, and
 * for those the line itself is the hashed form. This scanner accepts only
 * the exact canonical spelling (no whitespace, members in strictly
 * increasing UTF-16 order, canonical string escapes, numbers as ECMAScript
 * prints them) and returns null for anything else, which then goes through
 * the full parser. Strictly increasing names also rule out duplicates.
 */
import { MAX_DEPTH } from './canonical';

export interface MemberSpan {
  key: string;
  /** Offset of the value's first character. */
  start: number;
  /** Offset just past the value. */
  end: number;
  /** Offset of the member's opening quote. */
  memberStart: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Top-level members of a canonical JSON object, or null when the text is not canonical (or not JSON). */
export function scanCanonicalObject(text: string): MemberSpan[] | null {
  if (text.charCodeAt(0) !== 0x7b) return null;
  const members: MemberSpan[] = [];
  const s = new Scanner(text);
  if (!s.object(0, members) || s.pos !== text.length) return null;
  return members;
}

class Scanner {
  pos = 0;
  constructor(private readonly t: string) {}

  value(depth: number): boolean {
    const c = this.t.charCodeAt(this.pos);
    if (c === QUOTE) return this.string() !== null;
    if (c === 0x7b) return this.object(depth + 1, null);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x74) return this.word('true');
    if (c === 0x66) return this.word('false');
    if (c === 0x6e) return this.word('null');
    return this.number();
  }

  word(w: string): boolean {
    if (!this.t.startsWith(w, this.pos)) return false;
    this.pos += w.length;
    return true;
  }

  object(depth: number, members: MemberSpan[] | null): boolean {
    if (depth > MAX_DEPTH) return false;
    const t = this.t;
    this.pos++; // {
    if (t.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return true;
    }
    let prev: string | null = null;
    for (;;) {
      const memberStart = this.pos;
      if (t.charCodeAt(this.pos) !== QUOTE) return false;
      const key = this.string();
      if (key === null) return false;
      // Strictly increasing by UTF-16 code units: canonical order, and no duplicates.
      if (prev !== null && !(prev < key)) return false;
      prev = key;
      if (t.charCodeAt(this.pos) !== 0x3a) return false;
      this.pos++;
      const start = this.pos;
      if (!this.value(depth)) return false;
      if (members) members.push({ key, start, end: this.pos, memberStart });
      const c = t.charCodeAt(this.pos++);
      if (c === 0x7d) return true;
      if (c !== 0x2c) return false;
    }
  }

  array(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    this.pos++; // [
    if (this.t.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.value(depth)) return false;
      const c = this.t.charCodeAt(this.pos++);
      if (c === 0x5d) return true;
      if (c !== 0x2c) return false;
    }
  }

  /** Returns the decoded string, or null when it is not in canonical spelling. */
  string(): string | null {
    const t = this.t;
    const open = ++this.pos;
    let escaped = false;
    for (;;) {
      if (this.pos >= t.length) return null;
      const c = t.charCodeAt(this.pos);
      if (c === QUOTE) break;
      if (c < 0x20) return null;
      if (c === BACKSLASH) {
        const e = t.charCodeAt(this.pos + 1);
        if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          this.pos += 2;
        } else if (e === 0x75) {
          // Canonical \u escapes are only for controls without a short form, in lowercase hex.
          const hex = t.slice(this.pos + 2, this.pos + 6);
          if (!/^00[01][0-9a-f]$/.test(hex)) return null;
          const code = parseInt(hex, 16);
          if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return null;
          this.pos += 6;
        } else {
          return null;
        }
        escaped = true;
        continue;
      }
      // Surrogates arrive paired from UTF-8 (a lone one cannot be encoded), so no check here.
      this.pos++;
    }
    const raw = t.slice(open, this.pos);
    this.pos++; // closing quote
    return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
  }

  number(): boolean {
    const t = this.t;
    const start = this.pos;
    let simple = true;
    if (t.charCodeAt(this.pos) === 0x2d) this.pos++;
    const digitsStart = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c >= 0x30 && c <= 0x39) this.pos++;
      else if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) {
        simple = false;
        this.pos++;
      } else break;
    }
    const token = t.slice(start, this.pos);
    if (this.pos === digitsStart) return false;
    // A short plain integer without a leading zero is canonical as written; anything
    // else must be exactly what ECMAScript prints for the same double (so -0, 1.0,
    // 1E3, 1e400 and 0.10 all fall to the full parser).
    if (simple && this.pos - digitsStart <= 15 && (t.charCodeAt(digitsStart) !== 0x30 || this.pos - digitsStart === 1)) {
      return token !== '-0';
    }
    const n = Number(token);
    return Number.isFinite(n) && String(n) === token && /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]\d+)?$/.test(token);
  }
}
