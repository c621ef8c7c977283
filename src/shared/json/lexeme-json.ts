/**
 * A JSON parser for logs hashed by other languages' serializers: numbers keep
 * the exact text the writer wrote (Python's `1e-07`, `-0.0`, `2**64+1`), object
 * members keep file order (a repeated name keeps its first position and takes
 * its last value, as both Python dicts and JS objects do), and every object
 * remembers the offset of its `{` so a reader can name the line it starts on.
 */

export class LexNumber {
  constructor(readonly lexeme: string) {}
}

export class LexObject {
  readonly members = new Map<string, LexValue>();
  constructor(readonly start: number) {}
  get(key: string): LexValue | undefined {
    return this.members.get(key);
  }
  has(key: string): boolean {
    return this.members.has(key);
  }
  keys(): string[] {
    return [...this.members.keys()];
  }
}

export type LexValue = null | boolean | string | LexNumber | LexValue[] | LexObject;

export class LexJsonError extends Error {
  constructor(
    message: string,
    /** 0-based offset in the text where parsing failed. */
    readonly offset: number,
    /** True when the text ended before the value was complete. */
    readonly atEnd: boolean,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 1000;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export interface LexJsonOptions {
  /**
   * I-JSON (RFC 7493), as the audit-export/1 spec requires: refuse duplicate
   * member names at any depth, lone UTF-16 surrogates and numbers that are not
   * finite doubles. Off, a repeated name takes its last value, as the foreign
   * writers' own parsers do.
   */
  strict?: boolean;
  /**
   * Check only: the same errors at the same places, but no value is kept
   * (parseLexJson returns null), so checking a 15 MiB line costs little more
   * than its text. For callers that already hold the value from JSON.parse.
   */
  checkOnly?: boolean;
}

/** Parses one JSON text. `onTopElement` sees each element of a top-level array as soon as it is complete. */
export function parseLexJson(text: string, onTopElement?: (value: LexValue, start: number, index: number) => void, options: LexJsonOptions = {}): LexValue {
  const p = new Parser(text, onTopElement, options.strict ?? false, false, options.checkOnly ?? false);
  p.ws();
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('unexpected text after the JSON value');
  return options.checkOnly ? null : v;
}

/**
 * A JSON text read as far as it goes, for looking at the start of a file: at
 * the end of the text or at the first error, reading stops and every object
 * and array open there keeps the members and elements completed before it
 * (the one being read is dropped). `complete` is true when the text is one
 * whole JSON value and nothing after it but whitespace.
 */
export function parseLexJsonPrefix(text: string): { value: LexValue | undefined; complete: boolean } {
  const p = new Parser(text, undefined, false, true);
  p.ws();
  let value: LexValue;
  try {
    value = p.value(0);
  } catch (err) {
    if (err instanceof LexJsonError) return { value: undefined, complete: false };
    throw err;
  }
  p.ws();
  return { value, complete: !p.stopped && p.pos === text.length };
}

class Parser {
  pos = 0;
  /** Prefix mode: reading stopped early, so the containers hold only what came before. */
  stopped = false;
  constructor(
    private readonly t: string,
    private readonly onTop: ((value: LexValue, start: number, index: number) => void) | undefined,
    private readonly strict: boolean,
    private readonly prefix = false,
    /** Values are read and checked, then dropped: an object keeps only its member names (for duplicates) while it is open. */
    private readonly checkOnly = false,
  ) {}

  /** In prefix mode a container ends where reading stopped; the containers around it then end too. */
  private stop<T>(err: unknown, partial: T): T {
    if (!this.prefix || !(err instanceof LexJsonError)) throw err;
    this.stopped = true;
    this.pos = this.t.length;
    return partial;
  }

  fail(message: string): never {
    const atEnd = this.pos >= this.t.length;
    throw new LexJsonError(atEnd ? 'the text ends in the middle of a JSON value' : `${message} at offset ${this.pos}`, this.pos, atEnd);
  }

  ws(): void {
    const t = this.t;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  value(depth: number): LexValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.t.charCodeAt(this.pos);
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.array(depth);
    if (c === 0x22) return this.string();
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.t);
    if (!m) this.fail('unexpected character');
    if (this.strict && !Number.isFinite(Number(m[0]))) this.fail(`the number ${m[0]} is not a finite IEEE-754 double`);
    this.pos += m[0].length;
    // "-" or "1." at the very end of a cut text is a cut, not a bad number.
    if (this.pos >= this.t.length && this.pos > 0 && depth > 0) this.fail('');
    return this.checkOnly ? null : new LexNumber(m[0]);
  }

  literal<T>(word: string, v: T): T {
    if (!this.t.startsWith(word, this.pos)) {
      if (word.startsWith(this.t.slice(this.pos))) this.pos = this.t.length;
      this.fail('unexpected character');
    }
    this.pos += word.length;
    return v;
  }

  string(): string {
    const t = this.t;
    this.pos++;
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        if (this.strict && !out.isWellFormed()) this.fail('a string holds a lone UTF-16 surrogate');
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character inside a string');
      if (c === 0x5c) {
        out += t.slice(start, this.pos);
        const e = t[this.pos + 1];
        if (e === undefined) {
          this.pos = t.length;
          this.fail('');
        }
        this.pos += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = t.slice(this.pos, this.pos + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              if (this.pos + 4 > t.length && /^[0-9a-fA-F]*$/.test(hex)) this.pos = t.length;
              this.fail('bad \\u escape');
            }
            out += String.fromCharCode(parseInt(hex, 16));
            this.pos += 4;
            break;
          }
          default:
            this.pos -= 2;
            this.fail('bad escape');
        }
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  array(depth: number): LexValue[] {
    const out: LexValue[] = [];
    try {
      return this.elements(depth, out);
    } catch (err) {
      return this.stop(err, out);
    }
  }

  private elements(depth: number, out: LexValue[]): LexValue[] {
    this.pos++;
    this.ws();
    if (this.t.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      const start = this.pos;
      const v = this.value(depth + 1);
      if (depth === 0 && this.onTop) this.onTop(v, start, out.length);
      if (!this.checkOnly) out.push(v);
      this.ws();
      const c = this.t.charCodeAt(this.pos++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected , or ]');
      }
    }
  }

