// @vitest-environment jsdom
/** The request story and the search box in jsdom: what they show, as text, and what they select. */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditApi, EventRow, RequestStory as Story, SearchResult } from '../../src/shared/api/audit-api';
import { ApiContext } from '../../src/renderer/api';
import { RequestStory } from '../../src/renderer/RequestStory';
import { SearchBox } from '../../src/renderer/SearchBox';
import { createFakeAuditApi } from './fake-audit-api';

afterEach(() => cleanup());

const HOSTILE = '<img src=x onerror="window.__xss=1">';

function row(index: number, kind: string, actorId: string): EventRow {
  return { index, seq: index + 100, line: index + 2, ts: `2026-11-24T08:00:0${index}.000Z`, kind, actorType: 'agent', actorId, outcome: null, findingKinds: [], replayStatus: null, summary: '' };
}

const STORY: Story = {
  requestId: 'req-1',
  requester: 'pay-agent',
  ending: 'executed, although the decision was deny',
  truncated: false,
  steps: [
    { row: row(0, 'action.requested', 'pay-agent'), stage: 'requested', afterMs: 0, detail: `pay-agent asks to pay (vendor ${HOSTILE})`, conduct: [] },
    { row: row(1, 'policy.decision', 'policy-engine'), stage: 'decision', afterMs: 1500, detail: 'denied by ap-policy@7, policies ap.limit', conduct: [] },
    {
      row: row(2, 'action.executed', 'pay-agent'),
      stage: 'executed',
      afterMs: 4200,
      detail: 'executed by pay-agent',
      conduct: [{ kind: 'executed-after-deny', severity: 'violation', message: 'Executed although denied.' }],
    },
  ],
};

function withApi(api: Partial<AuditApi>, ui: React.ReactNode) {
  const base = createFakeAuditApi();
  return render(<ApiContext.Provider value={{ ...base, ...api }}>{ui}</ApiContext.Provider>);
}

describe('request story', () => {
  it('tells the steps in order with their times, findings and ending, strings as text', async () => {
    const onSelectIndex = vi.fn();
    const getRequestStory = vi.fn(async () => STORY);
    withApi({ getRequestStory }, <RequestStory caseId="c" index={1} onSelectIndex={onSelectIndex} />);
    const panel = await screen.findByRole('region', { name: 'Request from start to end' });
    expect(getRequestStory).toHaveBeenCalledWith('c', 1);
    const steps = within(panel)
      .getAllByRole('listitem')
      .filter((li) => li.parentElement?.classList.contains('story-steps'));
    expect(steps.map((li) => li.querySelector('.story-time')!.textContent)).toEqual(['start', '+1.5 s', '+4.2 s']);
    expect(steps[1]!.getAttribute('aria-current')).toBe('step');
    expect(panel.textContent).toContain('executed, although the decision was deny');
    expect(panel.textContent).toContain('Violation (executed-after-deny): Executed although denied.');
    expect(panel.textContent).toContain(HOSTILE);
    expect(panel.querySelector('img')).toBeNull();
    fireEvent.click(within(panel).getByRole('button', { name: 'Select the executed step, seq 102' }));
    expect(onSelectIndex).toHaveBeenCalledWith(2);
  });

  it('shows nothing for an event outside any request', async () => {
    const getRequestStory = vi.fn(async () => null);
    withApi({ getRequestStory }, <RequestStory caseId="c" index={5} onSelectIndex={() => undefined} />);
    await waitFor(() => expect(getRequestStory).toHaveBeenCalled());
    expect(screen.queryByRole('region', { name: 'Request from start to end' })).toBeNull();
  });
});

describe('search box', () => {
  it('selects a single match at once and lists several', async () => {
    const onSelect = vi.fn();
    const one: SearchResult = { term: 'dec-1', matches: [{ by: 'decision id', row: row(1, 'policy.decision', 'policy-engine') }], truncated: false };
    const searchEvents = vi.fn(async (_c: string, term: string) => (term === 'dec-1' ? one : { term, matches: [], truncated: false }));
    withApi({ searchEvents }, <SearchBox caseId="c" onSelect={onSelect} />);
    fireEvent.change(screen.getByLabelText('Find an event'), { target: { value: '  dec-1 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() => expect(onSelect).toHaveBeenCalledWith(one.matches[0]!.row));
    expect(searchEvents).toHaveBeenCalledWith('c', 'dec-1');
    fireEvent.change(screen.getByLabelText('Find an event'), { target: { value: 'nothing' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(await screen.findByText('Nothing in this case has the hash, request id or decision id "nothing".')).toBeTruthy();
    expect(onSelect).toHaveBeenCalledTimes(1);
  });
});
