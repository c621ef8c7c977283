/**
 * The I-JSON (RFC 7493) parser for the lines JSON.parse cannot judge alone:
 * duplicate member names at any depth, lone UTF-16 surrogates, numbers that
 * are not finite doubles, nesting past 1,000 levels. It is the lexeme parser
 * the foreign-format readers use, in strict mode, and returns what JSON.parse
 * would (objects without a prototype, so "__proto__" is an ordinary member).
 */
import { LexJsonError, parseLexJson, toJs } from './lexeme-json';

export { LexJsonError as StrictJsonError };

export function parseStrictJson(text: string): unknown {
  return toJs(parseLexJson(text, undefined, { strict: true }));
}

/** Throws what parseStrictJson would throw, at the same place, without building the value (the caller has it from JSON.parse). */
export function checkStrictJson(text: string): void {
  parseLexJson(text, undefined, { strict: true, checkOnly: true });
}
