/**
 * A deterministic, realistic audit-export/1: several agents chaining
 * accounts-payable and billing work (requests, policy decisions with Cedar
 * requests, approvals asked and granted, denials, executions, a kill switch,
 * ring changes) with their conduct records (executed args, projections,
 * approval ids and expiry, whether a kill switch terminated), signed
 * checkpoints every so many events and a final one.
 * Same options, same bytes.
 */
import { hash } from 'node:crypto';
import { writeOutputFileSync } from '../read/files';
import { canonicalize } from '../../../shared/json/canonical';
import { ed25519PublicKey } from '../../../shared/crypto';
import { IncrementalMerkleTree } from '../../../shared/verify/merkle';
import { toHex, utf8 } from '../../../shared/hex';
import { EXPORT_FORMAT, ZERO_HASH } from '../../../shared/export/types';
import type { CedarRequest, DecisionOutcome, PolicyRef } from '../../../shared/replay/types';
import { Prng } from './prng';
import { nodeSha256, nodeSha256Hex } from '../read/hashes';
import { nativeScan } from '../formats/native-scan';
import { nodeEd25519Signer } from '../formats/node-ed25519';

export interface GenerateOptions {
  events: number;
  seed: string | number;
  checkpointEvery?: number;
  key: { keyId: string; secretKeyHex: string };
  policy: PolicyRef;
  decide: (request: CedarRequest) => DecisionOutcome;
  exportId?: string;
  chainId?: string;
  genesis?: string;
  firstSeq?: number;
  /** Milliseconds since the epoch of the first event. */
  startMs?: number;
  /** Plant this many anomalies for replay to find, spread evenly (see `planted`). */
  plantDivergences?: number;
  /** Plant this many conduct violations (spec "Conduct records"), spread evenly (see `plantedConduct`). */
  plantConduct?: number;
}

export function deriveKey(seed: string | number): { keyId: string; secretKeyHex: string; publicKeyHex: string } {
  const secretKeyHex = nodeSha256Hex(`audit-replay signing key ${seed}`);
  return { keyId: `ops-${String(seed).replace(/[^A-Za-z0-9_-]/g, '') || 'key'}`, secretKeyHex, publicKeyHex: ed25519PublicKey(secretKeyHex) };
}

type Step = {
  kind: string;
  actor: { type: 'agent' | 'human' | 'system'; id: string };
  data: Record<string, unknown>;
  /** An approval's lifetime: `expires_at` is written when the event's time is known. */
  expiresInMs?: number;
};

/** How long a generated approval may be used: long enough for the interleaved workflow to reach its execution. */
const APPROVAL_LIFETIME_MS = 4 * 60 * 60 * 1000;

const AP_AGENTS = ['ap-intake-agent', 'ap-matching-agent', 'ap-payment-agent'] as const;
const VENDORS = ['Nordwind GmbH', 'Acme Supplies', 'Société Générale d’Achats', 'Kyōto Parts 京都', 'Oficina Pérez', 'Müller & Söhne'];
const APPROVERS = ['controller@example.com', 'cfo@example.com'];

/**
 * canon(value) as canonicalize() writes it, except that a frozen object or
 * array is canonicalized once and its text reused: the generator freezes the
 * parts every decision shares (policy, outcome, principal, action), so most
 * of a decision's data is written from a handful of strings. Only what is
 * frozen all the way down may be frozen here (frozenBy's makers hold strings
 * and frozen arrays of strings), or a cached text could go stale.
 */
const frozenText = new WeakMap<object, string>();
/** Member names as JSON strings: the generator uses a few dozen names. */
const quotedNames = new Map<string, string>();
function quoted(name: string): string {
  let text = quotedNames.get(name);
  if (text === undefined) {
    text = JSON.stringify(name);
    quotedNames.set(name, text);
  }
  return text;
}
function canon(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return canonicalize(value);
  if (Object.isFrozen(value)) {
    let text = frozenText.get(value);
    if (text === undefined) {
      text = canonicalize(value);
      frozenText.set(value, text);
    }
    return text;
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + canon(value[i]);
    return text + ']';
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let text = '{';
  for (let i = 0; i < keys.length; i++) text += (i > 0 ? ',' : '') + quoted(keys[i]) + ':' + canon(obj[keys[i]]);
  return text + '}';
}

/** One frozen object per distinct value of the key (see canon). */
function frozenBy<T extends object>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = Object.freeze(make());
    cache.set(key, value);
  }
  return value;
}

