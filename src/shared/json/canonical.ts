/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization.
 *
 * Values come from JSON.parse (or the strict parser), so they are plain
 * objects, arrays, strings, finite numbers, booleans and null. Keys sort by
 * UTF-16 code units, which is what JavaScript's default string comparison does;
 * strings and numbers serialize exactly as ECMAScript's JSON.stringify does,
 * which RFC 8785 adopts verbatim.
 */
export class CanonicalizationError extends Error {}

export const MAX_DEPTH = 1000;

export function canonicalize(value: unknown): string {
  const out = new TextBuilder();
  write(value, 0, out);
  return out.text();
}

/**
 * The output, appended piece by piece and made flat every few thousand
 * pieces. Appending with `+=` alone makes a rope of a node per piece that
 * lives until the end: a line of a few million small numbers then took 30
 * times its size in memory. Reading a character makes V8 flatten the rope
 * into one string, so the pieces' nodes go, and the cost stays about the
 * text itself.
 */
class TextBuilder {
  private readonly chunks: string[] = [];
  private current = '';
  private pieces = 0;

  add(piece: string): void {
    this.current += piece;
    if (++this.pieces >= 4096) {
      this.current.charCodeAt(0);
      this.chunks.push(this.current);
      this.current = '';
      this.pieces = 0;
    }
  }

  text(): string {
    if (this.chunks.length === 0) return this.current;
    this.chunks.push(this.current);
    return this.chunks.join('');
  }
}

function write(value: unknown, depth: number, out: TextBuilder): void {
  if (value === null) return out.add('null');
  switch (typeof value) {
    case 'string':
      return out.add(JSON.stringify(value));
    case 'boolean':
      return out.add(value ? 'true' : 'false');
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`the number ${value} is not a finite IEEE-754 double`);
      return out.add(JSON.stringify(value));
    case 'object': {
      if (depth >= MAX_DEPTH) throw new CanonicalizationError(`nesting is deeper than ${MAX_DEPTH} levels`);
      if (Array.isArray(value)) {
        out.add('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out.add(',');
          write(value[i], depth + 1, out);
        }
        return out.add(']');
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      out.add('{');
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out.add(',');
        out.add(JSON.stringify(keys[i]));
        out.add(':');
        write(obj[keys[i]], depth + 1, out);
      }
      return out.add('}');
    }
    default:
      throw new CanonicalizationError(`a ${typeof value} cannot appear in JSON`);
  }
}

/**
 * Canonical form of a top-level object twice over: with every member, and
 * without one named member (the event's own `hash`, a checkpoint's `sig`).
 * One pass, because this runs once per line of a multi-gigabyte export.
 */
export function canonicalizeWithout(obj: Record<string, unknown>, omit: string): { full: string; without: string } {
  const keys = Object.keys(obj).sort();
  let full = '{';
  let without = '{';
  let firstFull = true;
  let firstWithout = true;
  for (const key of keys) {
    const value = new TextBuilder();
    write(obj[key], 1, value);
    const member = JSON.stringify(key) + ':' + value.text();
    full += (firstFull ? '' : ',') + member;
    firstFull = false;
    if (key !== omit) {
      without += (firstWithout ? '' : ',') + member;
      firstWithout = false;
    }
  }
  return { full: full + '}', without: without + '}' };
}

/** canon(obj without one top-level member), alone: what a line's hash covers, without also building the full form. */
export function canonicalWithout(obj: Record<string, unknown>, omit: string): string {
  const out = new TextBuilder();
  out.add('{');
  let first = true;
  for (const key of Object.keys(obj).sort()) {
    if (key === omit) continue;
    if (!first) out.add(',');
    first = false;
    out.add(JSON.stringify(key));
    out.add(':');
    write(obj[key], 1, out);
  }
  out.add('}');
  return out.text();
}
