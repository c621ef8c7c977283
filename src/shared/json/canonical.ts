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
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`the number ${value} is not a finite IEEE-754 double`);
      return JSON.stringify(value);
    case 'object': {
      if (depth >= MAX_DEPTH) throw new CanonicalizationError(`nesting is deeper than ${MAX_DEPTH} levels`);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i], depth + 1);
        }
        return out + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out += ',';
        out += JSON.stringify(keys[i]) + ':' + write(obj[keys[i]], depth + 1);
      }
      return out + '}';
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
    const member = JSON.stringify(key) + ':' + write(obj[key], 1);
    full += (firstFull ? '' : ',') + member;
    firstFull = false;
    if (key !== omit) {
      without += (firstWithout ? '' : ',') + member;
      firstWithout = false;
    }
  }
  return { full: full + '}', without: without + '}' };
}
