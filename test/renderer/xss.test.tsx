// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { XSS_ACTOR, XSS_INDEX, XSS_SUMMARY } from './fake-audit-api';
import { callsOf, openFakeCase } from './helpers';

describe('export content is data', () => {
  it('renders an <img onerror> summary and a javascript: actor as text, in the table and the inspector', async () => {
    const fake = await openFakeCase({ events: 1000 });
    const grid = screen.getByRole('grid', { name: 'Events' });
    const cell = await within(grid).findByText(XSS_SUMMARY);
    expect(cell.children).toHaveLength(0);
    expect(within(grid).getByText(XSS_ACTOR)).toBeTruthy();
    fireEvent.click(cell);
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', XSS_INDEX]));
    const inspector = screen.getByRole('region', { name: 'Event inspector' });
    await waitFor(() => expect(within(inspector).getByLabelText('Raw line').textContent).toContain('<img src=x onerror='));
    expect(document.querySelectorAll('img')).toHaveLength(0);
    for (const el of document.querySelectorAll('[href], [src]')) {
      expect(el.getAttribute('href') ?? el.getAttribute('src')).not.toMatch(/javascript:|onerror/);
    }
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });
});
