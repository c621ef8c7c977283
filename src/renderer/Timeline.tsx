/**
 * One lane per agent over time, marker rows for what a reviewer hunts for,
 * and a recharts chart of decision outcomes. Wheel or buttons zoom, drag or
 * buttons pan, Shift+drag (or "Filter table to this view") picks a span.
 * The service buckets the data, so zooming a million events stays cheap.
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MouseEvent as ReactMouseEvent } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CaseSummary, TimelineData, TimelineLaneMarker } from '../shared/api/audit-api';
import { sentenceOf, useApi } from './api';
import { formatTs, KIND_FAMILIES, kindFamily } from './format';

export interface TimelineProps {
  summary: CaseSummary;
  selected: { index: number; ts: string | null } | null;
  theme: 'light' | 'dark';
  onSelectMarker(marker: TimelineLaneMarker): void;
  onSpan(fromTs: string, toTs: string): void;
  /** False until the table's first page is in, so the bucket query does not delay the first view. */
  enabled?: boolean;
}

const LABEL_W = 120;
const MARKER_ROW_H = 16;
const LANE_H = 24;
const BUCKETS = 120;
const MIN_SPAN_MS = 1000;
const MAX_LANES = 40;
const MARKERS_TOP = 4;
const CANVAS_MARKERS = new Set<TimelineLaneMarker['marker']>(['deny', 'approval']);

