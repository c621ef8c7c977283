/**
 * The HTML evidence report: one self-contained file rendered from the JSON
 * report (so it says nothing the JSON does not). No script, no network
 * reference (a CSP meta tag forbids both, in case a viewer is lenient), the
 * charts as inline SVG, print CSS for paper and PDF. Every string from the
 * export is escaped.
 */
import { describeRange, joinAdjacent } from '../verify/answers';
import { escapeHtml as esc } from './escape';
import { outcomeBarsSvg, timelineSvg } from './svg-charts';
import type { EvidenceReport, ReportFinding, ReportNote } from './types';

/** Rows shown per table; the JSON report holds every one. */
export const HTML_ROWS = 1000;

const VERDICT_COLOUR: Record<string, string> = { intact: '#2e7d32', unanchored: '#f9a825', tampered: '#c62828', malformed: '#6d4c41' };

const CSS = `
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1c2733; margin: 24px auto; max-width: 960px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 26px 0 8px; border-bottom: 1px solid #cfd8dc; padding-bottom: 3px; }
.verdict { display: inline-block; color: #fff; padding: 3px 10px; border-radius: 4px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; table-layout: fixed; }
th, td { border: 1px solid #cfd8dc; padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th.k { width: 11.5em; } th.s { width: 5.5em; }
th { background: #eceff1; font-weight: 600; }
td.num, th.num { width: 4.2em; }
code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; overflow-wrap: anywhere; }
.muted { color: #607d8b; } .tag { display: inline-block; border: 1px solid #90a4ae; border-radius: 3px; padding: 0 4px; margin-right: 3px; font-size: 11px; }
figure { margin: 8px 0; } figcaption { color: #607d8b; font-size: 11px; } svg { max-width: 100%; height: auto; }
.kv th { width: 13em; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5px; }
  h2 { break-after: avoid; } figure, tr { break-inside: avoid; } thead { display: table-header-group; }
  .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;

function link(x: { index: number | null; seq: number | null; line: number | null }): string {
  return `${x.seq ?? '—'}</td><td class="num">${x.line ?? '—'}</td><td class="num">${x.index ?? '—'}`;
}

function more(total: number): string {
  return total > HTML_ROWS ? `<p class="muted">${total - HTML_ROWS} more rows in the JSON report.</p>` : '';
}

function findingRows(findings: ReportFinding[]): string {
  return findings
    .slice(0, HTML_ROWS)
    .map((f) => `<tr><td>${esc(f.kind)}</td><td>${esc(f.severity)}</td><td class="num">${link(f)}</td><td>${esc(f.message)}</td></tr>`)
    .join('');
}

function noteRows(notes: ReportNote[]): string {
  return notes
    .slice(0, HTML_ROWS)
    .map((note) => {
      const t = note.target;
      const about = `${t.kind}${t.finding ? ` ${t.finding}` : ''}`;
      const history =
        note.history.length > 1
          ? `<div class="muted">earlier: ${note.history
              .slice(0, -1)
              .map((v) => `v${v.version} ${esc(v.author)} ${esc(v.at)}: “${esc(v.text)}”${v.tags.length ? ` [${v.tags.map(esc).join(', ')}]` : ''}`)
              .join('; ')}</div>`
          : '';
      return `<tr><td class="num">${note.note_id}</td><td>${esc(about)}</td><td class="num">${link(t)}</td><td>${note.current.tags.map((g) => `<span class="tag">${esc(g)}</span>`).join('')}<div>${esc(note.current.text)}</div>${history}</td><td>${esc(note.current.author)}<br><span class="muted">${esc(note.current.at)} · v${note.current.version}</span></td></tr>`;
    })
    .join('');
}

const GOOD = '#2e7d32';
const BAD = '#c62828';
const UNSURE = '#8d6e00';

/** The three answers first, each with its own colour: a green record never sits over a red conduct line. */
function answersTable(r: EvidenceReport): string {
  const rows: [string, string, string, string][] = [
    ['Record', r.integrity.status === 'intact' ? 'consistent' : r.integrity.status, r.integrity.status === 'intact' ? GOOD : r.integrity.status === 'altered' ? BAD : UNSURE, r.integrity.sentence],
    ['Signer', r.signer.status, r.signer.status === 'trusted' ? GOOD : UNSURE, `${r.signer.sentence}${r.signer.advice ? ` ${r.signer.advice}` : ''}`],
    ['Conduct', r.conduct.status, r.conduct.status === 'clean' ? GOOD : r.conduct.status === 'violations' ? BAD : UNSURE, r.conduct.sentence],
  ];
  const body = rows.map(([q, status, colour, sentence]) => `<tr><th>${q}</th><td><span class="verdict" style="background:${colour}">${esc(status)}</span> ${esc(sentence)}</td></tr>`).join('');
  const joined = joinAdjacent(r.integrity.unproven);
  const stretches = joined.length
    ? `<p><b>Cannot be proven:</b> ${joined
        .slice(0, 3)
        .map((x) => `${esc(describeRange(x))}: ${esc(x.why)}`)
        .join('; ')}${joined.length > 3 ? `; and ${joined.length - 3} more (listed with the findings)` : ''}.</p>`
    : '';
  return `<table class="kv answers"><tbody>${body}</tbody></table>${stretches}`;
}

export function renderReportHtml(r: EvidenceReport): string {
  const v = r.verification;
  const e = r.examined.export;
  const out: string[] = [];
  out.push('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">');
  out.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  out.push('<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>Evidence report: ${esc(e.name)}</title><style>${CSS}</style></head><body>`);
  out.push(`<h1>Evidence report: ${esc(e.name)}</h1>`);
  out.push(answersTable(r));
  // The one-word verdict of `audit-replay verify` (record and signer only): never drawn green over a conduct violation.
  const verdictColour = r.conduct.status === 'violations' && v.verdict === 'intact' ? '#455a64' : (VERDICT_COLOUR[v.verdict] ?? '#455a64');
  out.push(`<p class="muted">Verification verdict: <span class="verdict" style="background:${verdictColour}">${esc(v.verdict)}</span> ${esc(v.verdict_reason)}</p>`);
  out.push(
    `<p class="muted">Made by ${esc(r.app.name)} ${esc(r.app.version)}. Report SHA-256 <span class="hash">${esc(r.report_sha256)}</span>${r.signature ? `; signed with Ed25519 key ${esc(r.signature.key_id)} (<span class="hash">${esc(r.signature.public_key)}</span>)` : '; not signed'}. Re-check with <code>audit-replay check-report</code>.</p>`,
  );

  out.push('<h2>What was examined</h2><table class="kv"><tbody>');
  out.push(`<tr><th>Export file</th><td>${esc(e.name)}, ${e.bytes} bytes, format ${esc(e.format)} (${esc(e.format_reason)})${e.hmac_key_given ? '; an HMAC key was given' : ''}</td></tr>`);
  out.push(`<tr><th>Export SHA-256</th><td class="hash">${esc(e.sha256)}</td></tr>`);
  const trust = r.examined.trust;
  out.push(
    `<tr><th>Trust store</th><td>${trust ? `${esc(trust.name)}, SHA-256 <span class="hash">${esc(trust.sha256)}</span><br>${trust.keys.map((k) => `${esc(k.key_id)} (${esc(k.alg)}) <span class="hash">${esc(k.public_key)}</span>${k.revoked_at ? ` revoked at ${esc(k.revoked_at)}` : ''}`).join('<br>')}` : 'none given: no checkpoint signature can be trusted'}</td></tr>`,
  );
  const pol = r.examined.policies;
  out.push(
    `<tr><th>Policy bundles</th><td>${pol ? `${esc(pol.name)}/<br>${pol.bundles.map((b) => `${esc(b.folder)}: ${esc(b.name)}@${esc(b.version)} <span class="hash">${esc(b.digest)}</span>`).join('<br>') || 'none could be read'}` : 'none given'}</td></tr>`,
  );
  out.push(`<tr><th>Events</th><td>${v.events}; chain start ${esc(v.chain_start)}; last hash <span class="hash">${esc(v.head_hash ?? '—')}</span></td></tr>`);
  if (v.unauthenticated_fields.length) out.push(`<tr><th>Not covered by any hash or signature</th><td>${v.unauthenticated_fields.map(esc).join(', ')}</td></tr>`);
  out.push('</tbody></table>');

  if (r.timeline) {
    out.push('<h2>Timeline</h2>');
    out.push(
      `<figure>${timelineSvg(r.timeline)}<figcaption>Events per actor, ${esc(r.timeline.from)} to ${esc(r.timeline.to)}; dots mark findings, divergences, sequence findings and denials.${r.timeline.undated ? ` ${r.timeline.undated} events without a readable time are not drawn.` : ''}</figcaption></figure>`,
    );
    out.push(`<figure>${outcomeBarsSvg(r.timeline)}<figcaption>Recorded decision outcomes per time bucket.</figcaption></figure>`);
  }

  out.push(`<h2>Verification: ${v.findings.length} findings</h2>`);
  if (v.first_failure) out.push(`<p>First point of failure: <b>${esc(v.first_failure.kind)}</b> at line ${v.first_failure.line ?? '—'}, seq ${v.first_failure.seq ?? '—'}.</p>`);
  const counts = Object.entries(v.finding_counts).sort(([a], [b]) => (a < b ? -1 : 1));
  if (counts.length) out.push(`<p>${counts.map(([k, c]) => `${esc(k)}: ${c}`).join(' · ')}</p>`);
  if (v.findings.length) {
    out.push(
      '<table><thead><tr><th class="k">kind</th><th class="s">severity</th><th class="num">seq</th><th class="num">line</th><th class="num">index</th><th>what it means</th></tr></thead><tbody>',
    );
    out.push(findingRows(v.findings));
    out.push('</tbody></table>', more(v.findings.length));
  } else out.push('<p>No findings.</p>');
  if (v.checkpoints.length) {
    out.push('<table><thead><tr><th class="num">line</th><th class="num">seq hi</th><th class="num">size</th><th>key</th><th>final</th><th>status</th></tr></thead><tbody>');
    out.push(
      v.checkpoints
        .slice(0, HTML_ROWS)
        .map(
          (c) =>
            `<tr><td class="num">${c.line}</td><td class="num">${c.seq_hi}</td><td class="num">${c.tree_size}</td><td>${esc(c.key_id)}</td><td>${c.final ? 'yes' : ''}</td><td>${esc(c.status)}</td></tr>`,
        )
        .join(''),
    );
    out.push('</tbody></table>', more(v.checkpoints.length));
  }

  out.push('<h2>Replay of recorded decisions</h2>');
  const rp = r.replay;
  if (!rp) out.push(`<p>${esc(r.replay_error ?? 'Replay did not run.')}</p>`);
  else {
    const warnings = rp.sequence_findings.filter((s) => s.severity === 'warning').length;
    const violations = rp.sequence_findings.length - warnings;
    out.push(
      `<p>${rp.decisions} decisions: ${rp.matched} matched, ${rp.diverged} diverged, ${rp.not_replayable} not replayable; ${violations} workflow ${violations === 1 ? 'violation' : 'violations'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}. Replay report SHA-256 <span class="hash">${esc(rp.report_sha256)}</span>.</p>`,
    );
    if (rp.unreadable_lines.length) out.push(`<p>${rp.unreadable_lines.length} lines could not be read as events (first at line ${rp.unreadable_lines[0]}).</p>`);
    if (rp.divergences.length) {
      out.push(
        '<h3>Divergences</h3><table><thead><tr><th>decision</th><th>agent</th><th class="num">seq</th><th class="num">line</th><th class="num">index</th><th>policy</th><th style="width:32%">recorded → replayed</th></tr></thead><tbody>',
      );
      out.push(
        rp.divergences
          .slice(0, HTML_ROWS)
          .map(
            (d) =>
              `<tr><td>${esc(d.decision_id)}</td><td>${esc(d.agent)}</td><td class="num">${link(d)}</td><td>${esc(`${d.policy.name}@${d.policy.version}`)}</td><td>${d.fields.map((f) => `${esc(f.field)}: ${esc(JSON.stringify(f.recorded))} → ${esc(JSON.stringify(f.replayed))}`).join('<br>')}</td></tr>`,
          )
          .join(''),
      );
      out.push('</tbody></table>', more(rp.divergences.length));
    }
    if (rp.not_replayable_decisions.length) {
      out.push(
        '<h3>Not replayable</h3><table><thead><tr><th class="k">decision</th><th class="k">reason</th><th class="num">seq</th><th class="num">line</th><th class="num">index</th><th>why</th></tr></thead><tbody>',
      );
      out.push(
        rp.not_replayable_decisions
          .slice(0, HTML_ROWS)
          .map((d) => `<tr><td>${esc(d.decision_id)}</td><td>${esc(d.reason)}</td><td class="num">${link(d)}</td><td>${esc(d.message)}</td></tr>`)
          .join(''),
      );
      out.push('</tbody></table>', more(rp.not_replayable_decisions.length));
    }
    if (rp.sequence_findings.length) {
      out.push(
        '<h3>Sequence and conduct findings</h3><table><thead><tr><th class="k">kind</th><th class="k">severity</th><th class="k">agent</th><th class="num">seq</th><th class="num">line</th><th class="num">index</th><th>what happened</th><th class="k">involves</th></tr></thead><tbody>',
      );
      out.push(
        rp.sequence_findings
          .slice(0, HTML_ROWS)
          .map(
            (s) =>
              `<tr><td>${esc(s.kind)}</td><td>${esc(s.severity ?? 'violation')}</td><td>${esc(s.agent)}</td><td class="num">${link(s)}</td><td>${esc(s.message)}</td><td>${esc((s.related_seqs ?? []).map((n) => `seq ${n}`).join(', '))}</td></tr>`,
          )
          .join(''),
      );
      out.push('</tbody></table>', more(rp.sequence_findings.length));
    }
  }

  out.push(`<h2>Reviewer notes: ${r.notes.length}</h2>`);
  if (r.notes.length) {
    out.push(
      '<table><thead><tr><th class="num">note</th><th class="s">about</th><th class="num">seq</th><th class="num">line</th><th class="num">index</th><th>note</th><th class="k">author, time</th></tr></thead><tbody>',
    );
    out.push(noteRows(r.notes), '</tbody></table>', more(r.notes.length));
  } else out.push('<p>No notes.</p>');
  out.push('</body></html>\n');
  return out.join('');
}
