// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../src/renderer/App';
import { createFakeAuditApi } from './fake-audit-api';
import { callsOf } from './helpers';

describe('an interrupted ingest in the recent list', () => {
  it('is marked as interrupted, with no verdict, and opens the export again', async () => {
    const fake = createFakeAuditApi({ events: 100 });
    const complete = await fake.listRecentCases();
    fake.listRecentCases = async () => [
      { caseId: 'gone-1', exportName: 'big.jsonl', exportPath: '/exports/big.jsonl', verdict: null, events: 0, openedAt: '2026-11-25T05:00:00.000Z', interrupted: true },
      ...complete,
    ];
    render(<App api={fake} />);
    const again = await screen.findByRole('button', { name: 'Open big.jsonl again: its last ingest was interrupted' });
    expect(again.textContent).toContain('Interrupted');
    expect(again.textContent).toContain('no half case was kept');
    expect(again.textContent).not.toMatch(/INTACT|TAMPERED/);
    fireEvent.click(again);
    await waitFor(() => expect(callsOf(fake, 'openExport').at(-1)).toEqual([expect.objectContaining({ exportPath: '/exports/big.jsonl' })]));
  });
});