/** A time label as precise as the visible span needs: days apart show the date, a second apart the milliseconds. */
export function timeLabel(iso: string, spanMs: number): string {
  if (spanMs > 2 * 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  if (spanMs > 3_600_000) return iso.slice(11, 16);
  if (spanMs > 60_000) return iso.slice(11, 19);
  return iso.slice(11, 23);
}

export const MARKER_TYPES: { id: TimelineLaneMarker['marker']; label: string }[] = [
  { id: 'finding', label: 'Findings' },
  { id: 'divergence', label: 'Divergences' },
  { id: 'deny', label: 'Denials' },
  { id: 'approval', label: 'Approvals' },
  { id: 'killswitch', label: 'Kill switches' },
];

export const PALETTES = {
  light: { allow: '#2e7d32', deny: '#c62828', requireApproval: '#1565c0', other: '#9e9e9e', grid: '#d0d4da', text: '#333' },
  dark: { allow: '#66bb6a', deny: '#ef5350', requireApproval: '#64b5f6', other: '#8d8d8d', grid: '#3a4048', text: '#ddd' },
};

function MarkerShape({ type, x, y }: { type: TimelineLaneMarker['marker']; x: number; y: number }) {
  const r = 5;
  switch (type) {
    case 'finding':
      return <polygon points={`${x},${y - r} ${x + r},${y + r} ${x - r},${y + r}`} />;
    case 'divergence':
      return <polygon points={`${x},${y - r} ${x + r},${y} ${x},${y + r} ${x - r},${y}`} />;
    case 'deny':
      return <path d={`M${x - r},${y - r}L${x + r},${y + r}M${x + r},${y - r}L${x - r},${y + r}`} strokeWidth={2.2} />;
    case 'approval':
      return <circle cx={x} cy={y} r={r - 1} />;
    default:
      return <rect x={x - r + 1} y={y - r + 1} width={2 * r - 2} height={2 * r - 2} />;
  }
}

export function Timeline({ summary, selected, theme, onSelectMarker, onSpan, enabled = true }: TimelineProps) {
  const api = useApi();
  const startMs = summary.firstTs ? Date.parse(summary.firstTs) : NaN;
  const endMs = summary.lastTs ? Date.parse(summary.lastTs) : NaN;
  const hasRange = Number.isFinite(startMs) && Number.isFinite(endMs);
  const fullFrom = startMs;
  const fullTo = Math.max(endMs, startMs + MIN_SPAN_MS);
  const [view, setView] = useState<{ from: number; to: number }>({ from: fullFrom, to: fullTo });
  const [data, setData] = useState<TimelineData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [width, setWidth] = useState(900);
  const box = useRef<HTMLDivElement>(null);
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; from: number; to: number; span: boolean } | null>(null);
  const [spanBox, setSpanBox] = useState<{ x0: number; x1: number } | null>(null);

  useEffect(() => setView({ from: fullFrom, to: fullTo }), [summary.caseId, fullFrom, fullTo]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => el.clientWidth > 0 && setWidth(el.clientWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Ask for the buckets of the visible window, after the wheel settles.
  useEffect(() => {
    if (!hasRange || !enabled) return;
    let live = true;
    const timer = setTimeout(() => {
      api.getTimeline(summary.caseId, { fromTs: new Date(view.from).toISOString(), toTs: new Date(view.to).toISOString(), buckets: BUCKETS }).then(
        (d) => live && (setData(d), setError(null)),
        (e: unknown) => live && setError(sentenceOf(e)),
      );
    }, 80);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, summary.caseId, view.from, view.to, hasRange, enabled]);

  const plotW = Math.max(100, width - LABEL_W - 8);
  const span = view.to - view.from;
  const xOf = (ms: number) => LABEL_W + ((ms - view.from) / span) * plotW;
  const msOf = (x: number) => view.from + ((x - LABEL_W) / plotW) * span;

  const clampView = (from: number, to: number) => {
    let s = Math.max(MIN_SPAN_MS, Math.min(to - from, fullTo - fullFrom));
    if (!Number.isFinite(s) || s <= 0) s = MIN_SPAN_MS;
    let f = Math.max(fullFrom, Math.min(from, fullTo - s));
    if (!Number.isFinite(f)) f = fullFrom;
    return { from: f, to: f + s };
  };
  const zoom = (factor: number, centerMs = (view.from + view.to) / 2) => {
    setView((v) => {
      const s = (v.to - v.from) * factor;
      const ratio = (centerMs - v.from) / (v.to - v.from);
      return clampView(centerMs - s * ratio, centerMs - s * ratio + s);
    });
  };
  const pan = (fraction: number) => setView((v) => clampView(v.from + (v.to - v.from) * fraction, v.to + (v.to - v.from) * fraction));

  // A native listener: React's wheel handler is passive and cannot stop the page from scrolling.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      const x = e.clientX - rect.left;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan((e.deltaX || e.deltaY) / 1000);
      else zoom(e.deltaY > 0 ? 1.25 : 0.8, x > LABEL_W ? view.from + ((x - LABEL_W) / plotW) * span : undefined);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const localX = (e: ReactMouseEvent) => e.clientX - (svg.current?.getBoundingClientRect().left ?? 0);
  const onMouseDown = (e: ReactMouseEvent) => {
    if (e.button !== 0 || (e.target as Element).closest('.marker')) return;
    drag.current = { x: localX(e), from: view.from, to: view.to, span: e.shiftKey };
    if (e.shiftKey) setSpanBox({ x0: localX(e), x1: localX(e) });
  };
  const onMouseMove = (e: ReactMouseEvent) => {
    const d = drag.current;
    if (!d) return;
    if (d.span) setSpanBox({ x0: d.x, x1: localX(e) });
    else {
      const dx = localX(e) - d.x;
      setView(clampView(d.from - (dx / plotW) * (d.to - d.from), d.to - (dx / plotW) * (d.to - d.from)));
    }
  };
  const onMouseUp = (e: ReactMouseEvent) => {
    const d = drag.current;
    drag.current = null;
    // A click (not a drag) on a marker row picks the nearest canvas-drawn marker.
    if (d && !d.span && Math.abs(localX(e) - d.x) < 3 && e.type === 'mouseup') {
      const y = e.clientY - (svg.current?.getBoundingClientRect().top ?? 0);
      const row = Math.floor((y - MARKERS_TOP) / MARKER_ROW_H);
      let best: { marker: TimelineLaneMarker; dist: number } | null = null;
      for (const g of canvasGroups) {
        const dist = Math.abs(g.x - d.x);
        if (g.row === row && dist <= 6 && (!best || dist < best.dist)) best = { marker: g.marker, dist };
      }
      if (best) onSelectMarker(best.marker);
    }
    if (d?.span && spanBox) {
      const a = Math.max(LABEL_W, Math.min(spanBox.x0, spanBox.x1));
      const b = Math.min(LABEL_W + plotW, Math.max(spanBox.x0, spanBox.x1));
      setSpanBox(null);
      if (b - a > 3) onSpan(new Date(msOf(a)).toISOString(), new Date(msOf(b)).toISOString());
    }
  };

  if (!hasRange) {
    return (
      <section className="panel timeline" aria-label="Timeline">
        <h2>Timeline</h2>
        <p className="muted">This export has no timestamps to draw.</p>
      </section>
    );
  }

  const lanes = (data?.lanes ?? []).slice(0, MAX_LANES);
  const markersTop = MARKERS_TOP;
  const lanesTop = markersTop + MARKER_TYPES.length * MARKER_ROW_H + 8;
  const height = lanesTop + Math.max(1, lanes.length) * LANE_H + 22;

  // Many markers share a pixel at a wide zoom: draw one per 6 px and say how many it stands for.
  // Keys are the event index, so zooming updates positions instead of rebuilding every marker.
  const grouped = new Map<string, { marker: TimelineLaneMarker; count: number; x: number; row: number }>();
  for (const m of data?.markers ?? []) {
    const row = MARKER_TYPES.findIndex((t) => t.id === m.marker);
    const x = xOf(Date.parse(m.ts));
    if (row < 0 || x < LABEL_W - 2 || x > LABEL_W + plotW + 2) continue;
    const cell = `${row}:${Math.round(x / 6)}`;
    const g = grouped.get(cell);
    if (g) g.count++;
    else grouped.set(cell, { marker: m, count: 1, x, row });
  }
  // Denials and approvals can number thousands: they are drawn on the canvas and picked by a click on
  // their row (the table's outcome and kind filters list them for keyboard users). Findings,
  // divergences and kill switches are few and matter most: they stay focusable buttons.
  const domGroups = [...grouped.values()].filter((g) => !CANVAS_MARKERS.has(g.marker.marker));
  const canvasGroups = [...grouped.values()].filter((g) => CANVAS_MARKERS.has(g.marker.marker));
  // The service caps markers per answer; when they stop well before the end of the view, say so
  // rather than let an empty stretch look like "no denials here".
  const lastMarker = data && data.markers.length >= 500 ? data.markers[data.markers.length - 1] : undefined;
  const markersCut = lastMarker && Date.parse(lastMarker.ts) < view.to - span * 0.05 ? lastMarker.ts : null;
  const selectedX = selected?.ts ? xOf(Date.parse(selected.ts)) : null;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => view.from + f * span);

  return (
    <section className="panel timeline" aria-label="Timeline">
      <div className="timeline-head">
        <h2>Timeline</h2>
        <span className="muted timeline-range">
          {formatTs(new Date(view.from).toISOString())} → {formatTs(new Date(view.to).toISOString())}
        </span>
        <div className="toolbar" role="toolbar" aria-label="Timeline controls">
          <button type="button" onClick={() => zoom(0.5)} aria-label="Zoom in">+ Zoom in</button>
          <button type="button" onClick={() => zoom(2)} aria-label="Zoom out">− Zoom out</button>
          <button type="button" onClick={() => pan(-0.25)} aria-label="Pan left">◀ Earlier</button>
          <button type="button" onClick={() => pan(0.25)} aria-label="Pan right">Later ▶</button>
          <button type="button" onClick={() => setView({ from: fullFrom, to: fullTo })} aria-label="Show the whole time range">Whole range</button>
          <button type="button" onClick={() => onSpan(new Date(view.from).toISOString(), new Date(view.to).toISOString())} aria-label="Filter the table to the visible time range">
            Filter table to this view
          </button>
        </div>
      </div>
      {error && <p className="error-text" role="alert">{error}</p>}
      {markersCut && (
        <p className="timeline-note" role="status">
          The service sent {data!.markers.length.toLocaleString('en-US')} markers for this view, all before {formatTs(markersCut)}; zoom in or pan to see markers after it.
        </p>
      )}
      <div ref={box} className="timeline-box">
        <LaneCanvas data={data} lanes={lanes} view={view} plotW={plotW} width={width} height={height} lanesTop={lanesTop} theme={theme} markers={canvasGroups} />
        <svg
          ref={svg}
          width={width}
          height={height}
          role="img"
          aria-label={`Timeline of ${lanes.length} agents. ${domGroups.length} findings, divergences or kill switches as buttons; ${canvasGroups.length} denial and approval marks (filter the table by outcome or kind to list them). Drag to pan, wheel to zoom, Shift+drag to filter the table to a span.`}
          onMouseDown={onMouseDown}
          onMouseMove={onMouseMove}
          onMouseUp={onMouseUp}
          onMouseLeave={onMouseUp}
          className="timeline-svg"
        >
          {MARKER_TYPES.map((t, row) => (
            <g key={t.id}>
              <text x={4} y={markersTop + row * MARKER_ROW_H + 12} className="lane-label">{t.label}</text>
              <line x1={LABEL_W} x2={LABEL_W + plotW} y1={markersTop + row * MARKER_ROW_H + 8} y2={markersTop + row * MARKER_ROW_H + 8} className="lane-rule" />
            </g>
          ))}
          {lanes.map((lane, i) => (
            <g key={lane.agent}>
              <rect x={0} y={lanesTop + i * LANE_H} width={LABEL_W + plotW} height={LANE_H} className="lane-bg" />
              <text x={4} y={lanesTop + i * LANE_H + 16} className="lane-label">
                <title>{lane.agent}</title>
                {lane.agent.length > 16 ? `${lane.agent.slice(0, 15)}…` : lane.agent}
              </text>
            </g>
          ))}
          {domGroups.map((g) => (
            <g
              key={`${g.marker.marker}-${g.marker.index}`}
              className={`marker marker-${g.marker.marker}`}
              role="button"
              tabIndex={0}
              aria-label={`${MARKER_TYPES[g.row]!.label.replace(/s$/, '')} at seq ${g.marker.seq}, ${formatTs(g.marker.ts)}${g.count > 1 ? `, and ${g.count - 1} more nearby` : ''}`}
              onClick={() => onSelectMarker(g.marker)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelectMarker(g.marker))}
            >
              <MarkerShape type={g.marker.marker} x={g.x} y={markersTop + g.row * MARKER_ROW_H + 8} />
            </g>
          ))}
          {selectedX !== null && selectedX >= LABEL_W && selectedX <= LABEL_W + plotW && <line x1={selectedX} x2={selectedX} y1={0} y2={height - 18} className="selected-line" />}
          {spanBox && <rect x={Math.min(spanBox.x0, spanBox.x1)} y={0} width={Math.abs(spanBox.x1 - spanBox.x0)} height={height - 18} className="span-box" />}
          {ticks.map((t, i) => (
            <text key={i} x={Math.min(LABEL_W + plotW - 60, Math.max(LABEL_W, xOf(t) - 30))} y={height - 4} className="tick">
              {timeLabel(new Date(t).toISOString(), span)}
            </text>
          ))}
        </svg>
      </div>
      <div className="legend" aria-label="Legend">
        {KIND_FAMILIES.map((k) => (
          <span key={k} className="legend-item">
            <span className={`swatch kind-${k}`} aria-hidden="true" /> {k}
          </span>
        ))}
        <span className="legend-sep" />
        {MARKER_TYPES.map((t) => (
          <span key={t.id} className={`legend-item marker-${t.id}`}>
            <svg width={12} height={12} aria-hidden="true" className="marker">
              <MarkerShape type={t.id} x={6} y={6} />
            </svg>{' '}
            {t.label}
          </span>
        ))}
      </div>
      <DecisionChart data={data} width={width} theme={theme} onSpan={onSpan} />
    </section>
  );
}

