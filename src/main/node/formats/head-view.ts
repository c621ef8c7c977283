/**
 * What format detection looks at: the start of a file parsed as JSON, never
 * matched as text. Two readings of the same first 64 KiB: as JSON Lines (line
 * 1, and each non-blank line that ends within them, parsed) and as one JSON
 * document read as far as it goes. A reader decides on members and values,
 * so a name spelled with escapes ("audit-export\/1") is the name it spells,
 * and a name mentioned inside a string or deep inside an entry's data is not
 * a member of the entry.
 */
import { LexObject, parseLexJson, parseLexJsonPrefix, type LexValue } from '../../../shared/json/lexeme-json';
import { readHeadWhole } from './source';

/** Lines of the head parsed for detection; a format needing more has seen enough by then. */
export const MAX_HEAD_LINES = 1000;

export interface HeadView {
  /** Up to the first 64 KiB of the (decompressed) file, as text; empty or blank files are told apart from it. */
  text: string;
  /** Line 1 exactly (not the first non-blank line), parsed, when it ends within the head; a CR before its "\n" is ignored. */
  line1: LexValue | undefined;
  /** The non-blank lines that end within the head (the file's last line too when the head is the whole file), each parsed; undefined for one that is not JSON. */
  lines: (LexValue | undefined)[];
  /** The head as one JSON document as far as it parses (containers open at the cut keep what was complete); undefined when it does not start with { or [. */
  document: LexValue | undefined;
  /** True when `document` is one whole JSON value with nothing after it. */
  documentComplete: boolean;
}

function parsed(text: string): LexValue | undefined {
  try {
    return parseLexJson(text);
  } catch {
    return undefined;
  }
}

/** The two readings of a head; `whole` says the text is the entire file (so its last line is complete). */
export function headView(text: string, whole: boolean): HeadView {
  const parts = text.split('\n');
  // The last part ends within the head only when the head is the whole file.
  const complete = whole ? parts.length : parts.length - 1;
  const strip = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  const lines: (LexValue | undefined)[] = [];
  for (let i = 0; i < complete && lines.length < MAX_HEAD_LINES; i++) if (parts[i].trim() !== '') lines.push(parsed(strip(parts[i])));
  const start = text.trimStart().charCodeAt(0);
  const doc = start === 0x7b || start === 0x5b ? parseLexJsonPrefix(text) : { value: undefined, complete: false };
  return { text, line1: complete > 0 ? parsed(strip(parts[0])) : undefined, lines, document: doc.value, documentComplete: doc.complete };
}

export async function readHeadView(path: string): Promise<HeadView> {
  const { text, whole } = await readHeadWhole(path);
  return headView(text, whole);
}

/**
 * The first entry of a JSON Lines file: the first non-blank line, parsed, as
 * an object; when no line ends within the head (one long first line), the
 * object read so far. Undefined when it is not a JSON object.
 */
export function firstEntry(h: HeadView): LexObject | undefined {
  const v = h.lines.length > 0 ? h.lines[0] : h.document;
  return v instanceof LexObject ? v : undefined;
}

/** The elements of a top-level JSON array, as far as the head holds them; undefined when the file is not an array. */
export function arrayElements(h: HeadView): LexValue[] | undefined {
  return Array.isArray(h.document) ? h.document : undefined;
}

/** The first entries, whichever the layout: an array's elements, else the parsed lines (or the one long first object). */
export function firstEntries(h: HeadView): (LexValue | undefined)[] {
  return arrayElements(h) ?? (h.lines.length > 0 ? h.lines : [h.document]);
}

/** True when `o` is an object with every one of these members (whatever their values). */
export function hasMembers(o: LexValue | undefined, ...names: string[]): o is LexObject {
  return o instanceof LexObject && names.every((n) => o.has(n));
}