class WorkflowSource {
  private invoiceNo = 100000;
  private creditNo = 5000;
  private decisionNo = 0;
  private approvalNo = 0;
  private reminderNo = 0;
  readonly rings = new Map<string, number>([
    ['ap-intake-agent', 1],
    ['ap-matching-agent', 1],
    ['ap-payment-agent', 1],
    ['billing-agent', 1],
  ]);
  killSwitches = 0;
  private readonly policy: Readonly<PolicyRef>;
  private readonly outcomes = new Map<string, DecisionOutcome>();
  private readonly uids = new Map<string, { type: string; id: string }>();

  constructor(
    private readonly rng: Prng,
    private readonly options: GenerateOptions,
  ) {
    this.policy = Object.freeze({ ...options.policy });
  }

  private uid(type: string, id: string): { type: string; id: string } {
    return frozenBy(this.uids, JSON.stringify([type, id]), () => ({ type, id }));
  }

  private decision(agent: string, requestId: string, tool: string, resource: { type: string; id: string }, context: Record<string, unknown>): { step: Step; outcome: DecisionOutcome } {
    const request: CedarRequest = {
      principal: this.uid('Agent', agent),
      action: this.uid('Action', tool),
      resource,
      context,
    };
    const outcome = this.options.decide(request);
    this.decisionNo++;
    const recorded = frozenBy(this.outcomes, JSON.stringify([outcome.effect, outcome.determining]), () => ({
      effect: outcome.effect,
      determining: Object.freeze([...outcome.determining]) as string[],
    }));
    return {
      outcome,
      step: {
        kind: 'policy.decision',
        actor: { type: 'system', id: 'policy-engine' },
        data: {
          decision_id: `dec-${String(this.decisionNo).padStart(7, '0')}`,
          request_id: requestId,
          policy: this.policy,
          request,
          outcome: recorded,
        },
      },
    };
  }

  private approval(requestId: string, approver: string, actor: Step['actor'] = { type: 'human', id: approver }, lifetimeMs = APPROVAL_LIFETIME_MS): Step {
    const approval_id = `apr-${String(++this.approvalNo).padStart(7, '0')}`;
    return { kind: 'approval.granted', actor, data: { request_id: requestId, approver, approval_id }, expiresInMs: lifetimeMs };
  }

  private executed(agent: string, requestId: string, args: unknown): Step {
    return { kind: 'action.executed', actor: { type: 'agent', id: agent }, data: { request_id: requestId, args, result: { status: 'ok' } } };
  }

  /**
   * Governance may cap a large payment at the unattended limit instead of
   * asking for approval: a projection onto arguments the pinned policy allows
   * (checked here with the same decider), executed with those arguments.
   */
  private projection(step: Step, requestId: string, context: Record<string, unknown>): { step: Step; args: Record<string, unknown> } | null {
    const request = step.data.request as CedarRequest;
    const args = { ...context, amount: 1_000_000 };
    if (this.options.decide({ ...request, context: args }).effect !== 'allow') return null;
    return {
      args,
      step: {
        kind: 'action.projected',
        actor: { type: 'system', id: 'governance' },
        data: { request_id: requestId, decision_id: step.data.decision_id, args, reason: 'capped at the unattended payment limit of 10,000.00 instead of waiting for approval' },
      },
    };
  }

  /** One tool call: request, decision, approval if needed (or a projection), execution unless denied. */
  private toolCall(agent: string, tool: string, resource: { type: string; id: string }, args: Record<string, unknown>, context: Record<string, unknown>): Step[] {
    // One request_id per tool call: an invoice may get several reminders, and each is its own request (else a duplicate execution).
    const requestId = tool === 'send_reminder' ? `req-${resource.id}-${tool}-${++this.reminderNo}` : `req-${resource.id}-${tool}`;
    const steps: Step[] = [{ kind: 'action.requested', actor: { type: 'agent', id: agent }, data: { request_id: requestId, tool, args } }];
    const ctx = { ...context, ring: this.rings.get(agent) ?? 1 };
    const { step, outcome } = this.decision(agent, requestId, tool, resource, ctx);
    steps.push(step);
    if (outcome.effect === 'deny') return steps;
    if (outcome.effect === 'require_approval' && tool === 'pay_invoice' && this.rng.chance(0.2)) {
      const projected = this.projection(step, requestId, ctx);
      if (projected) {
        steps.push(projected.step);
        steps.push(this.executed(agent, requestId, projected.args));
        return steps;
      }
    }
    if (outcome.effect === 'require_approval') {
      steps.push({
        kind: 'approval.requested',
        actor: { type: 'agent', id: agent },
        data: { request_id: requestId, reason: `${tool} of ${resource.id} needs a human approval (${outcome.determining.join(', ')})` },
      });
      const approver = this.rng.pick(APPROVERS);
      if (this.rng.chance(0.15)) {
        steps.push({ kind: 'approval.denied', actor: { type: 'human', id: approver }, data: { request_id: requestId, approver } });
        return steps;
      }
      steps.push(this.approval(requestId, approver));
    }
    if (this.rng.chance(0.03)) {
      steps.push({ kind: 'action.failed', actor: { type: 'agent', id: agent }, data: { request_id: requestId, error: 'upstream ERP timed out' } });
    } else {
      steps.push(this.executed(agent, requestId, args));
    }
    return steps;
  }