/**
 * The outcome chart only changes when new buckets arrive; memoized so that
 * panning and wheel-zooming (which re-render the lanes every frame) do not
 * re-render recharts too.
 */
const DecisionChart = memo(function DecisionChart({ data, width, theme, onSpan }: { data: TimelineData | null; width: number; theme: 'light' | 'dark'; onSpan(fromTs: string, toTs: string): void }) {
  const palette = PALETTES[theme];
  const chartData = useMemo(() => {
    const spanMs = data?.fromTs && data.toTs ? Date.parse(data.toTs) - Date.parse(data.fromTs) : 0;
    return (data?.buckets ?? []).map((b) => ({ ...b, label: timeLabel(b.start, spanMs) }));
  }, [data]);
  return (
    <div className="chart" aria-label="Decisions over time by outcome">
      <div className="chart-title">Decisions and events over time, by outcome (click to filter the table to that moment)</div>
      {/* Stacked step areas: four paths instead of hundreds of bars, so a zoom redraws in a frame. */}
      <AreaChart
        width={width}
        height={150}
        data={chartData}
        margin={{ top: 4, right: 8, bottom: 0, left: 0 }}
        onClick={(state) => {
          const i = Number(state?.activeTooltipIndex);
          const b = Number.isInteger(i) ? data?.buckets[i] : undefined;
          if (!b) return;
          onSpan(b.start, data?.buckets[i + 1]?.start ?? data?.toTs ?? b.start);
        }}
      >
        <CartesianGrid strokeDasharray="3 3" stroke={palette.grid} vertical={false} />
        <XAxis dataKey="label" tick={{ fontSize: 11, fill: palette.text }} minTickGap={40} />
        <YAxis tick={{ fontSize: 11, fill: palette.text }} width={56} />
        <Tooltip isAnimationActive={false} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {(['allow', 'deny', 'requireApproval', 'other'] as const).map((key) => (
          <Area
            key={key}
            type="stepAfter"
            dataKey={key}
            name={key === 'requireApproval' ? 'needs approval' : key === 'other' ? 'no decision' : key}
            stackId="outcomes"
            stroke={palette[key]}
            fill={palette[key]}
            fillOpacity={0.85}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    </div>
  );
});


const colourCache = new Map<string, string>();
/** Theme colours come from the CSS variables; reading computed style on every wheel step is not free. */
function themeColour(theme: string, name: string): string {
  const key = `${theme}:${name}`;
  let value = colourCache.get(key);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
    colourCache.set(key, value);
  }
  return value;
}

/**
 * Per agent lane, per bucket, a bar stacked by kind family, on a canvas:
 * thousands of SVG rects made every wheel step a long task, a canvas
 * redraw of the same bars takes about a millisecond.
 */
function LaneCanvas({ data, lanes, view, plotW, width, height, lanesTop, theme, markers }: { data: TimelineData | null; lanes: TimelineData['lanes']; view: { from: number; to: number }; plotW: number; width: number; height: number; lanesTop: number; theme: 'light' | 'dark'; markers: { marker: TimelineLaneMarker; x: number; row: number }[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const el = canvas.current;
    // jsdom has no canvas; component tests read the SVG and the table instead.
    if (!el || /jsdom/i.test(navigator.userAgent)) return;
    const ctx = el.getContext('2d');
    if (!ctx) return;
    const ratio = window.devicePixelRatio || 1;
    el.width = Math.round(width * ratio);
    el.height = Math.round(height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const colour = (name: string) => themeColour(theme, name);
    const oddBg = colour('--lane-odd');
    lanes.forEach((_, i) => {
      if (i % 2) {
        ctx.fillStyle = oddBg;
        ctx.fillRect(0, lanesTop + i * LANE_H, LABEL_W + plotW, LANE_H);
      }
    });
    // Denial ✕ and approval ● marks, the same shapes and colours as the legend.
    ctx.lineWidth = 2;
    for (const m of markers) {
      const y = MARKERS_TOP + m.row * MARKER_ROW_H + 8;
      if (m.marker.marker === 'deny') {
        ctx.strokeStyle = colour('--bad');
        ctx.beginPath();
        ctx.moveTo(m.x - 4, y - 4);
        ctx.lineTo(m.x + 4, y + 4);
        ctx.moveTo(m.x + 4, y - 4);
        ctx.lineTo(m.x - 4, y + 4);
        ctx.stroke();
      } else {
        ctx.fillStyle = colour('--kind-approval');
        ctx.beginPath();
        ctx.arc(m.x, y, 4, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    if (!data?.fromTs || !data.toTs) return;
    const from = Date.parse(data.fromTs);
    const spanMs = Math.max(1, Date.parse(data.toTs) - from);
    const nb = data.buckets.length || BUCKETS;
    // Buckets are placed by their own start times: the service may round the bucket width.
    const startOf = (b: number) => (data.buckets[b] ? Date.parse(data.buckets[b]!.start) : from + (spanMs * b) / nb);
    const viewSpan = view.to - view.from;
    const xOf = (ms: number) => LABEL_W + ((ms - view.from) / viewSpan) * plotW;
    const w = Math.max(1, ((startOf(1) - startOf(0)) / viewSpan) * plotW - 0.5);
    const fills = Object.fromEntries(KIND_FAMILIES.map((k) => [k, colour(`--kind-${k}`)]));
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, 0, plotW, height);
    ctx.clip();
    lanes.forEach((lane, i) => {
      const y = lanesTop + i * LANE_H;
      const perBucket = new Map<number, Map<string, number>>();
      for (const c of lane.counts) {
        const families = perBucket.get(c.bucket) ?? perBucket.set(c.bucket, new Map()).get(c.bucket)!;
        families.set(kindFamily(c.kind), (families.get(kindFamily(c.kind)) ?? 0) + c.count);
      }
      let max = 1;
      for (const f of perBucket.values()) max = Math.max(max, [...f.values()].reduce((a, n) => a + n, 0));
      for (const [b, families] of perBucket) {
        const x = xOf(startOf(b));
        if (x + w < LABEL_W || x > LABEL_W + plotW) continue;
        const sum = [...families.values()].reduce((a, n) => a + n, 0);
        const h = Math.max(2, Math.sqrt(sum / max) * (LANE_H - 4));
        let yy = y + LANE_H - 2;
        for (const family of KIND_FAMILIES) {
          const n = families.get(family);
          if (!n) continue;
          const ch = (n / sum) * h;
          yy -= ch;
          ctx.fillStyle = fills[family]!;
          ctx.fillRect(x, yy, w, ch);
        }
      }
    });
    ctx.restore();
  }, [data, lanes, view.from, view.to, plotW, width, height, lanesTop, theme, markers]);
  return <canvas ref={canvas} className="lane-canvas" style={{ width, height }} aria-hidden="true" />;
}
