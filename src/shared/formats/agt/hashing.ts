/**
 * How AGT's writers turn an entry into the bytes they hash. Pure functions
 * over the lexeme-preserving JSON tree; the caller brings the SHA-256 (Node
 * injects its native one, the shared default is @noble/hashes).
 */
import { sha256HexOfText, type Sha256Hex } from '../../crypto';
import { LexObject, toJs, type LexValue } from '../../json/lexeme-json';
import { lexObject, pythonDumps, PY_DEFAULT, serdeSortedCompact } from '../../json/foreign-json';

export const ZERO_HASH = '0'.repeat(64);

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/**
 * Python's datetime.isoformat() of the time a timestamp text denotes: a "T",
 * microseconds only when non-zero, "+00:00" for UTC. Returns null when the
 * text is not a timestamp at all.
 */
export function pythonIsoformat(text: string): string | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, date, time, frac, zone] = m;
  const micros = frac ? (frac + '00000').slice(0, 6) : '000000';
  let out = `${date}T${time}${micros === '000000' ? '' : '.' + micros}`;
  if (zone === 'Z' || zone === 'z') out += '+00:00';
  else if (zone) out += zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  return out;
}

/** RFC 3339 UTC for the timeline, or the text unchanged when it is not a timestamp we can read. */
export function toRfc3339(text: string): string {
  const t = Date.parse(text.replace(' ', 'T').replace(/\+00:00Z$/, 'Z'));
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

// ---- agent-mesh AuditLog (stdout JSONL, export(), CloudEvents) ----

export const MESH_HASHED = ['entry_id', 'timestamp', 'event_type', 'agent_did', 'action', 'resource', 'data', 'outcome', 'previous_hash'] as const;
/** Members that may be absent from a line because the sink drops nulls; they hash as null. */
const MESH_NULLABLE = new Set(['resource', 'data', 'outcome', 'action', 'agent_did']);
export const MESH_AUTH = new Set<string>([...MESH_HASHED, 'entry_hash']);

export type HashInput = { ok: true; text: string } | { ok: false; problem: string };

/** The text agent-mesh hashes into entry_hash: json.dumps(sort_keys=True) of the nine hashed members. */
export function meshHashInput(entry: LexObject): HashInput {
  const members: [string, LexValue][] = [];
  for (const name of MESH_HASHED) {
    let v = entry.get(name);
    if (v === undefined) {
      if (!MESH_NULLABLE.has(name)) return { ok: false, problem: `it has no "${name}"` };
      v = null;
    }
    if (name === 'timestamp') {
      if (typeof v !== 'string') return { ok: false, problem: 'its "timestamp" is not a text' };
      v = pythonIsoformat(v) ?? v;
    }
    members.push([name, v]);
  }
  return { ok: true, text: pythonDumps(lexObject(members), PY_DEFAULT) };
}

/**
 * AGT's Merkle root over entry hashes (hex text): pad to a power of two with
 * the literal string of 64 zeros for empty subtrees, node = SHA-256 hex of
 * left_hex + right_hex. One entry: its hash; none: null.
 */
export function agtMerkleRoot(hashes: readonly string[], sha256Hex: Sha256Hex = sha256HexOfText): string | null {
  const n = hashes.length;
  if (n === 0) return null;
  if (n === 1) return hashes[0];
  let width = 1;
  while (width < n) width *= 2;
  let level: string[] = [];
  for (let i = 0; i < width; i++) level.push(i < n ? hashes[i] : ZERO_HASH);
  let covered = 1; // leaves under each node of this level
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const firstLeaf = (i / 2) * covered * 2;
      next.push(firstLeaf >= n ? ZERO_HASH : sha256Hex(level[i] + level[i + 1]));
    }
    covered *= 2;
    level = next;
  }
  return level[0];
}

export const CLOUDEVENT_TYPES: Record<string, string> = {
  tool_invocation: 'ai.agentmesh.tool.invoked',
  tool_blocked: 'ai.agentmesh.tool.blocked',
  policy_evaluation: 'ai.agentmesh.policy.evaluation',
  policy_violation: 'ai.agentmesh.policy.violation',
  trust_handshake: 'ai.agentmesh.trust.handshake',
  trust_score_updated: 'ai.agentmesh.trust.score.updated',
  agent_registered: 'ai.agentmesh.agent.registered',
  agent_verified: 'ai.agentmesh.agent.verified',
  audit_integrity: 'ai.agentmesh.audit.integrity.verified',
};
const EVENT_TYPE_OF = new Map(Object.entries(CLOUDEVENT_TYPES).map(([k, v]) => [v, k]));

