/**
 * A deterministic, realistic audit-export/1: several agents chaining
 * accounts-payable and billing work (requests, policy decisions with Cedar
 * requests, approvals asked and granted, denials, executions, a kill switch,
 * ring changes), signed checkpoints every so many events and a final one.
 * Same options, same bytes.
 */
import { createHash } from 'node:crypto';
import { writeOutputFileSync } from '../read/files';
import { canonicalize } from '../../../shared/json/canonical';
import { ed25519PublicKey, signEd25519 } from '../../../shared/crypto';
import { IncrementalMerkleTree } from '../../../shared/verify/merkle';
import { toHex, utf8 } from '../../../shared/hex';
import { EXPORT_FORMAT, ZERO_HASH } from '../../../shared/export/types';
import { Prng } from './prng';
import { nodeSha256 } from '../read/hashes';

export interface CedarRequest {
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context: Record<string, unknown>;
}

export interface Outcome {
  effect: 'allow' | 'deny' | 'require_approval';
  determining: string[];
}

export interface PolicyRef {
  name: string;
  version: string;
  digest: string;
}

export interface GenerateOptions {
  events: number;
  seed: string | number;
  checkpointEvery?: number;
  key: { keyId: string; secretKeyHex: string };
  policy: PolicyRef;
  decide: (request: CedarRequest) => Outcome;
  exportId?: string;
  chainId?: string;
  genesis?: string;
  firstSeq?: number;
  /** Milliseconds since the epoch of the first event. */
  startMs?: number;
  /** Plant this many anomalies for replay to find, spread evenly (see `planted`). */
  plantDivergences?: number;
}

