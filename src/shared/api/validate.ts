/**
 * Validators for every `AuditApi` call's arguments, run by the Electron main
 * process before a call reaches the services. The renderer displays content
 * from the system under investigation, so a payload is treated as hostile:
 * exact argument count, exact shapes, no unknown fields, bounded strings and
 * numbers, enums checked. A validator returns a fresh copy holding only the
 * fields it checked (nothing the sender added survives), or a sentence.
 *
 * Each validator carries a `describe` string; the IPC surface snapshot test
 * records them, so any loosening shows up in review.
 */
import type { AuditApi, EventQuery, NoteEdit, NoteInput, NoteTarget, OpenExportRequest, TimelineQuery } from './audit-api';
import { AUDIT_CHANNELS } from './audit-api';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Check<T> {
  (value: unknown, name: string): Checked<T>;
  readonly describe: string;
}

export const MAX_OFFSET = 1_000_000_000;
export const MAX_LIMIT = 10_000;
export const MAX_PATH_LENGTH = 4096;
export const MAX_TEXT_LENGTH = 1000;
export const MAX_NAME_LENGTH = 256;

function check<T>(describe: string, fn: (value: unknown, name: string) => Checked<T>): Check<T> {
  return Object.assign(fn, { describe });
}

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = (problem: string): Checked<never> => ({ ok: false, problem });

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/* ---- scalars ---- */

export function integer(min: number, max: number): Check<number> {
  return check(`int ${min}..${max}`, (value, name) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max ? ok(value) : fail(`${name} must be a whole number from ${min} to ${max}.`),
  );
}

export function text(maxLength: number, options: { pattern?: RegExp; nonEmpty?: boolean } = {}): Check<string> {
  const { pattern, nonEmpty = true } = options;
  const describe = `string${nonEmpty ? ' 1' : ' 0'}..${maxLength}${pattern ? ` ${pattern.source}` : ''}`;
  return check(describe, (value, name) => {
    if (typeof value !== 'string') return fail(`${name} must be text, not ${kindOf(value)}.`);
    if (nonEmpty && value.length === 0) return fail(`${name} must not be empty.`);
    if (value.length > maxLength) return fail(`${name} is longer than ${maxLength} characters.`);
    if (value.includes('\0')) return fail(`${name} contains a NUL character.`);
    if (pattern && !pattern.test(value)) return fail(`${name} has characters that are not allowed.`);
    return ok(value);
  });
}

export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return check(`enum ${values.join('|')}`, (value, name) =>
    typeof value === 'string' && (values as readonly string[]).includes(value) ? ok(value as T[number]) : fail(`${name} must be one of ${values.join(', ')}.`),
  );
}

export const boolean: Check<boolean> = check('boolean', (value, name) => (typeof value === 'boolean' ? ok(value) : fail(`${name} must be true or false.`)));

/** Absolute on POSIX ("/…") or Windows ("C:\…", "\\server\…"); the services never resolve against a working directory. */
export const absolutePath: Check<string> = (() => {
  const base = text(MAX_PATH_LENGTH);
  return check(`absolute path ..${MAX_PATH_LENGTH}`, (value, name) => {
    const checked = base(value, name);
    if (!checked.ok) return checked;
    return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(checked.value) ? checked : fail(`${name} must be an absolute path.`);
  });
})();

/** Case and job ids name files under the cases folder: no dots, no separators, so never a path. */
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const caseId: Check<string> = text(128, { pattern: ID_PATTERN });
export const jobId: Check<string> = text(128, { pattern: ID_PATTERN });

/** A value that may also be absent (undefined) or null; absent stays absent. */
export function optional<T>(inner: Check<T>): Check<T | null | undefined> {
  return check(`${inner.describe}?`, (value, name) => (value === undefined || value === null ? ok(value) : inner(value, name)));
}

/** A list of at most `max` items, each checked; the result is a fresh array. */
export function list<T>(inner: Check<T>, max: number): Check<T[]> {
  return check(`list ..${max} of ${inner.describe}`, (value, name) => {
    if (!Array.isArray(value)) return fail(`${name} must be a list, not ${kindOf(value)}.`);
    if (value.length > max) return fail(`${name} has more than ${max} items.`);
    const out: T[] = [];
    for (let i = 0; i < value.length; i++) {
      const checked = inner(value[i], `${name}[${i}]`);
      if (!checked.ok) return checked;
      out.push(checked.value);
    }
    return ok(out);
  });
}

