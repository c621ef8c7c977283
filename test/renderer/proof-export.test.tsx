// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { callsOf, openFakeCase } from './helpers';
import type { FakeAuditApi } from './fake-audit-api';

async function inspect(index: number, prepare: (fake: FakeAuditApi) => void = () => {}) {
  const fake = await openFakeCase({ events: 5000 });
  prepare(fake);
  const grid = screen.getByRole('grid', { name: 'Events' });
  fireEvent.click(await within(grid).findByText(String(index), { selector: `[data-index="${index}"] span` }));
  await waitFor(() => expect(callsOf(fake, 'getEventProof').at(-1)).toEqual(['case-1', index]));
  const inspector = screen.getByRole('region', { name: 'Event inspector' });
  await within(inspector).findByText(/Event seq/);
  return { fake, inspector };
}

afterEach(() => vi.restoreAllMocks());

describe("inspector: export this entry's proof", () => {
  it('shows the command that re-checks the proof, with the case trust store, before anything is exported', async () => {
    const { inspector } = await inspect(5);
    const group = within(inspector).getByRole('group', { name: "This entry's proof" });
    expect(within(group).getByLabelText('Command that re-checks the proof').textContent).toBe('audit-replay verify-proof export.seq-5.proof.json --trust trust.json');
    expect(within(group).getByRole('button', { name: "Export this entry's proof" })).toBeTruthy();
  });

  it('asks the host to save it (the desktop save dialog) and says where it went', async () => {
    const { fake, inspector } = await inspect(7, (f) => f.saveProofsTo('/home/reviewer/p.json'));
    fireEvent.click(within(inspector).getByRole('button', { name: "Export this entry's proof" }));
    const status = await within(inspector).findByRole('status');
    expect(status.textContent).toMatch(/^Saved \/home\/reviewer\/p\.json \(\d+ bytes; SHA-256 [0-9a-f]{64}\)\.$/);
    // The window never names a path: the host chooses it.
    expect(callsOf(fake, 'exportEntryProof')).toEqual([['case-1', 7, null]]);
  });

  it('downloads it in the browser when the host hands the text back (the served desk)', async () => {
    const created: Blob[] = [];
    const clicked: { href: string; download: string }[] = [];
    Object.assign(URL, { createObjectURL: (b: Blob) => (created.push(b), 'blob:proof-1'), revokeObjectURL: () => {} });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.getAttribute('href')!, download: this.download });
    });
    const { inspector } = await inspect(9);
    fireEvent.click(within(inspector).getByRole('button', { name: "Export this entry's proof" }));
    expect((await within(inspector).findByRole('status')).textContent).toMatch(/^Downloaded export\.seq-9\.proof\.json \(\d+ bytes; SHA-256 [0-9a-f]{64}\)\.$/);
    expect(clicked).toEqual([{ href: 'blob:proof-1', download: 'export.seq-9.proof.json' }]);
    expect(JSON.parse(await created[0]!.text())).toMatchObject({ format: 'audit-replay-proof/1', entry: { seq: 9 } });
  });

  it('says so, and offers nothing, for an event no checkpoint covers', async () => {
    const { fake, inspector } = await inspect(3, (f) => f.uncover(3));
    expect(within(inspector).getByText(/No checkpoint whose signature holds covers this event, so there is no proof of it to export/)).toBeTruthy();
    expect(within(inspector).queryByRole('button', { name: "Export this entry's proof" })).toBeNull();
    expect(callsOf(fake, 'exportEntryProof')).toEqual([]);
  });

  it('shows a refusal as its sentence', async () => {
    const { inspector } = await inspect(4, (f) => f.refuseProofs('Event seq 4 is not covered by any checkpoint whose signature holds, so a proof of it would prove nothing.'));
    fireEvent.click(within(inspector).getByRole('button', { name: "Export this entry's proof" }));
    expect((await within(inspector).findByRole('status')).textContent).toBe('Event seq 4 is not covered by any checkpoint whose signature holds, so a proof of it would prove nothing.');
  });
});