export function deriveKey(seed: string | number): { keyId: string; secretKeyHex: string; publicKeyHex: string } {
  const secretKeyHex = createHash('sha256').update(`audit-replay signing key ${seed}`).digest('hex');
  return { keyId: `ops-${String(seed).replace(/[^A-Za-z0-9_-]/g, '') || 'key'}`, secretKeyHex, publicKeyHex: ed25519PublicKey(secretKeyHex) };
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

type Step = { kind: string; actor: { type: 'agent' | 'human' | 'system'; id: string }; data: Record<string, unknown> };

const AP_AGENTS = ['ap-intake-agent', 'ap-matching-agent', 'ap-payment-agent'] as const;
const VENDORS = ['Nordwind GmbH', 'Acme Supplies', 'Société Générale d’Achats', 'Kyōto Parts 京都', 'Oficina Pérez', 'Müller & Söhne'];
const APPROVERS = ['controller@example.com', 'cfo@example.com'];

class WorkflowSource {
  private invoiceNo = 100000;
  private creditNo = 5000;
  private decisionNo = 0;
  readonly rings = new Map<string, number>([
    ['ap-intake-agent', 1],
    ['ap-matching-agent', 1],
    ['ap-payment-agent', 1],
    ['billing-agent', 1],
  ]);
  killSwitches = 0;

  constructor(
    private readonly rng: Prng,
    private readonly options: GenerateOptions,
  ) {}

  private decision(agent: string, requestId: string, tool: string, resource: { type: string; id: string }, context: Record<string, unknown>): { step: Step; outcome: Outcome } {
    const request: CedarRequest = {
      principal: { type: 'Agent', id: agent },
      action: { type: 'Action', id: tool },
      resource,
      context,
    };
    const outcome = this.options.decide(request);
    this.decisionNo++;
    return {
      outcome,
      step: {
        kind: 'policy.decision',
        actor: { type: 'system', id: 'policy-engine' },
        data: {
          decision_id: `dec-${String(this.decisionNo).padStart(7, '0')}`,
          request_id: requestId,
          policy: { ...this.options.policy },
          request,
          outcome: { effect: outcome.effect, determining: [...outcome.determining] },
        },
      },
    };
  }

  /** One tool call: request, decision, approval if needed, execution unless denied. */
  private toolCall(agent: string, tool: string, resource: { type: string; id: string }, args: Record<string, unknown>, context: Record<string, unknown>): Step[] {
    const requestId = `req-${resource.id}-${tool}`;
    const steps: Step[] = [{ kind: 'action.requested', actor: { type: 'agent', id: agent }, data: { request_id: requestId, tool, args } }];
    const { step, outcome } = this.decision(agent, requestId, tool, resource, { ...context, ring: this.rings.get(agent) ?? 1 });
    steps.push(step);
    if (outcome.effect === 'deny') return steps;
    if (outcome.effect === 'require_approval') {
      steps.push({ kind: 'approval.requested', actor: { type: 'agent', id: agent }, data: { request_id: requestId, reason: `${tool} of ${resource.id} needs a human approval (${outcome.determining.join(', ')})` } });
      const approver = this.rng.pick(APPROVERS);
      if (this.rng.chance(0.15)) {
        steps.push({ kind: 'approval.denied', actor: { type: 'human', id: approver }, data: { request_id: requestId, approver } });
        return steps;
      }
      steps.push({ kind: 'approval.granted', actor: { type: 'human', id: approver }, data: { request_id: requestId, approver } });
    }
    if (this.rng.chance(0.03)) {
      steps.push({ kind: 'action.failed', actor: { type: 'agent', id: agent }, data: { request_id: requestId, error: 'upstream ERP timed out' } });
    } else {
      steps.push({ kind: 'action.executed', actor: { type: 'agent', id: agent }, data: { request_id: requestId, result: { status: 'ok' } } });
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
          requested, decide(ctx), executed,
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
      { kind: 'killswitch.engaged', actor: { type: 'human', id: operator }, data: { scope, reason: 'unexpected payment volume' } },
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
      return this.toolCall('billing-agent', 'issue_credit_note', { type: 'CreditNote', id }, { credit_note: id, amount, currency: 'EUR' }, { amount, currency: 'EUR', vendor_verified: true, po_matched: true });
    }
    const id = `INV-${this.invoiceNo - this.rng.int(0, 50)}`;
    return this.toolCall('billing-agent', 'send_reminder', { type: 'Invoice', id }, { invoice: id, channel: 'email' }, { amount: 0, currency: 'EUR', vendor_verified: true, po_matched: true });
  }
}

/**
 * Calls emit with each line of the export, without line ends. A plain
 * callback rather than a generator: V8 20.x crashed deoptimizing a generator
 * frame that called into Cedar's wasm tens of thousands of times.
 */
export function generateExportLines(options: GenerateOptions, emit: (line: string) => void): void {
  const rng = new Prng(options.seed);
  const every = options.checkpointEvery ?? 1000;
  const firstSeq = options.firstSeq ?? 0;
  const startMs = options.startMs ?? Date.UTC(2026, 10, 24, 8, 0, 0);
  const publicKey = ed25519PublicKey(options.key.secretKeyHex);
  emit(canonicalize({
    type: 'header',
    format: EXPORT_FORMAT,
    export_id: options.exportId ?? `exp-${options.seed}`,
    chain_id: options.chainId ?? 'ap-prod',
    genesis: options.genesis ?? ZERO_HASH,
    first_seq: firstSeq,
    created_at: new Date(startMs).toISOString(),
    exporter: { name: 'audit-replay generate', version: '1' },
    keys: [{ key_id: options.key.keyId, alg: 'ed25519', public_key: publicKey }],
  }));

  const source = new WorkflowSource(rng, options);
  const tree = new IncrementalMerkleTree(nodeSha256);
  const active: Step[][] = [];
  let prev = options.genesis ?? ZERO_HASH;
  let ms = startMs;
  let emitted = 0;
  const checkpoint = (final: boolean): string => {
    const body = {
      type: 'checkpoint',
      seq_hi: firstSeq + emitted - 1,
      tree_size: emitted,
      head_hash: prev,
      merkle_root: toHex(tree.root()),
      ts: new Date(ms).toISOString(),
      key_id: options.key.keyId,
      final,
    };
    return canonicalize({ ...body, sig: signEd25519(utf8(canonicalize(body)), options.key.secretKeyHex) });
  };

  // Scopes whose kill switch is engaged: their agents wait until it is released.
  const killed = new Set<string>();
  const blocked = (step: Step) => step.actor.type === 'agent' && (killed.has('global') || killed.has(step.actor.id));
  const plants = options.plantDivergences ?? 0;
  let planted = 0;
  const forced: Step[] = [];
  while (emitted < options.events) {
    if (forced.length === 0 && planted < plants && killed.size === 0 && emitted >= Math.floor(((planted + 1) * options.events) / (plants + 1))) {
      forced.push(...source.planted(planted++));
    }
    let step: Step;
    if (forced.length > 0) {
      step = forced.shift()!;
    } else {
      while (active.length < 4) active.push(source.nextWorkflow());
      const open = active.map((steps, i) => (blocked(steps[0]) ? -1 : i)).filter((i) => i >= 0);
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
    const event = { type: 'event', seq: firstSeq + emitted, ts: new Date(ms).toISOString(), kind: step.kind, actor: step.actor, data: step.data, prev_hash: prev };
    const hash = sha256Hex(canonicalize(event));
    emit(canonicalize({ ...event, hash }));
    tree.append(Buffer.from(hash, 'hex'));
    prev = hash;
    emitted++;
    if (emitted % every === 0 && emitted < options.events) emit(checkpoint(false));
  }
  if (emitted > 0) emit(checkpoint(true));
}

/** Written whole or not at all (writeOutputFileSync): a full disk leaves no half export. */
export async function writeExport(path: string, options: GenerateOptions): Promise<{ events: number; lines: number }> {
  let lines = 0;
  writeOutputFileSync(path, (write) => {
    let buffer = '';
    generateExportLines(options, (line) => {
      buffer += line + '\n';
      lines++;
      if (buffer.length > 1 << 20) {
        write(buffer);
        buffer = '';
      }
    });
    write(buffer);
  });
  return { events: options.events, lines };
}
