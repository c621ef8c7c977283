/**
 * Cedar requests built the way an exporter hiding a divergence would build
 * them: entity hierarchies that make cedar-wasm labour or trap, values nested
 * deep. Plain data, made at test time (the small ones are also in the
 * committed corpus, see make-corpus.ts).
 */

type Uid = { type: string; id: string };
export interface Entity {
  uid: Uid;
  attrs: Record<string, unknown>;
  parents: Uid[];
}

/**
 * `links` parent links in one chain: Team t0 <- t1 <- … <- t{links-1} <- the
 * principal, Agent `agent` (so the principal is `links` levels below t0).
 * Each entity names the previous one as its parent.
 */
export function entityChain(links: number, agent = 'ap-payment-agent'): Entity[] {
  const out: Entity[] = [];
  for (let i = 0; i < links; i++) out.push({ uid: { type: 'Team', id: `t${i}` }, attrs: {}, parents: i > 0 ? [{ type: 'Team', id: `t${i - 1}` }] : [] });
  out.push({ uid: { type: 'Agent', id: agent }, attrs: {}, parents: links > 0 ? [{ type: 'Team', id: `t${links - 1}` }] : [] });
  return out;
}

/** `n` entities with no parents. */
export function flatEntities(n: number): Entity[] {
  return Array.from({ length: n }, (_, i) => ({ uid: { type: 'Team', id: `f${i}` }, attrs: {}, parents: [] }));
}

/**
 * `layers` layers of `width` Teams, each with `fanout` parents spread over the
 * layer above: shallow and within the entity cap, yet every entity ends up
 * with most of the layers above as ancestors, which is what Cedar computes
 * before evaluating (5,000 entities 50 layers deep took cedar-wasm 32 s).
 */
export function layeredEntities(width: number, layers: number, fanout: number): Entity[] {
  const out: Entity[] = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const parents: Uid[] = [];
      if (l > 0) for (let j = 0; j < fanout; j++) parents.push({ type: 'Team', id: `L${l - 1}-${(i + j * (1 + ((l * 7) % width))) % width}` });
      out.push({ uid: { type: 'Team', id: `L${l}-${i}` }, attrs: {}, parents });
    }
  }
  return out;
}

/** `{"a":{"a":…1…}}`, `depth` objects deep (depth 1 is `{"a":1}`). */
export function nestedValue(depth: number): Record<string, unknown> {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v as Record<string, unknown>;
}
