/** The proof of one event, step by step, so a reviewer can check it by hand. */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { CaseId, EventProof } from '../shared/api/audit-api';
import type { SequenceFindingView } from '../shared/replay/views';
import { sentenceOf, useApi } from './api';
import { asText, formatTs } from './format';
import { describeRange, type SignerAnswer } from '../shared/verify/answers';
import { EXPORT_FORMAT } from '../shared/export/types';
import { Plain, Term } from './plain-words';
import { ProofExport } from './ProofExport';
import { provableUnder } from '../shared/verify/entry-proof';

export interface InspectorProps {
  caseId: CaseId;
  index: number | null;
  onSelectIndex(index: number): void;
  /** The case's format and signer: what vouches for an entry when the format has no checkpoints. */
  format: string;
  signer: SignerAnswer;
  /** Workflow and conduct findings on this event (the Sequence findings tab's, for this index). */
  conduct?: readonly SequenceFindingView[];
  /** Select the event with this seq (a conduct finding's related events). */
  onSelectSeq?(seq: number): void;
  /** The export's file name and the trust store's, for the proof file and the command that re-checks it. */
  exportName?: string;
  trustName?: string | null;
}

/** A check's result; one that holds inside an unproven stretch is not a green tick: it proves nothing. */
function Check({ ok, yes, no, unknown, unproven = false }: { ok: boolean | null; yes: string; no: string; unknown: string; unproven?: boolean }) {
  const state = ok === null ? 'unknown' : ok ? (unproven ? 'warn' : 'ok') : 'bad';
  return (
    <span className={`check check-${state}`}>
      <span aria-hidden="true">{ok === null ? '–' : ok ? (unproven ? '!' : '✓') : '✗'} </span>
      {ok === null ? unknown : ok ? (unproven ? `${yes} But this event is in a stretch that cannot be proven, so this only shows it agrees with its neighbours.` : yes) : no}
    </span>
  );
}

/** Looks a dotted member path up in the raw line, so an unauthenticated value can be shown beside its name. */
function valueAt(raw: string, path: string): { found: boolean; value: unknown } {
  try {
    let node: unknown = JSON.parse(raw);
    for (const part of path.split('.')) {
      if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, part)) return { found: false, value: undefined };
      node = (node as Record<string, unknown>)[part];
    }
    return { found: true, value: node };
  } catch {
    return { found: false, value: undefined };
  }
}

