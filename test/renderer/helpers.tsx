import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach } from 'vitest';
import { App } from '../../src/renderer/App';
import { createFakeAuditApi } from './fake-audit-api';
import type { FakeAuditApi, FakeOptions } from './fake-audit-api';

afterEach(() => cleanup());

/** Renders the desk on a fake and opens its one recent case. */
export async function openFakeCase(options: FakeOptions = {}): Promise<FakeAuditApi> {
  const fake = createFakeAuditApi(options);
  render(<App api={fake} />);
  fireEvent.click(await screen.findByRole('button', { name: /Open case export\.jsonl/ }));
  await screen.findByRole('heading', { name: /Verdict/ });
  return fake;
}

export function callsOf(fake: FakeAuditApi, method: string): unknown[][] {
  return fake.calls.filter((c) => c.method === method).map((c) => c.args);
}
