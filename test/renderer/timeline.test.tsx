// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TimelineQuery } from '../../src/shared/api/audit-api';
import { callsOf, openFakeCase } from './helpers';

describe('timeline', () => {
  it('asks for the buckets of the visible window when zooming and panning, after the first table page', async () => {
    const fake = await openFakeCase({ events: 20_000 });
    await waitFor(() => expect(callsOf(fake, 'getTimeline').length).toBeGreaterThan(0));
    const firstTimeline = fake.calls.findIndex((c) => c.method === 'getTimeline');
    const firstPage = fake.calls.findIndex((c) => c.method === 'queryEvents');
    expect(firstPage).toBeLessThan(firstTimeline);
    const whole = callsOf(fake, 'getTimeline').at(-1)![1] as TimelineQuery;
    const toolbar = screen.getByRole('toolbar', { name: 'Timeline controls' });
    fireEvent.click(within(toolbar).getByRole('button', { name: 'Zoom in' }));
    await waitFor(() => expect(callsOf(fake, 'getTimeline').length).toBe(2));
    const zoomed = callsOf(fake, 'getTimeline').at(-1)![1] as TimelineQuery;
    const spanOf = (q: TimelineQuery) => Date.parse(q.toTs!) - Date.parse(q.fromTs!);
    expect(spanOf(zoomed)).toBeCloseTo(spanOf(whole) / 2, -2);
    fireEvent.click(within(toolbar).getByRole('button', { name: 'Pan right' }));
    await waitFor(() => expect(callsOf(fake, 'getTimeline').length).toBe(3));
    const panned = callsOf(fake, 'getTimeline').at(-1)![1] as TimelineQuery;
    expect(Date.parse(panned.fromTs!)).toBeGreaterThan(Date.parse(zoomed.fromTs!));
    expect(spanOf(panned)).toBeCloseTo(spanOf(zoomed), -2);
    fireEvent.click(within(toolbar).getByRole('button', { name: 'Show the whole time range' }));
    await waitFor(() => expect(callsOf(fake, 'getTimeline').at(-1)![1]).toEqual(whole));
  });
});
