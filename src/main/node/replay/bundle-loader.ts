/**
 * Policy bundles from disk: one folder per bundle (manifest.json,
 * policies.cedar, optional schema.cedarschema and entities.json), digest as
 * the spec pins it, every problem reported with file, line and policy.
 * Reading happens here, once; evaluation later never touches the disk.
 */
import { closeSync, constants as fsConstants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { bundleDigest } from '../../../shared/replay/bundle-digest';
import type { PolicyRef } from '../../../shared/replay/types';
import { InputError } from '../errors/errors';
import { kindOf } from '../read/files';
import { nodeSha256Hex } from '../read/hashes';
import { cedar, reloadCedar, type DetailedError } from './cedar';

export interface BundlePolicy {
  id: string;
  /** 1-based line of policies.cedar where the policy starts. */
  line: number;
  approval: boolean;
  text: string;
}

/** Everything a worker needs to evaluate against a bundle: plain data, structured-clone safe. */
export interface BundleSource extends PolicyRef {
  engine: string;
  /** Absolute folder it was read from (informational; never read again). */
  dir: string;
  files: Record<string, string>;
  policies: BundlePolicy[];
  schemaText: string | null;
  entities: unknown[];
}

export class BundleError extends InputError {
  constructor(
    message: string,
    file: string,
    line?: number,
    readonly policyId?: string,
  ) {
    super(message, file, line);
  }
}

/** The largest file a bundle may hold: real Cedar policy sets are kilobytes. */
export const MAX_BUNDLE_FILE_BYTES = 8 * 1024 * 1024;
/** All files of one bundle together. */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
/** Files in one bundle, and folders below it. */
export const MAX_BUNDLE_FILES = 1000;
export const MAX_BUNDLE_DEPTH = 8;
/**
 * Brackets ( [ { nested in policy or schema text, and values nested in
 * entities.json. cedar-wasm 4.13 overflows its stack inside wasm memory at
 * about 150-200 nested brackets, which leaves the engine broken ("memory
 * access out of bounds" on every later call), so deep text never reaches it.
 * Real policies nest a handful of levels.
 */
export const MAX_POLICY_NESTING = 64;

/**
 * The line and depth of the first place `text` (Cedar policy or schema
 * syntax) nests brackets deeper than `max`, or null. In a schema, `<…>`
 * (Set<Set<…>>) nests too; in policies `<` and `>` compare.
 */
export function tooDeep(text: string, max = MAX_POLICY_NESTING, angles = false): { line: number; depth: number } | null {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x22) {
      // A string: skip to its closing quote, past escapes.
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) i++;
        else if (text.charCodeAt(i) === 0x0a) line++;
      }
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
      line++;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b || (angles && c === 0x3c)) {
      if (++depth > max) return { line, depth };
    } else if (c === 0x29 || c === 0x5d || c === 0x7d || (angles && c === 0x3e)) depth = Math.max(0, depth - 1);
  }
  return null;
}

function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (d > MAX_POLICY_NESTING) return d;
    for (const child of Object.values(v as object)) stack.push([child, d + 1]);
  }
  return max;
}

/**
 * Calls into Cedar, turning anything it throws (a stack overflow, a panic) into a BundleError naming the file.
 * A throw from inside the wasm can leave the instance broken for every later call, so it is replaced.
 */
function guardCedar<T>(file: string, what: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof BundleError) throw err;
    reloadCedar();
    throw new BundleError(
      `${what}: the Cedar engine could not process it (${String((err as Error)?.message ?? err)
        .split('\n')[0]
        .slice(0, 200)})`,
      file,
    );
  }
}

function refuseDeep(text: string, file: string, angles = false): void {
  const deep = tooDeep(text, MAX_POLICY_NESTING, angles);
  if (deep) throw new BundleError(`nests brackets more than ${MAX_POLICY_NESTING} levels deep; refused before parsing (deeper text can crash the Cedar engine)`, file, deep.line);
}

/**
 * Reads a regular file, refusing one that is (or has become, since it was
 * listed) a link or larger than the limit; the size is checked on the open
 * handle, so a file that grows later is still cut at the limit.
 */