  object(depth: number): LexObject {
    const out = new LexObject(this.pos);
    try {
      return this.members(depth, out);
    } catch (err) {
      return this.stop(err, out);
    }
  }

  private members(depth: number, out: LexObject): LexObject {
    this.pos++;
    this.ws();
    if (this.t.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.t.charCodeAt(this.pos) !== 0x22) this.fail('expected a member name');
      const keyAt = this.pos;
      const key = this.string();
      if (this.strict && out.members.has(key)) {
        this.pos = keyAt;
        this.fail(`duplicate member name ${JSON.stringify(key)}`);
      }
      this.ws();
      if (this.t.charCodeAt(this.pos) !== 0x3a) this.fail('expected :');
      this.pos++;
      this.ws();
      const v = this.value(depth + 1);
      out.members.set(key, this.checkOnly ? null : v);
      this.ws();
      const c = this.t.charCodeAt(this.pos++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail('expected , or }');
      }
    }
  }
}

/** Offsets of every "\n", for turning offsets into 1-based line numbers. */
export class LineIndex {
  private readonly breaks: number[] = [];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.breaks.push(i);
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.breaks[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

/** The member as a string, or undefined when it is missing or not a string. */
export function str(o: LexObject, key: string): string | undefined {
  const v = o.get(key);
  return typeof v === 'string' ? v : undefined;
}

/** Plain JS values, as JSON.parse would give them (numbers become doubles, JS key order applies). */
export function toJs(v: LexValue | undefined): unknown {
  if (v === undefined || v === null || typeof v === 'boolean' || typeof v === 'string') return v ?? null;
  if (v instanceof LexNumber) return Number(v.lexeme);
  if (Array.isArray(v)) return v.map(toJs);
  const out: Record<string, unknown> = Object.create(null);
  for (const [k, x] of v.members) out[k] = toJs(x);
  return out;
}
