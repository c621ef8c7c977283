/** The one-line summary the table and reports show for an event. */
import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/shared/export/describe-event';

describe('describeEvent', () => {
  it('shows what a request is for: the amount with its currency first, then its other plain arguments', () => {
    const { summary } = describeEvent('action.requested', {
      request_id: 'req-7',
      tool: 'pay_invoice',
      args: { invoice: 'INV-100004', vendor: 'Oficina Pérez', amount: 313349, currency: 'EUR', lines: [{ sku: 'x' }] },
    });
    expect(summary).toBe('requests pay_invoice: amount 313349 EUR, invoice INV-100004, vendor Oficina Pérez [req-7]');
  });

  it('keeps the line short: at most four arguments, long values cut', () => {
    const { summary } = describeEvent('action.requested', { tool: 't', args: { a: 'x'.repeat(60), b: 1, c: true, d: 'd', e: 'never shown' } });
    expect(summary).toBe(`requests t: a ${'x'.repeat(39)}…, b 1, c true, d d`);
  });

  it('says nothing of arguments that are absent or not an object', () => {
    expect(describeEvent('action.requested', { tool: 'read_invoice' }).summary).toBe('requests read_invoice');
    expect(describeEvent('action.requested', { tool: 'read_invoice', args: ['a'] }).summary).toBe('requests read_invoice');
    expect(describeEvent('action.requested', { tool: 'x', args: { currency: 'EUR' } }).summary).toBe('requests x: currency EUR');
  });

  it('names a decision by effect, action, resource and policy', () => {
    const d = describeEvent('policy.decision', {
      request_id: 'r',
      outcome: { effect: 'deny' },
      request: { action: { id: 'pay_invoice' }, resource: { id: 'INV-1' } },
      policy: { name: 'ap', version: '3' },
    });
    expect(d).toEqual({ outcome: 'deny', summary: 'deny pay_invoice INV-1 by ap@3 [r]' });
  });
});
