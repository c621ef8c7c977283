// @vitest-environment jsdom
/** The opening form: inputs before the export, inputs remembered per export, the sample on first start, no file dialog where the shell has none. */
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/App';
import type { CaseRef } from '../../src/shared/api/audit-api';
import { createFakeAuditApi } from './fake-audit-api';
import { callsOf } from './helpers';

const SAMPLE = { exportPath: '/app/sample/export.jsonl', trustPath: '/app/sample/trust.json', policiesPath: '/app/sample/policies', hmacKeyPath: null };

function earlierCase(over: Partial<CaseRef>): CaseRef {
  return {
    caseId: 'c-1',
    exportName: 'export.jsonl',
    exportPath: '/data/export.jsonl',
    verdict: 'intact',
    events: 10,
    openedAt: '2026-11-25T04:00:00.000Z',
    trustPath: '/keys/trust.json',
    policiesPath: '/pol',
    ...over,
  };
}

describe('the opening form', () => {
  it('asks what to check against before the export, and explains a trust store and a policy folder', async () => {
    render(<App api={createFakeAuditApi({ events: 10 })} />);
    const choose = await screen.findByRole('button', { name: 'Choose export file…' });
    const trust = screen.getByLabelText('Trust store (optional)');
    // The trust store field comes first in the page, so a newcomer fills it before the dialog opens the export.
    expect(trust.compareDocumentPosition(choose) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByRole('group', { name: '1. What to check it against' })).toBeTruthy();
    expect(screen.getByText('What are these?').closest('details')!.textContent).toMatch(/lists the signing keys you accept.*Cedar policy bundles/s);
  });

  it('fills in the trust store and policies an export was last opened with, and opens with them', async () => {
    const fake = createFakeAuditApi({ events: 10, recent: [earlierCase({})] });
    render(<App api={fake} />);
    await screen.findByRole('list', { name: 'Recent cases' });
    fireEvent.change(screen.getByLabelText('Export file path'), { target: { value: '/data/export.jsonl' } });
    expect((screen.getByLabelText('Trust store (optional)') as HTMLInputElement).value).toBe('/keys/trust.json');
    expect((screen.getByLabelText('Policy folder (optional)') as HTMLInputElement).value).toBe('/pol');
    expect(screen.getByRole('status').textContent).toMatch(/filled in from the last time this export was opened/);
    fireEvent.click(screen.getByRole('button', { name: 'Open' }));
    await waitFor(() => expect(callsOf(fake, 'openExport')[0]).toEqual([{ exportPath: '/data/export.jsonl', trustPath: '/keys/trust.json', policiesPath: '/pol', hmacKeyPath: null }]));
  });

  it('does not override inputs the reviewer named, nor fill them for another export', async () => {
    const fake = createFakeAuditApi({ events: 10, recent: [earlierCase({})], picks: { export: '/data/export.jsonl' } });
    render(<App api={fake} />);
    await screen.findByRole('list', { name: 'Recent cases' });
    fireEvent.change(screen.getByLabelText('Export file path'), { target: { value: '/data/other.jsonl' } });
    expect((screen.getByLabelText('Trust store (optional)') as HTMLInputElement).value).toBe('');
    fireEvent.change(screen.getByLabelText('Trust store (optional)'), { target: { value: '/mine/trust.json' } });
    fireEvent.click(screen.getByRole('button', { name: 'Choose export file…' }));
    await waitFor(() => expect(callsOf(fake, 'openExport')[0]).toEqual([{ exportPath: '/data/export.jsonl', trustPath: '/mine/trust.json', policiesPath: null, hmacKeyPath: null }]));
  });

  it('offers the bundled sample on first start and opens it with its trust store and policies', async () => {
    const fake = createFakeAuditApi({ events: 10, recent: [], desk: { sample: SAMPLE } });
    render(<App api={fake} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Open the sample' }));
    await waitFor(() => expect(callsOf(fake, 'openExport')[0]).toEqual([SAMPLE]));
  });

  it('offers no sample once there are cases, and none when the install has no sample', async () => {
    const withCases = createFakeAuditApi({ events: 10, desk: { sample: SAMPLE } });
    const { unmount } = render(<App api={withCases} />);
    await screen.findByRole('list', { name: 'Recent cases' });
    expect(screen.queryByRole('button', { name: 'Open the sample' })).toBeNull();
    unmount();
    render(<App api={createFakeAuditApi({ events: 10, recent: [] })} />);
    await screen.findByText('No cases yet.');
    await waitFor(() => expect(screen.queryByText(/New here\?/)).toBeNull());
    expect(screen.queryByRole('button', { name: 'Open the sample' })).toBeNull();
  });

  it('offers no "Choose…" where the shell has no file dialog (a served desk in a browser)', async () => {
    const fake = createFakeAuditApi({ events: 10, desk: { canPickFiles: false } });
    render(<App api={fake} />);
    await screen.findByText(/then type the export's path/);
    expect(screen.queryByRole('button', { name: 'Choose export file…' })).toBeNull();
    expect(screen.queryByRole('button', { name: /^Choose/ })).toBeNull();
    expect(screen.getByLabelText('Export file path')).toBeTruthy();
  });
});
