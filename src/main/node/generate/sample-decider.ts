/**
 * The decision the sample policy (resources/sample/policies/ap-policy-v7)
 * makes, written out in TypeScript so the generator can record outcomes.
 * Replay checks these against Cedar itself.
 */
import type { CedarRequest, Outcome } from './generate-export';

export function sampleDecide(request: CedarRequest): Outcome {
  const action = request.action.id;
  const ctx = request.context as { amount: number; vendor_verified: boolean; po_matched: boolean; ring: number };
  const forbids: string[] = [];
  const permits: { id: string; approval: boolean }[] = [];
  if (['read_invoice', 'match_po', 'send_reminder'].includes(action)) permits.push({ id: 'ap.read', approval: false });
  if (action === 'approve_invoice' && request.principal.id === 'ap-matching-agent') permits.push({ id: 'ap.approve', approval: false });
  if (action === 'pay_invoice') {
    if (ctx.amount <= 1_000_000 && ctx.po_matched) permits.push({ id: 'ap.pay.small', approval: false });
    if (ctx.amount > 1_000_000 && ctx.po_matched) permits.push({ id: 'ap.pay.large', approval: true });
    if (!ctx.vendor_verified) forbids.push('ap.vendor.unverified');
    if (ctx.ring > 1) forbids.push('ap.ring');
  }
  if (action === 'issue_credit_note') {
    if (ctx.amount <= 50_000) permits.push({ id: 'billing.credit', approval: false });
    else permits.push({ id: 'billing.credit.large', approval: true });
  }
  if (forbids.length) return { effect: 'deny', determining: forbids.sort() };
  if (!permits.length) return { effect: 'deny', determining: [] };
  const determining = permits.map((p) => p.id).sort();
  return { effect: permits.some((p) => p.approval) ? 'require_approval' : 'allow', determining };
}