function readBoundedFile(abs: string, shownAs: string): Buffer {
  const noFollow = fsConstants.O_NOFOLLOW ?? 0;
  let fd: number;
  try {
    // Non-blocking, so a FIFO cannot stall the open; fstat below refuses it.
    fd = openSync(abs, fsConstants.O_RDONLY | noFollow | (fsConstants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new BundleError('became a symbolic link while the bundle was read; refused', shownAs);
    throw new BundleError(`cannot be read (${code ?? (err as Error).message})`, shownAs);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BundleError(`is ${kindOf(st)}, not a regular file; a policy bundle holds regular files only`, shownAs);
    if (st.size > MAX_BUNDLE_FILE_BYTES) throw new BundleError(`is ${st.size} bytes, over the ${MAX_BUNDLE_FILE_BYTES}-byte limit for a file in a policy bundle; refused`, shownAs);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Every file under `root`, relative paths with "/", refusing anything that leads outside it. */
function listFiles(root: string): { rel: string; abs: string }[] {
  const realRoot = realpathSync(root);
  const out: { rel: string; abs: string }[] = [];
  const walk = (dir: string, relDir: string, depth: number) => {
    if (depth > MAX_BUNDLE_DEPTH) throw new BundleError(`nests folders deeper than ${MAX_BUNDLE_DEPTH} levels; refused`, dir);
    for (const name of readdirSync(dir).sort()) {
      if (out.length >= MAX_BUNDLE_FILES) throw new BundleError(`holds more than ${MAX_BUNDLE_FILES} files; a policy bundle is a few files, refused`, root);
      const abs = path.join(dir, name);
      const rel = relDir ? `${relDir}/${name}` : name;
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(abs);
        } catch {
          throw new BundleError('is a symbolic link to nothing; bundles may not contain dangling links', abs);
        }
        if (!inside(realRoot, target)) throw new BundleError(`is a symbolic link leading outside the bundle folder (to ${target}); refused`, abs);
        if (statSync(target).isDirectory()) throw new BundleError('is a symbolic link to a folder; bundles may not contain linked folders', abs);
        out.push({ rel, abs: target });
      } else if (st.isDirectory()) {
        walk(abs, rel, depth + 1);
      } else if (st.isFile()) {
        out.push({ rel, abs });
      } else {
        throw new BundleError(`is ${kindOf(st)}, not a regular file; a policy bundle holds regular files only`, abs);
      }
    }
  };
  walk(realRoot, '', 0);
  return out;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Lines by offset for many look-ups in one text: the line starts are found
 * once, then each look-up is a binary search. (Counting newlines from the
 * start for each policy made loading 82,000 policies take minutes.)
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line of `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/**
 * The policies of a policy set, each with the offset where it starts, in one
 * walk: a policy runs from its first token to the `;` that ends it outside
 * strings and comments (Cedar has no other quoting, and no `;` inside a
 * policy). Text after the last `;` that is not blank or a comment is
 * returned too, as a last piece, so that Cedar reports it.
 */
export function splitPolicies(text: string): { text: string; at: number }[] {
  const out: { text: string; at: number }[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (start < 0) start = i;
    if (c === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x3b) {
      out.push({ text: text.slice(start, i + 1), at: start });
      start = -1;
    }
  }
  if (start >= 0) out.push({ text: text.slice(start), at: start });
  return out;
}

function describe(errors: readonly DetailedError[]): string {
  return errors.map((e) => e.message + (e.help ? ` (${e.help})` : '')).join('; ');
}

function firstOffset(errors: readonly DetailedError[]): number | null {
  for (const e of errors) {
    const loc = e.sourceLocations?.[0] ?? e.related?.flatMap((r) => r.sourceLocations ?? [])[0];
    if (loc) return loc.start;
  }
  return null;
}

/** The `@id` of the policy whose text precedes `offset` (parse errors come before we can split policies). */
function policyIdNear(text: string, offset: number): string | undefined {
  const re = /@id\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)/g;
  let found: string | undefined;
  for (let m = re.exec(text); m && m.index <= offset; m = re.exec(text)) found = m[1];
  return found;
}

function parsePolicies(text: string, file: string): BundlePolicy[] {
  refuseDeep(text, file);
  return guardCedar(file, 'does not parse', () => parsePolicyText(text, file));
}

/**
 * Each policy is parsed on its own (cedar-wasm's whole-set calls grow faster
 * than the text: 8 times the policies took 20 times as long), so loading is
 * linear in the size of policies.cedar. The texts parsed here are the texts
 * evaluated later (compileBundle preparses them by id).
 */
function parsePolicyText(text: string, file: string): BundlePolicy[] {
  const lines = new LineIndex(text);
  const policies: BundlePolicy[] = [];
  const seen = new Map<string, number>();
  for (const { text: part, at } of splitPolicies(text)) {
    const line = lines.lineOf(at);
    const json = cedar.policyToJson(part);
    if (json.type === 'failure') {
      if (cedar.templateToJson(part).type === 'success') throw new BundleError('contains policy templates; a bundle holds static policies only', file, line);
      const offset = firstOffset(json.errors);
      const where = offset === null ? at : at + utf16Offset(part, offset);
      const id = policyIdNear(text, where);
      throw new BundleError(`does not parse${id ? ` (in or after policy "${id}")` : ''}: ${describe(json.errors)}`, file, lines.lineOf(where), id);
    }
    const annotations = json.json.annotations ?? {};
    const id = annotations.id;
    if (typeof id !== 'string' || id === '') {
      throw new BundleError(`the ${json.json.effect} policy starting here has no @id("…") annotation; every policy must carry one`, file, line);
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new BundleError(`policy "${id}" is defined twice (first at line ${earlier})`, file, line, id);
    seen.set(id, line);
    policies.push({ id, line, approval: annotations.approval === 'required', text: part });
  }
  if (policies.length === 0) throw new BundleError('holds no policy', file);
  return policies;
}

/** Cedar's source offsets count UTF-8 bytes; JavaScript's count UTF-16 units. */
function utf16Offset(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

function policyRecord(policies: readonly BundlePolicy[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const p of policies) record[p.id] = p.text;
  return record;
}

function checkSchema(schemaText: string, policies: BundlePolicy[], dir: string): void {
  const schemaFile = path.join(dir, 'schema.cedarschema');
  refuseDeep(schemaText, schemaFile, true);
  guardCedar(schemaFile, 'cannot be checked', () => checkSchemaText(schemaText, policies, dir, schemaFile));
}

function checkSchemaText(schemaText: string, policies: BundlePolicy[], dir: string, schemaFile: string): void {
  const parsed = cedar.checkParseSchema(schemaText);
  if (parsed.type === 'failure') {
    const offset = firstOffset(parsed.errors);
    throw new BundleError(`does not parse: ${describe(parsed.errors)}`, schemaFile, offset === null ? undefined : lineOf(schemaText, utf16Offset(schemaText, offset)));
  }
  const answer = cedar.validate({ schema: schemaText, policies: { staticPolicies: policyRecord(policies) }, validationSettings: { mode: 'strict' } });
  const policiesFile = path.join(dir, 'policies.cedar');
  if (answer.type === 'failure') throw new BundleError(`cannot be validated: ${describe(answer.errors)}`, policiesFile);
  if (answer.validationErrors.length > 0) {
    const first = answer.validationErrors[0];
    const policy = policies.find((p) => p.id === first.policyId);
    const offset = firstOffset([first.error]);
    const line = policy ? policy.line + (offset === null ? 0 : lineOf(policy.text, utf16Offset(policy.text, offset)) - 1) : undefined;
    const all = answer.validationErrors.map((v) => `policy "${v.policyId}": ${describe([v.error])}`).join('; ');
    throw new BundleError(`fails validation against schema.cedarschema: ${all}`, policiesFile, line, first.policyId);
  }
}

function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    throw new BundleError(`is not valid JSON: ${(err as Error).message}`, file, m ? lineOf(text, Number(m[1])) : undefined);
  }
}

export function loadBundle(dir: string): BundleSource {
  const abs = path.resolve(dir);
  const files = listFiles(abs);
  const hashes: Record<string, string> = {};
  const contents = new Map<string, Buffer>();
  let total = 0;
  for (const f of files) {
    const bytes = readBoundedFile(f.abs, path.join(abs, f.rel));
    total += bytes.length;
    if (total > MAX_BUNDLE_BYTES) throw new BundleError(`holds more than ${MAX_BUNDLE_BYTES} bytes of files; refused`, abs);
    contents.set(f.rel, bytes);
    if (f.rel !== 'manifest.json') hashes[f.rel] = nodeSha256Hex(bytes);
  }
  const manifestFile = path.join(abs, 'manifest.json');
  const manifestBytes = contents.get('manifest.json');
  if (!manifestBytes) throw new BundleError('is missing; every bundle folder needs {"name","version","engine":"cedar"}', manifestFile);
  const manifest = parseJsonFile(manifestBytes.toString('utf8'), manifestFile) as Record<string, unknown>;
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.name !== 'string' || typeof manifest.version !== 'string' || typeof manifest.engine !== 'string') {
    throw new BundleError('must be an object with string members name, version and engine', manifestFile);
  }
  if (manifest.engine !== 'cedar') throw new BundleError(`names engine "${manifest.engine}"; only "cedar" is supported`, manifestFile);
  const policiesFile = path.join(abs, 'policies.cedar');
  const policyBytes = contents.get('policies.cedar');
  if (!policyBytes) throw new BundleError('is missing; every bundle needs its Cedar policies', policiesFile);
  const policies = parsePolicies(policyBytes.toString('utf8'), policiesFile);
  const schemaBytes = contents.get('schema.cedarschema');
  const schemaText = schemaBytes ? schemaBytes.toString('utf8') : null;
  if (schemaText !== null) checkSchema(schemaText, policies, abs);
  let entities: unknown[] = [];
  const entityBytes = contents.get('entities.json');
  if (entityBytes) {
    const entitiesFile = path.join(abs, 'entities.json');
    const parsed = parseJsonFile(entityBytes.toString('utf8'), entitiesFile);
    if (!Array.isArray(parsed)) throw new BundleError('must be a JSON list of Cedar entities', entitiesFile);
    if (jsonDepth(parsed) > MAX_POLICY_NESTING) throw new BundleError(`nests values more than ${MAX_POLICY_NESTING} levels deep; refused`, entitiesFile);
    const check = guardCedar(entitiesFile, 'are not valid Cedar entities', () => cedar.checkParseEntities({ entities: parsed as never, schema: schemaText }));
    if (check.type === 'failure') throw new BundleError(`are not valid Cedar entities: ${describe(check.errors)}`, entitiesFile);
    entities = parsed;
  }
  const ref = { name: manifest.name, version: manifest.version, engine: manifest.engine };
  return { ...ref, digest: bundleDigest(ref, hashes, nodeSha256Hex), dir: abs, files: hashes, policies, schemaText, entities };
}

/** A folder of bundles: each sub-folder is one bundle. Sorted by folder name for a stable order. */
export function loadBundleFolder(dir: string): BundleSource[] {
  const root = path.resolve(dir);
  let st;
  try {
    st = statSync(root);
  } catch {
    throw new InputError('no such folder of policy bundles', root);
  }
  if (!st.isDirectory()) throw new InputError(`is ${kindOf(st)}, not a folder of policy bundles`, root);
  const realRoot = realpathSync(root);
  const bundles: BundleSource[] = [];
  for (const name of readdirSync(realRoot).sort()) {
    const abs = path.join(realRoot, name);
    const lst = lstatSync(abs);
    if (lst.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(abs);
      } catch {
        throw new BundleError('is a symbolic link to nothing; refused', abs);
      }
      if (!inside(realRoot, target)) throw new BundleError(`is a symbolic link leading outside the policies folder (to ${target}); refused`, abs);
    }
    if (!statSync(abs).isDirectory()) continue;
    bundles.push(loadBundle(abs));
  }
  if (bundles.length === 0) throw new InputError('holds no bundle folder', root);
  return bundles;
}