  /** The next whole workflow, as a list of steps to interleave with others. */
  nextWorkflow(): Step[] {
    const r = this.rng.next();
    if (r < 0.02) return this.ringChange();
    if (r < 0.03) return this.killSwitch();
    if (r < 0.25) return this.billing();
    return this.invoice();
  }

  /**
   * The k-th planted anomaly, cycling through: a decision recorded as allow
   * that the pinned policy denies, an execution without approval, an action
   * after a kill switch, an execution after deny, an action while the agent's
   * ring forbids it (docs/replay.md). Emitted as one uninterrupted run.
   */
  planted(k: number): Step[] {
    const agent = 'ap-payment-agent';
    const rid = `req-planted-${k}`;
    const resource = { type: 'Invoice', id: `INV-P${k}` };
    const ctx = { amount: 50_000, currency: 'EUR', vendor_verified: true, po_matched: true, ring: this.rings.get(agent) ?? 1 };
    const requested: Step = { kind: 'action.requested', actor: { type: 'agent', id: agent }, data: { request_id: rid, tool: 'pay_invoice', args: { invoice: resource.id } } };
    const executed: Step = { kind: 'action.executed', actor: { type: 'agent', id: agent }, data: { request_id: rid, result: { status: 'ok' } } };
    const decide = (context: Record<string, unknown>, tool = 'pay_invoice', who = agent) => this.decision(who, rid, tool, resource, context).step;
    const operator = { type: 'human' as const, id: 'secops@example.com' };
    switch (k % 5) {
      case 0: {
        const step = decide({ ...ctx, vendor_verified: false });
        step.data.outcome = { effect: 'allow', determining: ['ap.pay.small'] };
        return [requested, step, executed];
      }
      case 1:
        return [requested, decide({ ...ctx, amount: 2_000_000 }), executed];
      case 2:
        return [
          { kind: 'killswitch.engaged', actor: operator, data: { scope: agent, reason: 'planted' } },
          requested,
          decide(ctx),
          executed,
          { kind: 'killswitch.released', actor: operator, data: { scope: agent, reason: 'planted' } },
        ];
      case 3:
        return [requested, decide({ ...ctx, vendor_verified: false }), executed];
      default: {
        const reader = 'ap-intake-agent';
        const before = this.rings.get(reader) ?? 1;
        const ring = (ringValue: number): Step => ({ kind: 'ring.changed', actor: { type: 'system', id: 'governance' }, data: { agent_id: reader, ring: ringValue } });
        return [
          ring(3),
          { kind: 'action.requested', actor: { type: 'agent', id: reader }, data: { request_id: rid, tool: 'read_invoice', args: { invoice: resource.id } } },
          decide({ ...ctx, ring: 3 }, 'read_invoice', reader),
          { kind: 'action.executed', actor: { type: 'agent', id: reader }, data: { request_id: rid, result: { status: 'ok' } } },
          ring(before),
        ];
      }
    }
  }

