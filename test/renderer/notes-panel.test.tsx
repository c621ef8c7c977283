// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { callsOf, openFakeCase } from './helpers';

describe('Notes panel and Export report', () => {
  it('adds a tagged note on the case, edits it into a second version and shows the history', async () => {
    const fake = await openFakeCase({ events: 500 });
    const panel = await screen.findByRole('region', { name: 'Reviewer notes' });
    const form = within(panel).getByRole('form', { name: 'Add a note' });
    fireEvent.change(within(form).getByLabelText('Note text'), { target: { value: '<img src=x onerror="window.__xss=9">' } });
    fireEvent.click(within(form).getByLabelText('needs follow-up'));
    fireEvent.change(within(form).getByLabelText('Author'), { target: { value: 'alice' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Add note' }));
    const note = await within(panel).findByRole('listitem', { name: 'Note 1' });
    expect(callsOf(fake, 'addNote')[0][1]).toEqual({ target: { kind: 'case' }, text: '<img src=x onerror="window.__xss=9">', tags: ['needs follow-up'], author: 'alice' });
    // Shown as text, never as markup.
    expect(within(note).getByText('<img src=x onerror="window.__xss=9">')).toBeTruthy();
    expect(note.querySelector('img')).toBeNull();
    // The time reads as the reviewer's local time, not the stored ISO text (kept in dateTime and the tooltip).
    const time = note.querySelector('time')!;
    expect(time.getAttribute('dateTime')).toBe('2026-11-25T05:00:00.000Z');
    expect(time.getAttribute('title')).toBe('2026-11-25T05:00:00.000Z');
    expect(time.textContent).toBe(new Date('2026-11-25T05:00:00.000Z').toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
    expect(time.textContent).not.toContain('T05:00');
    expect(within(panel).queryByText(/\b1 notes\b/)).toBeNull();

    fireEvent.click(within(note).getByRole('button', { name: 'Edit' }));
    fireEvent.change(within(note).getByLabelText('Edit note 1'), { target: { value: 'False alarm after all.' } });
    fireEvent.click(within(note).getByRole('button', { name: 'Save as version 2' }));
    await waitFor(() => expect(callsOf(fake, 'editNote')).toHaveLength(1));
    // The note is drawn anew (keyed by version) once the second version is back from the API:
    // wait for that, then read the new item, not the one the edit started in.
    const historyButton = await within(panel).findByRole('button', { name: /History \(2 versions\)/ });
    const edited = within(panel).getByRole('listitem', { name: 'Note 1' });
    expect(edited.contains(historyButton)).toBe(true);
    fireEvent.click(historyButton);
    expect(within(edited).queryByRole('textbox')).toBeNull();
    expect(within(edited).getByText('False alarm after all.')).toBeTruthy();
    const history = within(edited).getByRole('list', { name: 'History of note 1' });
    expect(history.textContent).toMatch(/v1 · alice[\s\S]*<img src=x[\s\S]*v2 · alice[\s\S]*False alarm after all\./);
  });

  it('exports the report through the API and says where it went (or that it was not saved)', async () => {
    const fake = await openFakeCase({ events: 500 });
    const group = await screen.findByRole('group', { name: 'Evidence report' });
    fireEvent.change(within(group).getByLabelText('Report format'), { target: { value: 'html' } });
    fireEvent.click(within(group).getByRole('button', { name: 'Export report' }));
    await within(group).findByRole('status');
    expect(callsOf(fake, 'exportReport')[0]).toEqual(['case-1', 'html', undefined]);
    expect(within(group).getByRole('status').textContent).toBe('Not saved.');
  });
});
