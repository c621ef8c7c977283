// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { callsOf, openFakeCase } from './helpers';

describe('findings and divergences', () => {
  it('shows a divergence with recorded and replayed side by side, the determining policies and their text', async () => {
    const fake = await openFakeCase({ events: 5000 });
    fireEvent.click(await screen.findByRole('tab', { name: /Divergences \(5\)/ }));
    const card = screen.getByRole('article', { name: 'Divergence of decision DEC-6' });
    const table = within(card).getByRole('table', { name: /Recorded and replayed outcome/ });
    const effect = within(table).getByRole('rowheader', { name: 'effect' }).parentElement!;
    expect([...effect.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['allow', 'deny']);
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Field', 'Recorded', 'Replayed']);
    expect(within(card).getByLabelText('Policy text of ap.limit').textContent).toContain('forbid (principal, action == Action::"pay_invoice"');
    expect(card.textContent).toContain('replaying the pinned policy denies it');
    fireEvent.click(within(card).getByRole('button', { name: 'Go to event seq 6' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 6]));
  });

  it('explains each finding in words and jumps to its event by line', async () => {
    const fake = await openFakeCase({ events: 5000, verdict: 'tampered' });
    const lists = screen.getByRole('region', { name: 'Findings and divergences' });
    const entries = await within(lists).findAllByRole('listitem');
    expect(entries[0]!.textContent).toContain('Integrity failure');
    expect(entries[0]!.textContent).toContain('does not hash to its recorded hash');
    expect(entries[1]!.textContent).toContain('Warning');
    fireEvent.click(within(entries[1]!).getByRole('button', { name: 'Go to event seq 120' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 120]));
  });

  it('lists sequence findings and jumps to them', async () => {
    const fake = await openFakeCase({ events: 5000 });
    fireEvent.click(await screen.findByRole('tab', { name: /Sequence findings \(3\)/ }));
    const panel = screen.getByRole('tabpanel');
    expect(panel.textContent).toContain('executed after it was denied');
    // Each button names its event, so a screen reader's list of buttons tells them apart.
    expect(
      within(panel)
        .getAllByRole('button', { name: /^Go to event/ })
        .map((b) => b.getAttribute('aria-label')),
    ).toEqual(['Go to event seq 14', 'Go to event seq 24', 'Go to event seq 30']);
    fireEvent.click(within(panel).getByRole('button', { name: 'Go to event seq 24' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 24]));
  });

  it('selects an event from a timeline marker', async () => {
    const fake = await openFakeCase({ events: 5000, verdict: 'tampered' });
    const marker = await screen.findByRole('button', { name: /^Finding at seq 42/ });
    fireEvent.click(marker);
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 42]));
  });
});
