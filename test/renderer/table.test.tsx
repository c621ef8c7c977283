// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EventQuery } from '../../src/shared/api/audit-api';
import { callsOf, openFakeCase } from './helpers';

const lastQuery = (fake: Awaited<ReturnType<typeof openFakeCase>>) => callsOf(fake, 'queryEvents').at(-1)![1] as EventQuery;

describe('event table on a million events', () => {
  it('renders only a window of rows and asks for pages, never all rows', async () => {
    const fake = await openFakeCase({ events: 1_000_000 });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await within(grid).findByText('action.requested', { selector: '[data-index="0"] span' });
    expect(grid.getAttribute('aria-rowcount')).toBe('1000001');
    expect(within(grid).getAllByRole('row').length).toBeLessThan(60);
    for (const [, q] of callsOf(fake, 'queryEvents')) expect((q as EventQuery).limit).toBeLessThanOrEqual(200);
    expect(screen.getByText(/1,000,000 events/)).toBeTruthy();
  });

  it('moves with the keyboard and inspects with Enter', async () => {
    const fake = await openFakeCase({ events: 1_000_000 });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await within(grid).findAllByRole('row');
    grid.focus();
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowUp' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('event-pos-1');
    fireEvent.keyDown(grid, { key: 'PageDown' });
    const afterPage = Number(grid.getAttribute('aria-activedescendant')!.replace('event-pos-', ''));
    expect(afterPage).toBeGreaterThan(5);
    fireEvent.keyDown(grid, { key: 'PageUp' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('event-pos-1');
    fireEvent.keyDown(grid, { key: 'Enter' });
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 1]));

    fireEvent.keyDown(grid, { key: 'End' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('event-pos-999999');
    // The last page is fetched by offset, not by reading everything before it.
    await waitFor(() => expect(callsOf(fake, 'queryEvents').some(([, q]) => (q as EventQuery).offset === 999_800)).toBe(true));
    await within(grid).findByText('999999');
    fireEvent.keyDown(grid, { key: 'Enter' });
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 999_999]));
    fireEvent.keyDown(grid, { key: 'Home' });
    expect(grid.getAttribute('aria-activedescendant')).toBe('event-pos-0');
  });

  it('sends each filter to queryEvents as the matching query member', async () => {
    const fake = await openFakeCase({ events: 20_000 });
    const filters = screen.getByRole('form', { name: 'Event filters' });
    fireEvent.change(within(filters).getByLabelText('Agent'), { target: { value: 'hr-agent' } });
    await waitFor(() => expect(lastQuery(fake)).toEqual({ agent: 'hr-agent', offset: 0, limit: 200 }));
    fireEvent.change(within(filters).getByLabelText('Outcome'), { target: { value: 'deny' } });
    await waitFor(() => expect(lastQuery(fake)).toEqual({ agent: 'hr-agent', outcome: 'deny', offset: 0, limit: 200 }));
    fireEvent.change(within(filters).getByLabelText('Kind'), { target: { value: 'policy.decision' } });
    fireEvent.change(within(filters).getByLabelText('Finding'), { target: { value: '*' } });
    fireEvent.click(within(filters).getByLabelText('Diverged on replay'));
    fireEvent.change(within(filters).getByLabelText('From'), { target: { value: '2026-11-25T03:00:00Z' } });
    fireEvent.change(within(filters).getByLabelText('To'), { target: { value: '2026-11-25T04:00:00Z' } });
    fireEvent.change(within(filters).getByLabelText('Text'), { target: { value: 'REQ-7' } });
    await waitFor(() =>
      expect(lastQuery(fake)).toEqual({
        agent: 'hr-agent',
        outcome: 'deny',
        kind: 'policy.decision',
        finding: '*',
        diverged: true,
        fromTs: '2026-11-25T03:00:00Z',
        toTs: '2026-11-25T04:00:00Z',
        text: 'REQ-7',
        offset: 0,
        limit: 200,
      }),
    );
    await screen.findByText(/0 events match these filters/);
    fireEvent.click(within(filters).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(lastQuery(fake)).toEqual({ offset: 0, limit: 200 }));
  });

  it('shows only the rows the filter returns', async () => {
    const fake = await openFakeCase({ events: 20_000 });
    fireEvent.change(screen.getByLabelText('Outcome'), { target: { value: 'deny' } });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await waitFor(() => expect(within(grid).getAllByText('deny').length).toBeGreaterThan(5));
    expect(within(grid).queryByText('allow')).toBeNull();
    const total = (await fake.queryEvents('case-1', { offset: 0, limit: 1, outcome: 'deny' })).total;
    expect(screen.getByText(`${total.toLocaleString('en-US')} events`)).toBeTruthy();
  });

  it('filters the table to a time span chosen on the timeline', async () => {
    const fake = await openFakeCase({ events: 20_000 });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Filter the table to the visible time range' }));
    });
    await waitFor(() => expect(lastQuery(fake)).toMatchObject({ fromTs: '2026-11-25T03:00:00.000Z', toTs: '2026-11-25T04:23:19.750Z' }));
    expect((screen.getByLabelText('From') as HTMLInputElement).value).toBe('2026-11-25T03:00:00.000Z');
  });
});
