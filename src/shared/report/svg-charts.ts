/**
 * The report's pictures as inline SVG, from the report's own timeline data:
 * a lane per actor (events per time bucket, marks for findings, divergences,
 * sequence findings and denials) and a stacked bar chart of recorded
 * outcomes per bucket. Pure string building: every label is escaped.
 */
import { escapeHtml as esc } from './escape';
import type { ReportTimeline, TimelineMark } from './types';

const n = (v: number) => (Math.round(v * 10) / 10).toString();

export const MARK_COLOURS: Record<TimelineMark, string> = { finding: '#c62828', divergence: '#6a1b9a', sequence: '#ef6c00', deny: '#37474f' };
export const OUTCOME_COLOURS = { allow: '#2e7d32', require_approval: '#f9a825', deny: '#c62828' } as const;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function timelineSvg(t: ReportTimeline): string {
  const labelW = 170;
  const chartW = 720;
  const laneH = 26;
  const top = 24;
  const height = top + t.lanes.length * laneH + 34;
  const bw = chartW / t.buckets;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + chartW + 10}" height="${height}" viewBox="0 0 ${labelW + chartW + 10} ${height}" role="img" aria-label="Timeline: events per actor over time" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<title>Timeline: events per actor over time</title>`);
  const markKinds = Object.keys(MARK_COLOURS) as TimelineMark[];
  markKinds.forEach((m, i) => {
    const x = labelW + i * 120;
    parts.push(`<rect x="${x}" y="4" width="9" height="9" fill="${MARK_COLOURS[m]}"/><text x="${x + 13}" y="12">${esc(m === 'sequence' ? 'sequence finding' : m)}</text>`);
  });
  t.lanes.forEach((lane, li) => {
    const y = top + li * laneH;
    const max = Math.max(1, ...lane.counts);
    parts.push(`<text x="4" y="${y + 15}">${esc(clip(lane.actor, 26))}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${chartW}" height="${laneH - 6}" fill="#f3f5f7"/>`);
    lane.counts.forEach((c, b) => {
      if (!c) return;
      const h = Math.max(2, ((laneH - 10) * c) / max);
      parts.push(
        `<rect x="${n(labelW + b * bw + 0.5)}" y="${n(y + laneH - 4 - h)}" width="${n(Math.max(1, bw - 1))}" height="${n(h)}" fill="#546e7a"><title>${esc(`${lane.actor}: ${c} events`)}</title></rect>`,
      );
    });
    const perBucket = new Map<number, number>();
    for (const m of lane.marks) {
      const k = perBucket.get(m.bucket) ?? 0;
      perBucket.set(m.bucket, k + 1);
      const cx = labelW + m.bucket * bw + bw / 2;
      parts.push(`<circle cx="${n(cx)}" cy="${n(y + 5 + k * 4)}" r="3" fill="${MARK_COLOURS[m.mark]}"><title>${esc(`${m.count} ${m.mark}`)}</title></circle>`);
    }
  });
  const axisY = top + t.lanes.length * laneH + 4;
  parts.push(`<line x1="${labelW}" y1="${axisY}" x2="${labelW + chartW}" y2="${axisY}" stroke="#90a4ae"/>`);
  parts.push(`<text x="${labelW}" y="${axisY + 14}">${esc(t.from)}</text>`);
  parts.push(`<text x="${labelW + chartW}" y="${axisY + 14}" text-anchor="end">${esc(t.to)}</text>`);
  parts.push(`<text x="${labelW + chartW / 2}" y="${axisY + 26}" text-anchor="middle">${esc(`${t.buckets} buckets of ${t.bucket_ms} ms`)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export function outcomeBarsSvg(t: ReportTimeline): string {
  const left = 50;
  const chartW = 830;
  const chartH = 160;
  const top = 24;
  const height = top + chartH + 30;
  const bw = chartW / t.buckets;
  const max = Math.max(1, ...t.outcomes.map((o) => o.allow + o.deny + o.require_approval));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + chartW + 10}" height="${height}" viewBox="0 0 ${left + chartW + 10} ${height}" role="img" aria-label="Recorded decision outcomes over time" font-family="sans-serif" font-size="11">`,
  );
  parts.push('<title>Recorded decision outcomes over time</title>');
  (['allow', 'require_approval', 'deny'] as const).forEach((k, i) => {
    const x = left + i * 150;
    parts.push(`<rect x="${x}" y="4" width="9" height="9" fill="${OUTCOME_COLOURS[k]}"/><text x="${x + 13}" y="12">${esc(k.replace('_', ' '))}</text>`);
  });
  parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + chartH}" stroke="#90a4ae"/>`);
  parts.push(`<line x1="${left}" y1="${top + chartH}" x2="${left + chartW}" y2="${top + chartH}" stroke="#90a4ae"/>`);
  parts.push(`<text x="${left - 4}" y="${top + 8}" text-anchor="end">${max}</text><text x="${left - 4}" y="${top + chartH}" text-anchor="end">0</text>`);
  t.outcomes.forEach((o, b) => {
    let y = top + chartH;
    for (const k of ['allow', 'require_approval', 'deny'] as const) {
      if (!o[k]) continue;
      const h = (chartH * o[k]) / max;
      y -= h;
      parts.push(`<rect x="${n(left + b * bw + 0.5)}" y="${n(y)}" width="${n(Math.max(1, bw - 1))}" height="${n(h)}" fill="${OUTCOME_COLOURS[k]}"><title>${esc(`${o[k]} ${k}`)}</title></rect>`);
    }
  });
  parts.push(`<text x="${left}" y="${top + chartH + 14}">${esc(t.from)}</text>`);
  parts.push(`<text x="${left + chartW}" y="${top + chartH + 14}" text-anchor="end">${esc(t.to)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