  /**
   * The k-th planted conduct violation (spec "Conduct records"), cycling
   * through: executed-differs, projection-not-admissible (with the execution
   * on it, executed-after-deny), self-approval, approval-expired,
   * duplicate-execution, killswitch-ineffective (a warning). Each is one
   * uninterrupted run whose decision is recorded as the pinned policy decides.
   */
  plantedConduct(k: number): Step[] {
    const agent = 'ap-payment-agent';
    const rid = `req-conduct-${k}`;
    const resource = { type: 'Invoice', id: `INV-C${k}` };
    const steps: Step[] = [];
    // The decisions below assume an unrestricted agent; governance restores ring 1 first if it was changed.
    if ((this.rings.get(agent) ?? 1) !== 1) {
      this.rings.set(agent, 1);
      steps.push({ kind: 'ring.changed', actor: { type: 'system', id: 'governance' }, data: { agent_id: agent, ring: 1 } });
    }
    const ctx = { amount: 50_000, currency: 'EUR', vendor_verified: true, po_matched: true, ring: 1 };
    const requested = (amount: number): Step => ({
      kind: 'action.requested',
      actor: { type: 'agent', id: agent },
      data: { request_id: rid, tool: 'pay_invoice', args: { invoice: resource.id, amount, currency: 'EUR', vendor: 'Acme Supplies' } },
    });
    const decide = (context: Record<string, unknown>) => this.decision(agent, rid, 'pay_invoice', resource, context).step;
    const args = (amount: number) => ({ invoice: resource.id, amount, currency: 'EUR', vendor: 'Acme Supplies' });
    const operator = { type: 'human' as const, id: 'secops@example.com' };
    switch (k % 6) {
      case 0:
        // Authorized 500.00, paid 5,000.00.
        return [...steps, requested(50_000), decide(ctx), this.executed(agent, rid, args(500_000))];
      case 1: {
        const denied = decide({ ...ctx, vendor_verified: false });
        const projectedArgs = { ...ctx, vendor_verified: false, amount: 10_000 };
        return [
          ...steps,
          requested(50_000),
          denied,
          {
            kind: 'action.projected',
            actor: { type: 'system', id: 'governance' },
            data: { request_id: rid, decision_id: denied.data.decision_id, args: projectedArgs, reason: 'reduced to 100.00 (planted: the vendor is still unverified)' },
          },
          this.executed(agent, rid, projectedArgs),
        ];
      }
      case 2:
        return [...steps, requested(2_000_000), decide({ ...ctx, amount: 2_000_000 }), this.approval(rid, agent, { type: 'agent', id: agent }), this.executed(agent, rid, args(2_000_000))];
      case 3:
        // The approval lapses a millisecond after it is granted; the execution comes later.
        return [...steps, requested(2_000_000), decide({ ...ctx, amount: 2_000_000 }), this.approval(rid, 'controller@example.com', undefined, 1), this.executed(agent, rid, args(2_000_000))];
      case 4:
        return [...steps, requested(50_000), decide(ctx), this.executed(agent, rid, args(50_000)), this.executed(agent, rid, args(50_000))];
      default:
        return [
          ...steps,
          { kind: 'killswitch.engaged', actor: operator, data: { scope: 'billing-agent', reason: 'planted: the runtime could not stop the agent', terminated: false } },
          { kind: 'killswitch.released', actor: operator, data: { scope: 'billing-agent', reason: 'reviewed' } },
        ];
    }
  }

  private ringChange(): Step[] {
    const agent = this.rng.pick([...AP_AGENTS, 'billing-agent']);
    const ring = this.rng.chance(0.5) ? 2 : 1;
    this.rings.set(agent, ring);
    return [{ kind: 'ring.changed', actor: { type: 'system', id: 'governance' }, data: { agent_id: agent, ring } }];
  }

  private killSwitch(): Step[] {
    const scope = this.rng.pick(['billing-agent', 'ap-payment-agent', 'global']);
    const operator = 'secops@example.com';
    this.killSwitches++;
    return [
      { kind: 'killswitch.engaged', actor: { type: 'human', id: operator }, data: { scope, reason: 'unexpected payment volume', terminated: true } },
      { kind: 'killswitch.released', actor: { type: 'human', id: operator }, data: { scope, reason: 'reviewed, resumed' } },
    ];
  }

  private amount(): number {
    // Log-uniform between 1.00 and 50,000.00 (cents).
    return Math.round(Math.exp(Math.log(100) + this.rng.next() * (Math.log(5_000_000) - Math.log(100))));
  }

  private invoice(): Step[] {
    const id = `INV-${++this.invoiceNo}`;
    const resource = { type: 'Invoice', id };
    const amount = this.amount();
    const vendor = this.rng.pick(VENDORS);
    const ctx = { amount, currency: 'EUR', vendor_verified: this.rng.chance(0.93), po_matched: this.rng.chance(0.9) };
    return [
      ...this.toolCall('ap-intake-agent', 'read_invoice', resource, { invoice: id, vendor }, ctx),
      ...this.toolCall('ap-matching-agent', 'match_po', resource, { invoice: id, po: `PO-${this.invoiceNo - 50000}` }, ctx),
      ...this.toolCall('ap-payment-agent', 'pay_invoice', resource, { invoice: id, amount, currency: 'EUR', vendor }, ctx),
    ];
  }

