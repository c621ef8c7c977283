/** Filters for the event table; each maps one-to-one onto an `EventQuery` member. */
import { useEffect, useState } from 'react';
import type { CaseSummary } from '../shared/api/audit-api';
import type { EventFilter } from './EventTable';

export const KNOWN_KINDS = [
  'action.requested',
  'policy.decision',
  'approval.requested',
  'approval.granted',
  'approval.denied',
  'action.executed',
  'action.failed',
  'killswitch.engaged',
  'killswitch.released',
  'ring.changed',
  'policy.activated',
];

export interface FilterBarProps {
  summary: CaseSummary;
  filter: EventFilter;
  onChange(filter: EventFilter): void;
  /** Kinds of the case's workflow and conduct findings, offered beside the integrity findings. */
  conductKinds?: string[];
}

export function isEmptyFilter(filter: EventFilter): boolean {
  return Object.values(filter).every((v) => v == null || v === '' || v === false);
}

export function FilterBar({ summary, filter, onChange, conductKinds = [] }: FilterBarProps) {
  const [text, setText] = useState(filter.text ?? '');
  useEffect(() => setText(filter.text ?? ''), [filter.text]);
  // Typing waits a moment so every keystroke does not query a million rows.
  useEffect(() => {
    if ((filter.text ?? '') === text) return;
    const timer = setTimeout(() => onChange({ ...filter, text: text || null }), 250);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);

  const set = (patch: EventFilter) => onChange({ ...filter, ...patch });
  const findingKinds = Object.keys(summary.findingCounts).sort();
  const agentSet = new Set(summary.agents);
  const others = (summary.actors ?? []).filter((a) => !agentSet.has(a));
  return (
    <form id="event-filters" className="filters" aria-label="Event filters" onSubmit={(e) => e.preventDefault()}>
      <label>
        Agent
        <select value={filter.agent ?? ''} onChange={(e) => set({ agent: e.target.value || null })}>
          <option value="">all</option>
          <optgroup label="Agents">
            {summary.agents.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </optgroup>
          {others.length > 0 && (
            <optgroup label="People and systems">
              {others.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label title="A decision is recorded by the policy engine about an agent; an approval by a person about an agent's request.">
        Agent's part
        <select value={filter.agentRole ?? 'either'} disabled={!filter.agent} onChange={(e) => set({ agentRole: e.target.value === 'either' ? null : (e.target.value as 'actor' | 'subject') })}>
          <option value="either">acting or about it</option>
          <option value="actor">acting</option>
          <option value="subject">about it</option>
        </select>
      </label>
      <label>
        Kind
        <input list="known-kinds" value={filter.kind ?? ''} placeholder="any" size={16} onChange={(e) => set({ kind: e.target.value || null })} />
        <datalist id="known-kinds">
          {KNOWN_KINDS.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      </label>
      <label>
        Outcome
        <select value={filter.outcome ?? ''} onChange={(e) => set({ outcome: e.target.value || null })}>
          <option value="">any</option>
          <option value="allow">allow</option>
          <option value="deny">deny</option>
          <option value="require_approval">needs approval</option>
        </select>
      </label>
      <label>
        Finding
        <select
          value={filter.conduct ? `conduct:${filter.conduct}` : (filter.finding ?? '')}
          onChange={(e) => {
            const v = e.target.value;
            set(v.startsWith('conduct:') ? { conduct: v.slice('conduct:'.length), finding: null } : { finding: v || null, conduct: null });
          }}
        >
          <option value="">any event</option>
          <option value="*">with any integrity finding</option>
          {findingKinds.length > 0 && (
            <optgroup label="Integrity">
              {findingKinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </optgroup>
          )}
          {conductKinds.length > 0 && (
            <optgroup label="Workflow and conduct">
              {conductKinds.map((k) => (
                <option key={k} value={`conduct:${k}`}>
                  {k}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="check-label">
        <input type="checkbox" checked={!!filter.diverged} onChange={(e) => set({ diverged: e.target.checked || null })} />
        Diverged on replay
      </label>
      <label>
        From
        <input value={filter.fromTs ?? ''} placeholder="2026-11-25T03:00:00Z" size={22} onChange={(e) => set({ fromTs: e.target.value || null })} />
      </label>
      <label>
        To
        <input value={filter.toTs ?? ''} placeholder="2026-11-25T04:00:00Z" size={22} onChange={(e) => set({ toTs: e.target.value || null })} />
      </label>
      {(filter.seqFrom != null || filter.seqTo != null) && (
        <span className="seq-range" role="status">
          Seq {filter.seqFrom ?? '…'}–{filter.seqTo ?? '…'}
          <button type="button" onClick={() => set({ seqFrom: null, seqTo: null })} aria-label="Show all seq numbers again">
            ✕
          </button>
        </span>
      )}
      <label className="grow">
        Text
        <input type="search" value={text} placeholder="request id, tool, actor…" onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="button" disabled={isEmptyFilter(filter)} onClick={() => onChange({})}>
        Clear filters
      </button>
    </form>
  );
}