export function eventTypeOfCloudEvent(type: string): string | null {
  const known = EVENT_TYPE_OF.get(type);
  if (known) return known;
  return type.startsWith('ai.agentmesh.') ? type.slice('ai.agentmesh.'.length) : null;
}

/** Entry members the export merged into `data`; the entry's own data wins a clash. */
export const CLOUDEVENT_MERGED_ALWAYS = ['action', 'resource', 'outcome', 'policy_decision', 'matched_rule'];
export const CLOUDEVENT_MERGED_WHEN_SET = ['policy_version', 'arguments_hash', 'approver_did', 'issued_at', 'completed_at'];
const MERGED = new Set([...CLOUDEVENT_MERGED_ALWAYS, ...CLOUDEVENT_MERGED_WHEN_SET]);
/** Merged names that are not hashed, so the entry's data may have held them without the hash telling. */
const MERGED_UNHASHED = ['policy_decision', 'matched_rule', ...CLOUDEVENT_MERGED_WHEN_SET];

export type CloudEventCheck = { ok: true; computed: string; canonical: string; keptInData: string[] } | { ok: false; problem: string } | { ok: 'mismatch'; computed: string; canonical: string };

/**
 * Rebuilds the agent-mesh entry behind a CloudEvent and checks it against the
 * recorded hash. The export lost which `data` members were the entry's own;
 * when the plain rebuild fails, the alternatives where an unhashed merged name
 * belonged to the entry's data are tried too.
 */
export function checkCloudEvent(ev: LexObject, recorded: string, sha256Hex: Sha256Hex): CloudEventCheck {
  const id = ev.get('id');
  const source = ev.get('source');
  const type = ev.get('type');
  const time = ev.get('time');
  const data = ev.get('data');
  const prev = ev.get('agentmeshprevioushash');
  if (typeof id !== 'string' || typeof source !== 'string' || typeof type !== 'string' || typeof time !== 'string') {
    return { ok: false, problem: 'it lacks one of id, source, type and time' };
  }
  if (!(data instanceof LexObject)) return { ok: false, problem: 'its "data" is not an object' };
  if (typeof prev !== 'string') return { ok: false, problem: 'it has no "agentmeshprevioushash"' };
  const eventType = eventTypeOfCloudEvent(type);
  if (eventType === null) return { ok: false, problem: `its type "${type}" is not an agent-mesh event type` };
  // time = isoformat() + "Z": drop that one Z and what is left is the hashed isoformat() text.
  const ts = time.endsWith('Z') || time.endsWith('z') ? time.slice(0, -1) : (pythonIsoformat(time) ?? time);
  const build = (kept: Set<string>): string => {
    const own = new LexObject(-1);
    for (const [k, v] of data.members) if (!MERGED.has(k) || kept.has(k)) own.members.set(k, v);
    const entry = lexObject([
      ['entry_id', id],
      ['timestamp', ts],
      ['event_type', eventType],
      ['agent_did', source],
      ['action', data.get('action') ?? null],
      ['resource', data.get('resource') ?? null],
      ['data', own],
      ['outcome', data.get('outcome') ?? null],
      ['previous_hash', prev],
    ]);
    return pythonDumps(entry, PY_DEFAULT);
  };
  const canonical = build(new Set());
  const computed = sha256Hex(canonical);
  if (computed === recorded) return { ok: true, computed, canonical, keptInData: [] };
  const candidates = MERGED_UNHASHED.filter((k) => data.has(k));
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    const kept = new Set(candidates.filter((_, i) => mask & (1 << i)));
    const text = build(kept);
    const h = sha256Hex(text);
    if (h === recorded) return { ok: true, computed: h, canonical: text, keptInData: [...kept] };
  }
  return { ok: 'mismatch', computed, canonical };
}

// ---- FileAuditSink ----