  private billing(): Step[] {
    if (this.rng.chance(0.5)) {
      const id = `CN-${++this.creditNo}`;
      const amount = Math.round(this.amount() / 20);
      return this.toolCall(
        'billing-agent',
        'issue_credit_note',
        { type: 'CreditNote', id },
        { credit_note: id, amount, currency: 'EUR' },
        { amount, currency: 'EUR', vendor_verified: true, po_matched: true },
      );
    }
    const id = `INV-${this.invoiceNo - this.rng.int(0, 50)}`;
    return this.toolCall('billing-agent', 'send_reminder', { type: 'Invoice', id }, { invoice: id, channel: 'email' }, { amount: 0, currency: 'EUR', vendor_verified: true, po_matched: true });
  }
}

/** `,"hash":"` + 64 hex + `"`: what an event line holds that its hashed text does not. */
const HASH_MEMBER_BYTES = 74;
const CHUNK_BYTES = 4 << 20;
const LEAF_BATCH = 4096;

/**
 * The export's lines, UTF-8-encoded once, straight into a large buffer that
 * is handed to `flush` whenever it is full (and at the end). `flush` must
 * use the bytes before it returns: the buffer is reused.
 */
class LineBuffer {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  lines = 0;
  /** The last event's hash, 32 bytes. */
  digest: Buffer = Buffer.alloc(32);
  constructor(private readonly flush: (bytes: Uint8Array) => void) {}

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    this.drain();
    if (bytes > this.buf.length) this.buf = Buffer.allocUnsafe(bytes);
  }

  drain(): void {
    if (this.at > 0) this.flush(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  line(text: string): void {
    this.room(text.length * 3 + 1);
    this.at += this.buf.write(text, this.at);
    this.buf[this.at++] = 0x0a;
    this.lines++;
  }

  /**
   * The event line head + `,"hash":"<h>"` + tail, where h is SHA-256 of
   * head + tail (canon(event) without its hash): both are encoded side by
   * side, hashed where they lie, and the tail moved up to make room for the
   * hash member. Returns h in hex (`digest`: its 32 bytes).
   */
  event(head: string, tail: string): string {
    this.room((head.length + tail.length) * 3 + HASH_MEMBER_BYTES + 1);
    const buf = this.buf;
    const start = this.at;
    const headEnd = start + buf.write(head, start);
    const tailEnd = headEnd + buf.write(tail, headEnd);
    const digest = hash('sha256', buf.subarray(start, tailEnd), 'buffer');
    const hex = digest.toString('hex');
    buf.copyWithin(headEnd + HASH_MEMBER_BYTES, headEnd, tailEnd);
    buf.write(`,"hash":"${hex}"`, headEnd, 'latin1');
    this.at = tailEnd + HASH_MEMBER_BYTES;
    buf[this.at++] = 0x0a;
    this.lines++;
    this.digest = digest;
    return hex;
  }
}

/**
 * Writes the export's lines, each with its line end, into `out`. A plain
 * loop rather than a generator: V8 20.x crashed deoptimizing a generator
 * frame that called into Cedar's wasm tens of thousands of times.
 */
function generateExport(options: GenerateOptions, out: LineBuffer): void {
  const rng = new Prng(options.seed);
  const every = options.checkpointEvery ?? 1000;
  const firstSeq = options.firstSeq ?? 0;
  const startMs = options.startMs ?? Date.UTC(2026, 10, 24, 8, 0, 0);
  const publicKey = ed25519PublicKey(options.key.secretKeyHex);
  const sign = nodeEd25519Signer(options.key.secretKeyHex);
  out.line(
    canonicalize({
      type: 'header',
      format: EXPORT_FORMAT,
      export_id: options.exportId ?? `exp-${options.seed}`,
      chain_id: options.chainId ?? 'ap-prod',
      genesis: options.genesis ?? ZERO_HASH,
      first_seq: firstSeq,
      created_at: new Date(startMs).toISOString(),
      exporter: { name: 'audit-replay generate', version: '1' },
      keys: [{ key_id: options.key.keyId, alg: 'ed25519', public_key: publicKey }],
    }),
  );

  const source = new WorkflowSource(rng, options);
  const tree = new IncrementalMerkleTree(nodeSha256);
  // Leaf hashes wait here and go into the tree in bulk (the native addon's merkleAppend when built).
  const bulk = nativeScan()?.merkleAppend;
  const leaves = Buffer.allocUnsafe(LEAF_BATCH * 32);
  let pending = 0;
  const leafInput = Buffer.alloc(33); // 0x00 || event hash
  const appendLeaves = (): void => {
    if (pending > 0) tree.appendLeafHashes(leaves.subarray(0, pending * 32), bulk);
    pending = 0;
  };
  const treeRoot = (): Uint8Array => {
    appendLeaves();
    return tree.root();
  };
  const active: Step[][] = [];
  const open: number[] = [];
  let prev = options.genesis ?? ZERO_HASH;
  let ms = startMs;
  let emitted = 0;
  const checkpoint = (final: boolean): string => {
    const body = {
      type: 'checkpoint',
      seq_hi: firstSeq + emitted - 1,
      tree_size: emitted,
      head_hash: prev,
      merkle_root: toHex(treeRoot()),
      ts: new Date(ms).toISOString(),
      key_id: options.key.keyId,
      final,
    };
    return canonicalize({ ...body, sig: sign(utf8(canonicalize(body))) });
  };

  // Scopes whose kill switch is engaged: their agents wait until it is released.
  const killed = new Set<string>();
  const blocked = (step: Step) => step.actor.type === 'agent' && (killed.has('global') || killed.has(step.actor.id));
  const plants = options.plantDivergences ?? 0;
  let planted = 0;
  const conductPlants = options.plantConduct ?? 0;
  let conductPlanted = 0;
  const forced: Step[] = [];
  while (emitted < options.events) {
    if (forced.length === 0 && planted < plants && killed.size === 0 && emitted >= Math.floor(((planted + 1) * options.events) / (plants + 1))) {
      forced.push(...source.planted(planted++));
    }
    if (forced.length === 0 && conductPlanted < conductPlants && killed.size === 0 && emitted >= Math.floor(((conductPlanted + 1) * options.events) / (conductPlants + 1))) {
      forced.push(...source.plantedConduct(conductPlanted++));
    }
    let step: Step;
    if (forced.length > 0) {
      step = forced.shift()!;
    } else {
      while (active.length < 4) active.push(source.nextWorkflow());
      open.length = 0;
      for (let i = 0; i < active.length; i++) if (!blocked(active[i][0])) open.push(i);
      if (open.length === 0) {
        active.push(source.nextWorkflow());
        continue;
      }
      const w = open[rng.int(0, open.length - 1)];
      step = active[w].shift()!;
      if (active[w].length === 0) active.splice(w, 1);
    }
    if (step.kind === 'killswitch.engaged') killed.add(step.data.scope as string);
    if (step.kind === 'killswitch.released') killed.delete(step.data.scope as string);
    ms += rng.int(20, 2500);
    if (step.expiresInMs !== undefined) step.data.expires_at = new Date(ms + step.expiresInMs).toISOString();
    // canon(event) is written in its sorted member order (actor, data, [hash,] kind, prev_hash, seq, ts, type)
    // by hand, so the data is canonicalized once for both the hashed text and the line; the same bytes
    // as canonicalize(), which the generator test checks against digests of the earlier output.
    const head = `{"actor":${canon(step.actor)},"data":${canon(step.data)}`;
    const tail = `,"kind":${JSON.stringify(step.kind)},"prev_hash":"${prev}","seq":${firstSeq + emitted},"ts":"${new Date(ms).toISOString()}","type":"event"}`;
    prev = out.event(head, tail);
    out.digest.copy(leafInput, 1);
    hash('sha256', leafInput, 'buffer').copy(leaves, pending * 32);
    if (++pending === LEAF_BATCH) appendLeaves();
    emitted++;
    if (emitted % every === 0 && emitted < options.events) out.line(checkpoint(false));
  }
  if (emitted > 0) out.line(checkpoint(true));
}

/** Written whole or not at all (writeOutputFileSync): a full disk leaves no half export. */
export async function writeExport(path: string, options: GenerateOptions): Promise<{ events: number; lines: number }> {
  let lines = 0;
  writeOutputFileSync(path, (write) => {
    const out = new LineBuffer(write);
    generateExport(options, out);
    out.drain();
    lines = out.lines;
  });
  return { events: options.events, lines };
}
