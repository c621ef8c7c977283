// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { callsOf, openFakeCase } from './helpers';
import { FAKE_FORK_SEQ, XSS_POLICY, XSS_SUMMARY } from './fake-audit-api';

const panel = () => screen.getByRole('region', { name: /What if/ });

async function runTyped(folder = '/reviews/policies-v9') {
  fireEvent.change(within(panel()).getByLabelText(/Policy bundle folder/), { target: { value: folder } });
  fireEvent.click(within(panel()).getByRole('button', { name: 'Run what-if' }));
}

afterEach(() => {
  delete window.auditHost;
});

describe('what-if in the desk', () => {
  it('runs on the typed folder and says how many decisions would change, by transition, in one sentence', async () => {
    const fake = await openFakeCase({ events: 5000 });
    await runTyped();
    const sentence = await within(panel()).findByText(/decisions would change/);
    expect(callsOf(fake, 'whatIf')).toEqual([['case-1', '/reviews/policies-v9']]);
    const m = /^(\d+) of (\d+) decisions would change: (\d+) allow → deny, (\d+) deny → allow\.$/.exec(sentence.textContent!);
    expect(m).not.toBeNull();
    const [changed, evaluated, toDeny, toAllow] = m!.slice(1).map(Number);
    expect(toDeny! + toAllow!).toBe(changed);
    expect(changed).toBeLessThan(evaluated!);
    // One group per transition, its count in the summary; opening it lists the decisions (at most 50 at first).
    const groups = [...panel().querySelectorAll('details.what-if-group > summary')].map((s) => s.textContent);
    expect(groups).toEqual([`allow → deny · ${toDeny} decisions`, `deny → allow · ${toAllow} decisions`]);
    const table = within(panel()).getByRole('table', { name: 'Decisions that would change: allow → deny' });
    expect(within(table).getAllByRole('row').length - 1).toBe(Math.min(50, toDeny!));
  });

  it('each changed decision is a link that selects its event', async () => {
    const fake = await openFakeCase({ events: 5000 });
    await runTyped();
    await within(panel()).findByText(/decisions would change/);
    const table = within(panel()).getByRole('table', { name: 'Decisions that would change: allow → deny' });
    const link = within(table).getAllByRole('button', { name: /^Go to the decision at seq \d+$/ })[1]!;
    const seq = Number(/seq (\d+)/.exec(link.getAttribute('aria-label')!)![1]);
    expect(fake.rowAt(seq).kind).toBe('policy.decision');
    fireEvent.click(link);
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', seq]));
  });

  it('groups by policy, and shows ids from the export as text, never markup', async () => {
    await openFakeCase({ events: 5000 });
    await runTyped();
    await within(panel()).findByText(/decisions would change/);
    expect(panel().textContent).toContain(XSS_SUMMARY);
    fireEvent.click(within(panel()).getByRole('radio', { name: 'by policy' }));
    const labels = [...panel().querySelectorAll('details.what-if-group > summary .mono')].map((s) => s.textContent);
    expect(labels).toContain(XSS_POLICY);
    expect(labels).toContain('ap.pay.small');
    expect(panel().querySelector('img, b[onmouseover]')).toBeNull();
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });

  it('shows progress by events and can be cancelled', async () => {
    const fake = await openFakeCase({ events: 5000, autoFinish: false });
    await runTyped();
    const bar = await screen.findByRole('region', { name: 'What-if progress' });
    await waitFor(() => expect(bar.textContent).toContain('500 of 1,000 events'));
    fireEvent.click(within(bar).getByRole('button', { name: 'Cancel' }));
    await within(panel()).findByText('Cancelled; nothing in the case was changed.');
    expect(callsOf(fake, 'cancelJob')).toHaveLength(1);
    expect(callsOf(fake, 'getWhatIfResult')).toHaveLength(0);
  });

  it('in the desktop app asks the app for the folder: the call names no path', async () => {
    window.auditHost = { pathForFile: () => '' };
    const fake = await openFakeCase({ events: 5000, picks: { policies: '/picked/in/the/dialog' } });
    expect(within(panel()).queryByLabelText(/Policy bundle folder/)).toBeNull();
    fireEvent.click(within(panel()).getByRole('button', { name: 'Choose a policy bundle and run…' }));
    await within(panel()).findByText(/decisions would change/);
    expect(callsOf(fake, 'whatIf')).toEqual([['case-1', null]]);
    expect(panel().textContent).toContain('/picked/in/the/dialog');
  });

  it('a dialog cancelled in the desktop app runs nothing and says so', async () => {
    window.auditHost = { pathForFile: () => '' };
    const fake = await openFakeCase({ events: 5000 });
    fireEvent.click(within(panel()).getByRole('button', { name: 'Choose a policy bundle and run…' }));
    expect((await within(panel()).findByRole('alert')).textContent).toBe('No policy bundle was chosen; nothing was run.');
    expect(callsOf(fake, 'getWhatIfResult')).toHaveLength(0);
  });
});

describe('compare with an earlier export', () => {
  const compare = (file: string) => {
    fireEvent.change(within(panel()).getByLabelText('Earlier export file'), { target: { value: file } });
    fireEvent.click(within(panel()).getByRole('button', { name: 'Compare' }));
  };

  it('an altered earlier export: in words, the technical statement in a tooltip, a link to where they part', async () => {
    const fake = await openFakeCase({ events: 5000, verdict: 'intact' });
    compare('/reviews/march-tampered.jsonl');
    const answer = await within(panel()).findByRole('status', { name: 'Comparison with the earlier export' });
    expect(callsOf(fake, 'compareExport')).toEqual([['case-1', '/reviews/march-tampered.jsonl']]);
    const title = within(answer).getByText('The earlier export was altered');
    expect(title.getAttribute('title')).toMatch(/fork at seq 40/);
    expect(answer.textContent).toContain(`History was rewritten: the two files agree up to the event before seq ${FAKE_FORK_SEQ}`);
    expect(answer.textContent).toContain('The earlier export does not verify on its own (tampered)');
    fireEvent.click(within(answer).getByRole('button', { name: `Go to seq ${FAKE_FORK_SEQ}, where the two exports part` }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', FAKE_FORK_SEQ]));
  });

  it('an earlier export carried on unchanged', async () => {
    await openFakeCase({ events: 5000 });
    compare('/reviews/march.jsonl');
    const answer = await within(panel()).findByRole('status', { name: 'Comparison with the earlier export' });
    expect(within(answer).getByText('Carries the earlier export on, unchanged')).toBeTruthy();
    expect(answer.textContent).toContain('Every one of the 500 events in the earlier export march.jsonl is still here, unchanged and in the same order; 4,500 events were added after them.');
    expect(within(answer).queryByRole('button', { name: /Go to seq/ })).toBeNull();
  });

  it('a failure is one sentence', async () => {
    await openFakeCase({ events: 5000 });
    compare('/reviews/gone.jsonl');
    expect((await within(panel()).findByRole('alert')).textContent).toBe('/reviews/gone.jsonl: no such file.');
  });
});