export const FILE_SINK_HASHED = [
  'entry_id',
  'timestamp',
  'event_type',
  'agent_did',
  'action',
  'resource',
  'target_did',
  'data',
  'outcome',
  'policy_decision',
  'matched_rule',
  'trace_id',
  'session_id',
  'previous_hash',
] as const;
export const FILE_SINK_AUTH = new Set<string>([...FILE_SINK_HASHED, 'content_hash', 'signature']);

/** json.dumps(p, sort_keys=True, default=str) of the content members; the stored timestamp text is hashed as is. */
export function fileSinkHashInput(entry: LexObject): HashInput {
  const members: [string, LexValue][] = [];
  for (const name of FILE_SINK_HASHED) {
    const v = entry.get(name);
    if (v === undefined) return { ok: false, problem: `it has no "${name}"` };
    members.push([name, v]);
  }
  return { ok: true, text: pythonDumps(lexObject(members), PY_DEFAULT) };
}

// ---- MCP governance receipts ----

export const RECEIPT_SIGNED = ['agent_did', 'args_hash', 'cedar_decision', 'cedar_policy_id', 'receipt_id', 'timestamp', 'tool_name'] as const;
const RECEIPT_SIGNED_WHEN_SET = ['parent_receipt_hash', 'session_id'] as const;
export const RECEIPT_AUTH = new Set<string>([...RECEIPT_SIGNED, ...RECEIPT_SIGNED_WHEN_SET, 'payload_hash', 'signature', 'signer_public_key']);

/** The bytes a receipt's payload_hash and Ed25519 signature cover, as text. */
export function receiptPayload(r: LexObject): HashInput {
  const members: [string, LexValue][] = [];
  for (const name of RECEIPT_SIGNED) {
    const v = r.get(name);
    if (v === undefined) return { ok: false, problem: `it has no "${name}"` };
    members.push([name, v]);
  }
  for (const name of RECEIPT_SIGNED_WHEN_SET) {
    const v = r.get(name);
    if (v !== undefined && v !== null) members.push([name, v]);
  }
  return { ok: true, text: pythonDumps(lexObject(members), { sortKeys: true, ensureAscii: false, separators: [',', ':'] }) };
}

// ---- @microsoft/agent-governance-sdk AuditLogger ----

export const TS_SDK_HASHED = ['timestamp', 'agentId', 'action', 'decision', 'previousHash'] as const;
export const TS_SDK_AUTH = new Set<string>([...TS_SDK_HASHED, 'skillAuditMetadata', 'hash']);

/** JSON.stringify of {timestamp, agentId, action, decision, previousHash[, skillAuditMetadata]} from the parsed values. */
export function tsSdkHashInput(entry: LexObject): HashInput {
  const obj: Record<string, unknown> = {};
  for (const name of TS_SDK_HASHED) {
    if (!entry.has(name)) return { ok: false, problem: `it has no "${name}"` };
    obj[name] = toJs(entry.get(name));
  }
  if (entry.has('skillAuditMetadata')) obj.skillAuditMetadata = toJs(entry.get('skillAuditMetadata'));
  return { ok: true, text: JSON.stringify(obj) };
}

// ---- ACS result envelopes ----

export type AcsIdentities = { input: string; enforced: string } | { ok: false; problem: string };

/** input_identity and enforced_identity as the ACS runtime computes them from policy_input. */
export function acsIdentities(envelope: LexObject, sha256Hex: Sha256Hex): AcsIdentities {
  const input = envelope.get('policy_input');
  if (!(input instanceof LexObject)) return { ok: false, problem: 'it has no "policy_input" object' };
  const inputId = 'sha256:' + sha256Hex(serdeSortedCompact(input));
  if (envelope.get('transformed_policy_target_applied') !== true) return { input: inputId, enforced: inputId };
  const target = input.get('policy_target');
  if (!(target instanceof LexObject)) return { ok: false, problem: 'its "policy_input" has no "policy_target" object' };
  const newTarget = new LexObject(-1);
  for (const [k, v] of target.members) newTarget.members.set(k, v);
  newTarget.members.set('value', envelope.get('transformed_policy_target') ?? null);
  const enforcedInput = new LexObject(-1);
  for (const [k, v] of input.members) enforcedInput.members.set(k, k === 'policy_target' ? newTarget : v);
  return { input: inputId, enforced: 'sha256:' + sha256Hex(serdeSortedCompact(enforcedInput)) };
}