export function Inspector({ caseId, index, onSelectIndex, format, signer, conduct = [], onSelectSeq, exportName = 'export.jsonl', trustName = null }: InspectorProps) {
  const api = useApi();
  const [proof, setProof] = useState<EventProof | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Is focus inside the inspector? Kept through a blur with no new target, as when the focused button is removed.
  const focusInside = useRef(false);
  useLayoutEffect(() => {
    // A new selection starts at the top, not where the last event's proof was scrolled to.
    if (box.current) box.current.scrollTop = 0;
  }, [index]);
  const shown = proof !== null && proof.index === index;
  useLayoutEffect(() => {
    // The button that was clicked (a link here, "Inspect the previous event") went with the old proof:
    // keep focus in the inspector, on its heading, instead of dropping it to the page.
    const active = document.activeElement;
    if (focusInside.current && (active === null || active === document.body)) heading.current?.focus();
  }, [shown, index]);
  useEffect(() => {
    if (index === null) return;
    let live = true;
    setError(null);
    api.getEventProof(caseId, index).then(
      (p) => live && setProof(p),
      (e: unknown) => live && (setProof(null), setError(sentenceOf(e))),
    );
    return () => {
      live = false;
    };
  }, [api, caseId, index]);

  const frame = (body: ReactNode, busy = false) => (
    <section
      ref={box}
      className="panel inspector"
      aria-label="Event inspector"
      aria-busy={busy || undefined}
      onFocus={() => (focusInside.current = true)}
      onBlur={(e) => {
        if (e.relatedTarget && !e.currentTarget.contains(e.relatedTarget as Node)) focusInside.current = false;
      }}
    >
      {body}
    </section>
  );
  if (index === null) {
    return frame(
      <>
        <h2>Inspector</h2>
        <p className="muted">Select an event in the table, the timeline or a list to see its proof.</p>
      </>,
    );
  }
  if (error) {
    return frame(
      <>
        <h2>Inspector</h2>
        <p className="error-text" role="alert">
          {error}
        </p>
      </>,
    );
  }
  if (!proof || proof.index !== index) {
    return frame(
      <>
        <h2 ref={heading} tabIndex={-1}>
          Inspector
        </h2>
        <p className="muted">Loading the proof of event {index}…</p>
      </>,
      true,
    );
  }

  const cp = proof.checkpoint;
  const stretch = proof.unproven;
  return frame(
    <>
      <h2 ref={heading} tabIndex={-1}>
        Event seq {proof.seq}{' '}
        <span className="muted">
          · line {proof.line} · position {proof.index}
        </span>
      </h2>

      {(() => {
        // Who, what and when, read from the raw line for orientation; the checks below are what count.
        const kind = valueAt(proof.raw, 'kind');
        const actor = valueAt(proof.raw, 'actor.id');
        const ts = valueAt(proof.raw, 'ts');
        const parts = [kind.found ? asText(kind.value) : null, actor.found ? `by ${asText(actor.value)}` : null, ts.found ? formatTs(asText(ts.value)) : null].filter(Boolean);
        return parts.length ? <p className="event-gist">{parts.join(' · ')}</p> : null;
      })()}
      {stretch && (
        <p className="unproven-note" role="note">
          <strong>Not proven.</strong> This event lies in {describeRange(stretch)}, which cannot be proven: {stretch.why}. Whatever it says may have been edited; the checks below cannot tell.
        </p>
      )}
      {conduct.length > 0 && (
        <ul className="inspector-findings" aria-label="Workflow and conduct findings on this event">
          {conduct.map((f, i) => {
            const warning = f.severity === 'warning';
            return (
              <li key={i} className={warning ? 'sev-warning' : 'sev-violation'}>
                <span className={`badge sev-badge ${warning ? 'sev-warning' : 'sev-violation'}`}>{warning ? 'Warning' : 'Violation'}</span> <strong>{f.kind}</strong>: <Plain text={f.message} />
                {f.relatedSeqs.length > 0 && (
                  <div className="involves">
                    <span className="muted">Involves:</span>{' '}
                    {f.relatedSeqs.map((seq) => (
                      <button key={seq} type="button" className="link-button" aria-label={`Select related event seq ${seq}`} onClick={() => onSelectSeq?.(seq)}>
                        seq {seq}
                      </button>
                    ))}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {proof.findings.length > 0 && (
        <ul className="inspector-findings" aria-label="Findings on this event">
          {proof.findings.map((f, i) => (
            <li key={i} className={`sev-${f.severity}`}>
              <strong>{f.kind}</strong>: <Plain text={f.message} />
            </li>
          ))}
        </ul>
      )}

      <h3>1. Content hash</h3>
      <Check
        unproven={stretch !== null}
        ok={proof.hashMatches}
        yes="The content hashes to the recorded hash."
        no="The content does NOT hash to the recorded hash: it was changed."
        unknown="This format records no hash for its entries: there is nothing to recompute, so any edit would go unseen."
      />
      <dl className="hashes">
        <dt>Recorded hash</dt>
        <dd className="mono">{proof.recordedHash || '—'}</dd>
        <dt>Recomputed hash</dt>
        <dd className={`mono ${proof.hashMatches === false ? 'mismatch' : ''}`}>{proof.recomputedHash || '—'}</dd>
      </dl>

      <h3>2. Link to the previous event</h3>
      <Check
        unproven={stretch !== null}
        ok={proof.linkMatches}
        yes="prev_hash is the hash of the event before."
        no="prev_hash does NOT match the event before: an event was removed, inserted or reordered."
        unknown="This format has no link to check."
      />
      <dl className="hashes">
        <dt>prev_hash (recorded)</dt>
        <dd className="mono">{proof.prevHash}</dd>
        <dt>Hash of the event before</dt>
        <dd className={`mono ${proof.linkMatches === false ? 'mismatch' : ''}`}>{proof.expectedPrevHash ?? '—'}</dd>
      </dl>
      {proof.index > 0 && (
        <button type="button" className="link-button" onClick={() => onSelectIndex(proof.index - 1)}>
          Inspect the previous event
        </button>
      )}

      <h3>3. {format === EXPORT_FORMAT ? 'Checkpoint and Merkle inclusion' : 'What vouches for this entry'}</h3>
      {format !== EXPORT_FORMAT ? (
        <p className={`check check-${signer.status === 'trusted' ? 'ok' : 'warn'}`}>
          <span aria-hidden="true">{signer.status === 'trusted' ? '✓' : '!'} </span>
          {format} has no checkpoints. {signer.sentence}
        </p>
      ) : cp ? (
        <>
          <p>
            Covered by the checkpoint on line {cp.line} (events up to seq {cp.seqHi}, tree size {cp.treeSize}, key <span className="mono">{cp.keyId}</span>, {cp.final ? 'final' : 'not final'}, signed{' '}
            {formatTs(cp.ts)}): <strong>{cp.status}</strong>.
          </p>
          <dl className="hashes">
            <dt>
              <Term plain="This event's fingerprint in the checkpoint" term="leaf hash" />
            </dt>
            <dd className="mono">{proof.leafHash ?? '—'}</dd>
          </dl>
          <table className="proof-steps" aria-label="Merkle inclusion steps">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Sibling side</th>
                <th scope="col">Sibling hash</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {proof.inclusion.map((step, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>{step.side}</td>
                  <td className="mono">{step.sibling}</td>
                  <td className="mono">{step.result}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl className="hashes">
            <dt>Checkpoint merkle_root</dt>
            <dd className={`mono ${proof.inclusionOk === false ? 'mismatch' : ''}`}>{cp.merkleRoot}</dd>
          </dl>
          <Check
            unproven={stretch !== null}
            ok={proof.inclusionOk}
            yes="The last step equals the signed Merkle root: the event is in the checkpoint."
            no="The steps do NOT reach the signed Merkle root."
            unknown="Inclusion could not be computed."
          />
        </>
      ) : (
        <p className="check check-bad">No checkpoint whose signature holds covers this event: nothing vouches for it.</p>
      )}
      {format === EXPORT_FORMAT && (
        <ProofExport
          caseId={caseId}
          index={proof.index}
          seq={proof.seq}
          exportName={exportName}
          trustName={trustName}
          covered={cp !== null && provableUnder(cp.status) && proof.inclusionOk === true}
        />
      )}

      <h3>Unauthenticated fields</h3>
      {proof.unauthenticatedFields.length === 0 ? (
        <p className="muted">Every member of this event is covered by its hash.</p>
      ) : (
        <ul className="unauth" aria-label="Fields not covered by the hash">
          {proof.unauthenticatedFields.map((field) => {
            const v = valueAt(proof.raw, field);
            return (
              <li key={field}>
                <span className="badge badge-unauth">unauthenticated</span> <span className="mono">{field}</span>
                {v.found ? (
                  <>
                    {' '}
                    = <span className="mono">{asText(v.value)}</span>
                  </>
                ) : null}
                <span className="muted"> — anyone could have changed this without breaking a hash.</span>
              </li>
            );
          })}
        </ul>
      )}

      <h3>Raw line</h3>
      <pre className="raw" tabIndex={0} aria-label="Raw line">
        {proof.raw}
      </pre>
      <h3>
        <Term plain="The exact text that is fingerprinted" term="canonical bytes" />
      </h3>
      <pre className="raw" tabIndex={0} aria-label="Canonical bytes">
        {proof.canonical}
      </pre>
    </>,
  );
}
