// @vitest-environment jsdom
/** The desk's sequence and conduct findings: badged by severity, with "Involves" links that select the related event by seq. */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { callsOf, openFakeCase } from './helpers';

describe('conduct findings in the Sequence findings tab', () => {
  it('badges a violation and a warning, and selects each related event', async () => {
    const fake = await openFakeCase({ events: 5000 });
    fireEvent.click(await screen.findByRole('tab', { name: /Sequence findings \(3\)/ }));
    const panel = screen.getByRole('tabpanel');
    const deny = within(panel).getByRole('listitem', { name: 'executed-after-deny at seq 24' });
    expect(deny.querySelector('.sev-badge')!.textContent).toBe('Violation');
    expect(deny.querySelector('.involves')!.textContent).toBe('Involves: seq 22');
    const warning = within(panel).getByRole('listitem', { name: 'killswitch-ineffective at seq 30' });
    expect(warning.querySelector('.sev-badge')!.textContent).toBe('Warning');
    // No related event, no "Involves" line.
    expect(within(panel).getByRole('listitem', { name: 'executed-without-decision at seq 14' }).querySelector('.involves')).toBeNull();
    fireEvent.click(within(deny).getByRole('button', { name: 'Select related event seq 22' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 22]));
    fireEvent.click(within(warning).getByRole('button', { name: 'Select related event seq 33' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 33]));
  });

  it('counts violations and warnings apart in the verdict panel', async () => {
    await openFakeCase({ events: 5000 });
    const verdict = await screen.findByRole('region', { name: /Verdict/ });
    expect(within(verdict).getByText('Workflow findings').nextElementSibling!.textContent).toBe('2 violations, 1 warning');
    expect(within(verdict).getByRole('group', { name: 'Conduct: Violations' }).textContent).toContain('2 workflow violations, 1 warning');
  });
});
