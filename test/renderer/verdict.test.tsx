// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/App';
import { sentenceOf } from '../../src/renderer/api';
import { createFakeAuditApi } from './fake-audit-api';
import { callsOf, openFakeCase } from './helpers';

describe('verdict view', () => {
  it('says TAMPERED in words, with the counts and the first point of failure', async () => {
    await openFakeCase({ events: 5000, verdict: 'tampered' });
    const verdict = screen.getByRole('region', { name: /Verdict/ });
    expect(verdict.className).toContain('tone-border-bad');
    expect(within(verdict).getByText('TAMPERED').closest('.verdict-badge')!.className).toContain('verdict-tampered');
    expect(within(verdict).getByRole('group', { name: 'Record: Altered' }).textContent).toContain('event 42 (line 44) cannot be proven');
    expect(within(verdict).getByRole('group', { name: 'Signer: Trusted key' })).toBeTruthy();
    expect(within(verdict).getByRole('group', { name: 'Conduct: Violations' }).textContent).toContain('2 workflow violations');
    const counts = (label: string) => within(verdict).getByText(label).nextElementSibling?.textContent;
    expect(counts('Events')).toBe('5,000');
    expect(counts('Agents')).toBe('4');
    expect(counts('Diverged')).toBe('5');
    expect(counts('Not replayable')).toBe('5');
    expect(counts('Keys')).toBe('ops-2026');
    const failure = within(verdict).getByLabelText('First point of failure');
    expect(failure.textContent).toContain('hash-mismatch');
    expect(failure.textContent).toContain('line 44');
  });

  it('says INTACT, without a failure box, for an intact case', async () => {
    await openFakeCase({ events: 100, verdict: 'intact' });
    const verdict = screen.getByRole('region', { name: /Verdict/ });
    expect(within(verdict).getByText('INTACT').closest('.verdict-badge')!.className).toContain('verdict-intact');
    expect(within(verdict).getByRole('group', { name: 'Record: Consistent' })).toBeTruthy();
    // Intact record, trusted signer, but violations: no green tick over them.
    expect(within(verdict).getByRole('group', { name: 'Conduct: Violations' })).toBeTruthy();
    expect(verdict.className).toContain('tone-border-bad');
    expect(verdict.className).not.toContain('tone-border-ok');
    expect(within(verdict).queryByLabelText('First point of failure')).toBeNull();
  });

  it('jumps from the first point of failure to the broken event and shows its proof', async () => {
    const fake = await openFakeCase({ events: 5000, verdict: 'tampered' });
    fireEvent.click(screen.getByRole('button', { name: 'Show this event' }));
    await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', 42]));
    const inspector = screen.getByRole('region', { name: 'Event inspector' });
    await within(inspector).findByText(/does NOT hash to the recorded hash/);
  });

  it('shows an unproven stretch: the table filtered to it and the inspector saying it is not proven', async () => {
    const fake = await openFakeCase({ events: 5000, verdict: 'tampered' });
    fireEvent.click(screen.getByRole('button', { name: 'Show event 42 (line 44)' }));
    await waitFor(() => expect(callsOf(fake, 'queryEvents').some(([, q]) => (q as { seqFrom?: number }).seqFrom === 42 && (q as { seqTo?: number }).seqTo === 42)).toBe(true));
    const inspector = screen.getByRole('region', { name: 'Event inspector' });
    // The inspector also notes what a proof of this entry can show; the unproven note is the one that says so.
    await waitFor(() =>
      expect(
        within(inspector)
          .getAllByRole('note')
          .some((n) => n.textContent?.includes('Not proven.')),
      ).toBe(true),
    );
    expect(within(screen.getByRole('form', { name: 'Event filters' })).getByRole('status').textContent).toContain('Seq 42–42');
  });

  it('shows an API error as one sentence, never a stack', async () => {
    const fake = createFakeAuditApi({ events: 10 });
    render(<App api={fake} />);
    const button = await screen.findByRole('button', { name: /Open case export\.jsonl/ });
    fake.failNext('The case store on disk could not be opened');
    fireEvent.click(button);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The case store on disk could not be opened.');
    expect(document.body.textContent).not.toContain('secretInternal');
    expect(document.body.textContent).not.toContain('/srv/service.ts');
  });

  it('turns transport errors into sentences', () => {
    expect(sentenceOf(new Error("Error invoking remote method 'case.summary': Error: Line 3 is not JSON\n    at x (y.js:1:1)"))).toBe('Line 3 is not JSON.');
    expect(sentenceOf({})).toBe('The service could not complete the request.');
  });
});

