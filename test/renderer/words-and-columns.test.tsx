// @vitest-environment jsdom
/** The desk's plain words for the service's command-line sentences, and the table's resizable columns. */
import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Plain } from '../../src/renderer/plain-words';
import { openFakeCase } from './helpers';

describe('plain words', () => {
  it('turns flag names and hash terms into words, keeping each term in a tooltip and the rest of the sentence as text', () => {
    const { container } = render(
      <p>
        <Plain text="no HMAC secret was given (--hmac-key-file), so the HMACs were not checked; the chain starts at its genesis and the head hash is <b>x</b>" />
      </p>,
    );
    const text = container.textContent!;
    expect(text).toBe(
      'no HMAC secret was given (the HMAC key file field), so the HMACs were not checked; the chain starts at its agreed starting value and the fingerprint of the last event is <b>x</b>',
    );
    expect([...container.querySelectorAll('abbr')].map((a) => a.getAttribute('title'))).toEqual(['--hmac-key-file on the command line', 'genesis', 'head hash']);
    // Export text stays text.
    expect(container.querySelector('b')).toBeNull();
  });
});

describe('table columns', () => {
  it('widens a column from its resize handle with the arrow keys, without moving the row cursor', async () => {
    await openFakeCase({ events: 500 });
    const grid = screen.getByRole('grid', { name: 'Events' });
    await within(grid).findByText('action.requested', { selector: '[data-index="0"] span' });
    expect(
      within(grid)
        .getAllByRole('columnheader')
        .map((h) => h.textContent),
    ).toEqual(['Seq', 'Line', 'Time (UTC)', 'Actor', 'Kind', 'Outcome', 'Replay', 'Finding', 'Summary']);
    const handle = within(grid).getByRole('separator', { name: 'Resize the Summary column' });
    const before = Number(handle.getAttribute('aria-valuenow'));
    fireEvent.keyDown(handle, { key: 'ArrowRight' });
    fireEvent.keyDown(handle, { key: 'ArrowRight' });
    expect(Number(handle.getAttribute('aria-valuenow'))).toBe(before + 32);
    expect(grid.style.getPropertyValue('--table-cols')).toContain(`minmax(${before + 32}px, 1fr)`);
    expect(grid.getAttribute('aria-activedescendant')).toBe('event-pos-0');
    const seq = within(grid).getByRole('separator', { name: 'Resize the Seq column' });
    for (let i = 0; i < 10; i++) fireEvent.keyDown(seq, { key: 'ArrowLeft' });
    // Never narrower than 40 px.
    expect(seq.getAttribute('aria-valuenow')).toBe('40');
    expect(grid.style.getPropertyValue('--table-cols').startsWith('40px ')).toBe(true);
  });
});
