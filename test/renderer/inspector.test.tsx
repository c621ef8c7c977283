// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TAMPERED_INDEX } from './fake-audit-api';
import { callsOf, openFakeCase } from './helpers';

async function inspect(index: number, options = {}) {
  const fake = await openFakeCase({ events: 5000, ...options });
  const grid = screen.getByRole('grid', { name: 'Events' });
  if (index < 14) {
    fireEvent.click(await within(grid).findByText(String(index), { selector: `[data-index="${index}"] span` }));
  } else {
    fireEvent.click(screen.getByRole('button', { name: 'Show this event' }));
  }
  await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', index]));
  const inspector = screen.getByRole('region', { name: 'Event inspector' });
  await within(inspector).findByText(/Event seq/);
  return { fake, inspector };
}

describe('inspector', () => {
  it('shows every Merkle inclusion step with its side, sibling and result', async () => {
    const { fake, inspector } = await inspect(5);
    const proof = await fake.getEventProof('case-1', 5);
    const steps = within(inspector).getByRole('table', { name: 'Merkle inclusion steps' });
    const rows = within(steps).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(proof.inclusion.length);
    proof.inclusion.forEach((step, i) => {
      const cells = within(rows[i]!)
        .getAllByRole('cell')
        .map((c) => c.textContent);
      expect(cells).toEqual([String(i + 1), step.side, step.sibling, step.result]);
    });
    expect(within(inspector).getByText(/equals the signed Merkle root/)).toBeTruthy();
    expect(within(inspector).getByText(proof.checkpoint!.merkleRoot, { selector: 'dd' })).toBeTruthy();
  });

  it('shows the raw line, canonical bytes, both hashes, the link and the unauthenticated fields', async () => {
    const { fake, inspector } = await inspect(5);
    const proof = await fake.getEventProof('case-1', 5);
    expect(within(inspector).getByLabelText('Raw line').textContent).toBe(proof.raw);
    expect(within(inspector).getByLabelText('Canonical bytes').textContent).toBe(proof.canonical);
    expect(within(inspector).getAllByText(proof.recordedHash).length).toBeGreaterThanOrEqual(2);
    expect(within(inspector).getByText(/prev_hash is the hash of the event before/)).toBeTruthy();
    const unauth = within(inspector).getByRole('list', { name: 'Fields not covered by the hash' });
    expect(unauth.textContent).toContain('unauthenticated');
    expect(unauth.textContent).toContain('data.note');
    expect(unauth.textContent).toContain('reviewed');
    fireEvent.click(within(inspector).getByRole('button', { name: 'Inspect the previous event' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 4]));
  });

  it('shows a recomputed hash that differs from the recorded one, in words', async () => {
    const { fake, inspector } = await inspect(TAMPERED_INDEX, { verdict: 'tampered' });
    const proof = await fake.getEventProof('case-1', TAMPERED_INDEX);
    expect(proof.hashMatches).toBe(false);
    expect(within(inspector).getByText(/does NOT hash to the recorded hash/)).toBeTruthy();
    expect(within(inspector).getByText(proof.recomputedHash).className).toContain('mismatch');
    expect(within(inspector).getByText(/steps do NOT reach the signed Merkle root/)).toBeTruthy();
    expect(within(inspector).getByRole('list', { name: 'Findings on this event' }).textContent).toContain('hash-mismatch');
  });
});