describe('opening an export', () => {
  it('opens a typed path, shows progress with events and time left, and cancels', async () => {
    const fake = createFakeAuditApi({ events: 1000, autoFinish: false, progressDelayMs: 5 });
    render(<App api={fake} />);
    fireEvent.change(screen.getByLabelText('Export file path'), { target: { value: '/data/export.jsonl' } });
    fireEvent.change(screen.getByLabelText('Trust store (optional)'), { target: { value: '/data/trust.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(callsOf(fake, 'openExport')[0]).toEqual([{ exportPath: '/data/export.jsonl', trustPath: '/data/trust.json', policiesPath: null, hmacKeyPath: null }]));
    const job = await screen.findByRole('region', { name: 'Background job' });
    await within(job).findByText(/Checking hashes/);
    expect(job.textContent).toContain('time left 3 s');
    expect(job.textContent).toContain('1,000 events');
    // One job at a time: opening waits until this one ends.
    expect((screen.getByRole('button', { name: 'Open' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Choose export file…' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(job).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(callsOf(fake, 'cancelJob')).toEqual([['job-1']]));
    await screen.findByText(/Cancelled/);
    expect(screen.queryByRole('region', { name: 'Background job' })).toBeNull();
  });

  it('opens the case when the job is done, via the file dialog', async () => {
    const fake = createFakeAuditApi({ events: 1000, picks: { export: '/picked/export.jsonl' } });
    render(<App api={fake} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Choose export file…' }));
    await screen.findByRole('heading', { name: /Verdict/ });
    expect(callsOf(fake, 'openExport')[0]![0]).toMatchObject({ exportPath: '/picked/export.jsonl' });
    expect(callsOf(fake, 'getCaseSummary')).toContainEqual(['case-1']);
  });

  it('remembers a trust store and policy folder per case through setCaseInputs', async () => {
    const fake = await openFakeCase({ events: 1000, picks: { policies: '/new/policies' } });
    fireEvent.click(screen.getByText(/Trust store:/));
    fireEvent.click(screen.getByRole('button', { name: 'Choose a policy folder for this case' }));
    await waitFor(() => expect((screen.getByLabelText('Policy folder for this case') as HTMLInputElement).value).toBe('/new/policies'));
    fireEvent.click(screen.getByRole('button', { name: 'Re-verify with these' }));
    await waitFor(() => expect(callsOf(fake, 'setCaseInputs')).toEqual([['case-1', { trustPath: '/cases/trust.json', policiesPath: '/new/policies' }]]));
    await waitFor(() => expect(screen.getByText('/new/policies', { selector: 'summary .mono' })).toBeTruthy());
  });

  it('says the notes came along when the case is re-examined with other inputs', async () => {
    const fake = await openFakeCase({ events: 1000, picks: { policies: '/new/policies' } });
    await fake.addNote('case-1', { target: { kind: 'case' }, text: 'Seen.', tags: [], author: 'alice' });
    await fake.addNote('case-1', { target: { kind: 'event', index: 3 }, text: 'Odd.', tags: [], author: 'alice' });
    const notes = screen.getByRole('region', { name: 'Reviewer notes' });
    expect(within(notes).queryByRole('status')).toBeNull();
    fireEvent.click(screen.getByText(/Trust store:/));
    fireEvent.click(screen.getByRole('button', { name: 'Choose a policy folder for this case' }));
    await waitFor(() => expect((screen.getByLabelText('Policy folder for this case') as HTMLInputElement).value).toBe('/new/policies'));
    fireEvent.click(screen.getByRole('button', { name: 'Re-verify with these' }));
    const status = await within(screen.getByRole('region', { name: 'Reviewer notes' })).findByRole('status');
    expect(status.textContent).toBe('2 notes carried over, with their history, from the earlier review of this export with other inputs.');
  });
});
