/**
 * Caps on what one recorded request may hand to Cedar, checked before Cedar
 * sees it. A request is data from the system under investigation, and
 * cedar-wasm 4.13 pays for its entity hierarchy up front: it works out every
 * entity's ancestors, recursively, before evaluating a single policy. Measured
 * (docs/security.md): a parent chain of 3,000 entities takes about 8 s, one of
 * 5,000 overflows the main thread's stack, and one of 10,000 overflows the
 * wasm stack in a worker, after which that wasm instance fails every call; a
 * layered hierarchy of 5,000 entities only 50 deep takes 32 s. Real requests
 * carry a handful of entities a few levels deep, so the caps are far above
 * honest data and far below what hurts.
 */
import type { CedarRequest } from './types';

export interface RequestLimits {
  /** Entities listed in the request. */
  entities: number;
  /** Parent links on the longest chain among the request's entities. */
  entityDepth: number;
  /** Steps to work out every entity's ancestors: for each parent link, the parent and each of its ancestors. */
  ancestry: number;
  /** Levels of JSON nesting in the context, and in each entity. */
  nesting: number;
}

export const REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  entities: 5_000,
  entityDepth: 100,
  ancestry: 100_000,
  nesting: 64,
});

/** 12345 -> "12,345", the same in every locale. */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Which cap the request goes over, as a sentence, or null. Never calls Cedar; linear in the request, and stops at the caps. */
export function requestOverLimit(request: CedarRequest, limits: Readonly<RequestLimits> = REQUEST_LIMITS): string | null {
  if (nestingDepth(request.context, limits.nesting) > limits.nesting) {
    return `the request's context nests values more than ${limits.nesting} levels deep (the cap on nesting)`;
  }
  const entities = request.entities ?? [];
  if (entities.length > limits.entities) {
    return `the request lists ${grouped(entities.length)} entities, more than the ${grouped(limits.entities)} given to Cedar for one decision (the cap on entities per request)`;
  }
  for (let i = 0; i < entities.length; i++) {
    if (nestingDepth(entities[i], limits.nesting) > limits.nesting) {
      return `entity ${grouped(i + 1)} of the request nests values more than ${limits.nesting} levels deep (the cap on nesting)`;
    }
  }
  return hierarchyOverLimit(entities, limits);
}

/** Depth of a JSON value (a scalar is 0, `{}` is 1), counted no further than `max + 1`. */
function nestingDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (depth > max) return depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An entity reference as Cedar's JSON writes it, `{type, id}` or `{"__entity": {type, id}}`, as a map key; null if it is neither. */
function uidKey(v: unknown): string | null {
  const uid = isObject(v) && isObject(v.__entity) ? v.__entity : v;
  if (!isObject(uid) || typeof uid.type !== 'string' || typeof uid.id !== 'string') return null;
  return JSON.stringify([uid.type, uid.id]);
}

/**
 * The parent-chain depth and the ancestry work of the request's entities,
 * each entity's ancestors worked out once (depth first, without recursion).
 * A parent not listed in the request ends its chain (Cedar looks it up among
 * the bundle's entities, which the reviewer supplied); a cycle ends it too
 * (Cedar refuses cycles itself). Entries Cedar would refuse as malformed are
 * left to Cedar.
 */
function hierarchyOverLimit(entities: readonly unknown[], limits: Readonly<RequestLimits>): string | null {
  const parents = new Map<string, string[]>();
  for (const e of entities) {
    if (!isObject(e)) continue;
    const key = uidKey(e.uid);
    if (key === null) continue;
    const list = parents.get(key) ?? [];
    if (Array.isArray(e.parents))
      for (const p of e.parents) {
        const pk = uidKey(p);
        if (pk !== null) list.push(pk);
      }
    parents.set(key, list);
  }
  const depth = new Map<string, number>();
  const ancestors = new Map<string, Set<string>>();
  const onPath = new Set<string>();
  // With no ancestry cap (tests lift the caps), ancestors are not worked out here at all.
  const countAncestry = Number.isFinite(limits.ancestry);
  let steps = 0;
  const depthSentence = `the request's entities form a chain of parents more than ${grouped(limits.entityDepth)} deep (the cap on entity depth)`;
  const ancestrySentence = `working out the ancestors of the request's entities takes more than ${grouped(limits.ancestry)} steps (the cap on entity ancestry per request)`;
  for (const root of parents.keys()) {
    if (depth.has(root)) continue;
    // Each frame: an entity and how many of its parents have been visited.
    const stack: { key: string; next: number }[] = [{ key: root, next: 0 }];
    onPath.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const own = parents.get(top.key)!;
      if (top.next < own.length) {
        const p = own[top.next++];
        if (!parents.has(p) || depth.has(p) || onPath.has(p)) continue;
        if (stack.length > limits.entityDepth) return depthSentence;
        onPath.add(p);
        stack.push({ key: p, next: 0 });
        continue;
      }
      // All parents done: this entity's depth and ancestors.
      let d = 0;
      const set = new Set<string>();
      for (const p of own) {
        d = Math.max(d, 1 + (depth.get(p) ?? 0));
        if (countAncestry) set.add(p);
        steps++;
        const inherited = countAncestry ? ancestors.get(p) : undefined;
        if (inherited) {
          steps += inherited.size;
          if (steps > limits.ancestry) return ancestrySentence;
          for (const a of inherited) set.add(a);
        }
      }
      if (d > limits.entityDepth) return depthSentence;
      if (steps > limits.ancestry) return ancestrySentence;
      depth.set(top.key, d);
      if (countAncestry) ancestors.set(top.key, set);
      onPath.delete(top.key);
      stack.pop();
    }
  }
  return null;
}
