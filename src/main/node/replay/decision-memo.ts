/**
 * Which parts of a request a bundle's policies can see, so that requests the
 * policies cannot tell apart share one Cedar evaluation (the generator asks
 * for hundreds of thousands of decisions that differ only in invoice ids and
 * amounts).
 *
 * The analysis reads each policy as Cedar's own JSON form (`policyToJson`)
 * and is conservative: anything it does not recognise makes that part of the
 * request count exactly.
 *
 * - The resource counts by type only when every policy's resource scope is
 *   `resource` or `resource is T` and no condition names `resource`.
 * - A context attribute whose every use is a comparison (`==`, `!=`, `<`,
 *   `<=`, `>`, `>=`) with an integer literal counts by its place among those
 *   literals (below the first, equal to one, between two, above the last)
 *   when its value is a safe integer: every comparison then answers the same,
 *   so the evaluation takes the same path. Any other use (arithmetic, a
 *   method, `in`, a comparison with something else), or `context` used
 *   whole, makes the attribute (or the whole context) count exactly.
 * - Principal and action always count exactly, and so does every other
 *   attribute; a request with its own `entities` is never shared.
 */
import { canonicalize } from '../../../shared/json/canonical';
import type { CedarRequest } from '../../../shared/replay/types';
import type { BundleSource } from './bundle-loader';
import { cedar } from './cedar';

export interface RequestShape {
  /** False: the decision depends on the resource's id (or the analysis could not tell), so the id counts. */
  readonly resourceByType: boolean;
  /** False: `context` is used whole, so every attribute counts exactly. */
  readonly contextByAttribute: boolean;
  /** Attributes compared only with integer literals: the sorted literals. */
  readonly intervals: ReadonlyMap<string, readonly number[]>;
}

const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** The shape of the requests the bundle's policies can tell apart; null when a policy cannot be read as JSON (every request then counts exactly). */
export function requestShape(bundle: BundleSource): RequestShape | null {
  let resourceByType = true;
  let contextByAttribute = true;
  const literals = new Map<string, Set<number>>();
  const exact = new Set<string>();

  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1) {
      const [op] = keys;
      const body = record[op] as Record<string, unknown> | null;
      if (op === 'Var') {
        if (body === ('resource' as never)) resourceByType = false;
        if (body === ('context' as never)) contextByAttribute = false;
        return;
      }
      if (op === '.' && body && isContext(body.left) && typeof body.attr === 'string') {
        exact.add(body.attr);
        return;
      }
      if (op === 'has' && body && isContext(body.left) && typeof body.attr === 'string') return;
      if (COMPARISONS.has(op) && body) {
        const sides: [unknown, unknown][] = [
          [body.left, body.right],
          [body.right, body.left],
        ];
        for (const [attrSide, valueSide] of sides) {
          const attr = contextAttr(attrSide);
          const value = integerValue(valueSide);
          if (attr !== null && value !== null) {
            if (!literals.has(attr)) literals.set(attr, new Set());
            literals.get(attr)!.add(value);
            return;
          }
        }
      }
    }
    for (const key of keys) walk(record[key]);
  };

  for (const policy of bundle.policies) {
    const answer = cedar.policyToJson(policy.text);
    if (answer.type !== 'success') return null;
    const json = answer.json as unknown as Record<string, unknown>;
    const scope = json.resource as { op?: string; in?: unknown } | undefined;
    if (!scope || !(scope.op === 'All' || (scope.op === 'is' && scope.in === undefined))) resourceByType = false;
    walk(json.conditions);
  }
  const intervals = new Map<string, number[]>();
  for (const [attr, set] of literals)
    if (!exact.has(attr))
      intervals.set(
        attr,
        [...set].sort((a, b) => a - b),
      );
  return { resourceByType, contextByAttribute, intervals };
}

function isContext(node: unknown): boolean {
  return node !== null && typeof node === 'object' && (node as Record<string, unknown>).Var === 'context' && Object.keys(node).length === 1;
}

function contextAttr(node: unknown): string | null {
  if (node === null || typeof node !== 'object' || Object.keys(node).length !== 1) return null;
  const access = (node as Record<string, unknown>)['.'] as Record<string, unknown> | undefined;
  return access && isContext(access.left) && typeof access.attr === 'string' ? access.attr : null;
}

function integerValue(node: unknown): number | null {
  if (node === null || typeof node !== 'object' || Object.keys(node).length !== 1) return null;
  const value = (node as Record<string, unknown>).Value;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/** The place of v among the sorted literals: `=i` when it equals the i-th, `<i` when it lies just below it (i = length: above all). */
function place(v: number, sorted: readonly number[]): string {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === v ? `=${lo}` : `<${lo}`;
}

/** A string equal for two requests only when the shape says the policies cannot tell them apart; null when the request is never shared. */
export function requestKey(shape: RequestShape | null, request: CedarRequest): string | null {
  if (shape === null || (request.entities !== undefined && request.entities.length > 0)) return null;
  try {
    return keyOf(shape, request);
  } catch {
    // Not plain JSON (canonicalize refuses it): never shared, Cedar answers it alone.
    return null;
  }
}

function keyOf(shape: RequestShape, request: CedarRequest): string {
  const { principal, action, resource, context } = request;
  const plainResource = isPlainUid(resource);
  let key = `${uidKey(principal)}\u0000${uidKey(action)}\u0000${shape.resourceByType && plainResource ? `t${JSON.stringify(resource.type)}` : uidKey(resource)}\u0000`;
  if (!shape.contextByAttribute || context === null || typeof context !== 'object' || Array.isArray(context)) return key + canonicalize(context);
  for (const name of Object.keys(context).sort()) {
    const value = context[name];
    const sorted = shape.intervals.get(name);
    let token: string;
    if (typeof value === 'number' && sorted !== undefined && Number.isSafeInteger(value)) token = `#${place(value, sorted)}`;
    else if (typeof value === 'string' || typeof value === 'boolean') token = JSON.stringify(value);
    else token = canonicalize(value);
    key += `${JSON.stringify(name)}:${token},`;
  }
  return key;
}

function isPlainUid(uid: unknown): uid is { type: string; id: string } {
  if (uid === null || typeof uid !== 'object') return false;
  const { type, id } = uid as Record<string, unknown>;
  return typeof type === 'string' && typeof id === 'string' && Object.keys(uid).length === 2;
}

/** An entity uid as a key: `u` and its two strings when it is plainly {type, id}, else `c` and its canonical JSON. */
function uidKey(uid: unknown): string {
  return isPlainUid(uid) ? `u${JSON.stringify(uid.type)}${JSON.stringify(uid.id)}` : `c${canonicalize(uid)}`;
}

/** Whether what requestKey leaves out of the key (the resource id, when the resource counts by type) is well-formed text, as requestProblem would ask. */
export function sharedPartsWellFormed(shape: RequestShape, request: CedarRequest): boolean {
  return !shape.resourceByType || typeof request.resource?.id !== 'string' || request.resource.id.isWellFormed();
}
