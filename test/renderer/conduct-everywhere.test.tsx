// @vitest-environment jsdom
/** Workflow and conduct findings outside their tab: on the timeline's Findings row, in the table (column and filter), in the inspector with links to their related events. */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { callsOf, openFakeCase } from './helpers';

describe('conduct findings everywhere', () => {
  it('puts each violation and warning on the timeline Findings row as a named button that selects its event', async () => {
    const fake = await openFakeCase({ events: 200 });
    const timeline = screen.getByRole('region', { name: 'Timeline' });
    const deny = await within(timeline).findByRole('button', { name: /^Violation executed-after-deny at seq 24, / });
    expect(within(timeline).getByRole('button', { name: /^Warning killswitch-ineffective at seq 30, / })).toBeTruthy();
    expect(deny.getAttribute('class')).toContain('marker-finding');
    fireEvent.click(deny);
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 24]));
  });

  it('filters the table by conduct kind, shows the kind in the Finding column, and the inspector links the related events', async () => {
    const fake = await openFakeCase({ events: 200 });
    const filters = screen.getByRole('form', { name: 'Event filters' });
    const finding = within(filters).getByLabelText('Finding') as HTMLSelectElement;
    await waitFor(() =>
      expect([...finding.querySelectorAll('optgroup[label="Workflow and conduct"] option')].map((o) => o.textContent)).toEqual([
        'executed-after-deny',
        'executed-without-decision',
        'killswitch-ineffective',
      ]),
    );
    fireEvent.change(finding, { target: { value: 'conduct:executed-after-deny' } });
    const table = screen.getByRole('region', { name: 'Event table' });
    await waitFor(() => expect(table.querySelector('.table-status')!.textContent).toMatch(/^1 event\b/));
    const rows = within(table)
      .getAllByRole('row')
      .filter((r) => r.dataset.index !== undefined);
    expect(rows.map((r) => r.dataset.index)).toEqual(['24']);
    const cells = within(rows[0]!).getAllByRole('gridcell');
    expect(cells[7]!.textContent).toBe('executed-after-deny');
    expect(cells[7]!.getAttribute('title')).toBe('executed-after-deny');

    // Combined with another filter, the service's meaning of that filter holds: no event 24 is by this agent.
    fireEvent.change(within(filters).getByLabelText('Outcome'), { target: { value: 'allow' } });
    await waitFor(() => expect(table.querySelector('.table-status')!.textContent).toMatch(/^0 events match/));
    fireEvent.change(within(filters).getByLabelText('Outcome'), { target: { value: '' } });
    await waitFor(() => expect(table.querySelector('.table-status')!.textContent).toMatch(/^1 event\b/));

    fireEvent.click(
      within(table)
        .getAllByRole('row')
        .find((r) => r.dataset.index === '24')!,
    );
    const inspector = screen.getByRole('region', { name: 'Event inspector' });
    const list = await within(inspector).findByRole('list', { name: 'Workflow and conduct findings on this event' });
    expect(list.textContent).toContain('Violation');
    expect(list.textContent).toContain('executed-after-deny: The action of request REQ-4 was executed after it was denied.');
    const related = within(list).getByRole('button', { name: 'Select related event seq 22' });
    related.focus();
    fireEvent.click(related);
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 22]));
    await within(inspector).findByRole('heading', { name: /^Event seq 22/ });
    // The link went with the old proof; focus stays in the inspector, on its heading.
    expect(document.activeElement).toBe(within(inspector).getByRole('heading', { name: /^Event seq 22/ }));
  });
});