/* ---- objects and argument lists ---- */

type Shape<T> = { [K in keyof Required<T>]: Check<T[K]> };

/** A plain object with only these fields; the result is a fresh object holding only the fields present. */
export function object<T extends object>(shape: Shape<T>): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  const describe = `{ ${keys.map((k) => `${k}: ${(shape[k] as Check<unknown>).describe}`).join(', ')} }`;
  return check(describe, (value, name) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${name} must be an object, not ${kindOf(value)}.`);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return fail(`${name} must be a plain object.`);
    for (const key of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) return fail(`${name} has an unexpected field ${JSON.stringify(key.slice(0, 64))}.`);
    }
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of keys) {
      const field = (value as Record<string, unknown>)[key];
      const checked = (shape[key] as Check<unknown>)(field, `${name}.${key}`);
      if (!checked.ok) return checked;
      if (checked.value !== undefined) out[key] = checked.value;
    }
    return ok({ ...out } as T);
  });
}

export interface ArgsCheck<A extends unknown[]> {
  (args: readonly unknown[]): Checked<A>;
  readonly describe: string;
  /** How many arguments the call takes (trailing optional ones are sent as null). */
  readonly arity: number;
}

/** The whole argument list of one call: exactly this many arguments, each checked. */
export function args<A extends unknown[]>(...checks: { [I in keyof A]: readonly [string, Check<A[I]>] }): ArgsCheck<A> {
  const list = checks as unknown as readonly (readonly [string, Check<unknown>])[];
  const describe = `(${list.map(([name, c]) => `${name}: ${c.describe}`).join(', ')})`;
  return Object.assign(
    (values: readonly unknown[]): Checked<A> => {
      if (!Array.isArray(values) || values.length !== list.length) {
        return fail(`Expected ${list.length} argument${list.length === 1 ? '' : 's'}, got ${Array.isArray(values) ? values.length : 'none'}.`);
      }
      const out: unknown[] = [];
      for (let i = 0; i < list.length; i++) {
        const [name, c] = list[i];
        const checked = c(values[i], name);
        if (!checked.ok) return checked;
        out.push(checked.value);
      }
      return ok(out as A);
    },
    { describe, arity: list.length },
  );
}

/* ---- the AuditApi payloads ---- */

const nameFilter = optional(text(MAX_NAME_LENGTH, { nonEmpty: false }));
const timestamp = optional(text(64, { nonEmpty: false }));

export const openExportRequest: Check<OpenExportRequest> = object<OpenExportRequest>({
  exportPath: absolutePath,
  trustPath: optional(absolutePath),
  policiesPath: optional(absolutePath),
  hmacKeyPath: optional(absolutePath),
  format: optional(text(64, { pattern: /^[A-Za-z0-9._:/-]+$/ })),
});

export const caseInputs: Check<{ trustPath?: string | null; policiesPath?: string | null }> = object({
  trustPath: optional(absolutePath),
  policiesPath: optional(absolutePath),
});

export const eventQuery: Check<EventQuery> = object<EventQuery>({
  offset: integer(0, MAX_OFFSET),
  limit: integer(0, MAX_LIMIT),
  agent: nameFilter,
  agentRole: optional(oneOf(['actor', 'subject', 'either'] as const)),
  kind: nameFilter,
  outcome: optional(oneOf(['allow', 'deny', 'require_approval'] as const)),
  finding: nameFilter,
  diverged: optional(boolean),
  fromTs: timestamp,
  toTs: timestamp,
  seqFrom: optional(integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  seqTo: optional(integer(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  text: optional(text(MAX_TEXT_LENGTH, { nonEmpty: false })),
});

export const timelineQuery: Check<TimelineQuery> = object<TimelineQuery>({
  fromTs: timestamp,
  toTs: timestamp,
  buckets: integer(1, MAX_LIMIT),
});

export const eventIndex = integer(0, MAX_OFFSET);

// Note limits: the same numbers bound what the desk sends and what the notes store accepts from any door.
export const MAX_NOTE_LENGTH = 20_000;
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 64;
export const MAX_AUTHOR_LENGTH = 128;

export const noteTarget: Check<NoteTarget> = object<NoteTarget>({
  kind: oneOf(['event', 'finding', 'divergence', 'sequence-finding', 'case'] as const),
  index: optional(eventIndex),
  finding: optional(text(64, { pattern: /^[a-z][a-z-]*$/ })),
});

const noteTags = list(text(MAX_TAG_LENGTH), MAX_TAGS);
const noteAuthor = text(MAX_AUTHOR_LENGTH);

export const noteInput: Check<NoteInput> = object<NoteInput>({
  target: noteTarget,
  text: text(MAX_NOTE_LENGTH),
  tags: noteTags,
  author: noteAuthor,
});

export const noteEdit: Check<NoteEdit> = object<NoteEdit>({
  text: text(MAX_NOTE_LENGTH),
  tags: noteTags,
  author: noteAuthor,
});

export type AuditCallName = keyof typeof AUDIT_CHANNELS;
type CallArgs<K extends AuditCallName> = Parameters<AuditApi[K]>;

/** One validator per call; the mapped type makes a missing or mistyped entry a compile error. */
export const AUDIT_VALIDATORS: { readonly [K in AuditCallName]: ArgsCheck<CallArgs<K>> } = {
  getDeskInfo: args<CallArgs<'getDeskInfo'>>(),
  pickFile: args<CallArgs<'pickFile'>>(['kind', oneOf(['export', 'trust', 'policies', 'key'] as const)]),
  openExport: args<CallArgs<'openExport'>>(['request', openExportRequest]),
  cancelJob: args<CallArgs<'cancelJob'>>(['jobId', jobId]),
  listRecentCases: args<CallArgs<'listRecentCases'>>(),
  getCaseSummary: args<CallArgs<'getCaseSummary'>>(['caseId', caseId]),
  setCaseInputs: args<CallArgs<'setCaseInputs'>>(['caseId', caseId], ['inputs', caseInputs]),
  queryEvents: args<CallArgs<'queryEvents'>>(['caseId', caseId], ['query', eventQuery]),
  getEventProof: args<CallArgs<'getEventProof'>>(['caseId', caseId], ['index', eventIndex]),
  listFindings: args<CallArgs<'listFindings'>>(['caseId', caseId]),
  listDivergences: args<CallArgs<'listDivergences'>>(['caseId', caseId]),
  listSequenceFindings: args<CallArgs<'listSequenceFindings'>>(['caseId', caseId]),
  getTimeline: args<CallArgs<'getTimeline'>>(['caseId', caseId], ['query', timelineQuery]),
  searchEvents: args<CallArgs<'searchEvents'>>(['caseId', caseId], ['term', text(MAX_NAME_LENGTH)]),
  getRequestStory: args<CallArgs<'getRequestStory'>>(['caseId', caseId], ['index', eventIndex]),
  addNote: args<CallArgs<'addNote'>>(['caseId', caseId], ['note', noteInput]),
  editNote: args<CallArgs<'editNote'>>(['caseId', caseId], ['noteId', integer(1, MAX_OFFSET)], ['edit', noteEdit]),
  listNotes: args<CallArgs<'listNotes'>>(['caseId', caseId], ['target', optional(noteTarget)]),
  exportReport: args<CallArgs<'exportReport'>>(['caseId', caseId], ['format', oneOf(['json', 'html', 'pdf'] as const)], ['outPath', optional(absolutePath)]),
  exportEntryProof: args<CallArgs<'exportEntryProof'>>(['caseId', caseId], ['index', eventIndex], ['outPath', optional(absolutePath)]),
  whatIf: args<CallArgs<'whatIf'>>(['caseId', caseId], ['policiesPath', optional(absolutePath)]),
  getWhatIfResult: args<CallArgs<'getWhatIfResult'>>(['jobId', jobId]),
  compareExport: args<CallArgs<'compareExport'>>(['caseId', caseId], ['earlierPath', optional(absolutePath)]),
};
