/**
 * One lane per agent over time, marker rows for what a reviewer hunts for,
 * and a recharts chart of decision outcomes. Wheel or buttons zoom, drag or
 * buttons pan, Shift+drag (or "Filter table to this view") picks a span.
 * The service buckets the data, so zooming a million events stays cheap.
 *
 * This file wires the pieces: the view math (timeline-math.ts), the data
 * (useTimelineData.ts), the lane canvas (LaneCanvas.tsx) and the outcome
 * chart (DecisionChart.tsx).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { MouseEvent as ReactMouseEvent } from 'react';
import type { CaseSummary, TimelineLaneMarker } from '../shared/api/audit-api';
import { DecisionChart } from './DecisionChart';
import { formatTs, KIND_FAMILIES } from './format';
import { LaneCanvas } from './LaneCanvas';
import {
  dragView,
  fullWindow,
  groupMarkers,
  hitTest,
  LABEL_W,
  LANE_H,
  layoutOf,
  MARKER_TYPES,
  markerRowY,
  markersCutAt,
  MAX_LANES,
  panView,
  scaleOf,
  spanOfBox,
  ticksOf,
  timeLabel,
  zoomView,
  type TimeWindow,
} from './timeline-math';
import type { Conduct } from './useConduct';
import { useConductMarkers, useTimelineData, type ConductMarker } from './useTimelineData';

export interface TimelineProps {
  summary: CaseSummary;
  selected: { index: number; ts: string | null } | null;
  theme: 'light' | 'dark';
  onSelectMarker(marker: TimelineLaneMarker): void;
  onSpan(fromTs: string, toTs: string): void;
  /** False until the table's first page is in, so the bucket query does not delay the first view. */
  enabled?: boolean;
  /** Workflow and conduct findings, drawn on the Findings row with the service's integrity findings. */
  conduct?: Conduct;
}

const NO_CONDUCT: Conduct = { list: [], byIndex: new Map(), kinds: [] };

/** A marker button's accessible name: what it is (a conduct finding by its kind), its seq and time, and how many more it stands for. */
function markerName(m: TimelineLaneMarker | ConductMarker, row: number, count: number): string {
  const what = 'conduct' in m ? `${m.conduct.severity === 'warning' ? 'Warning' : 'Violation'} ${m.conduct.kind}` : MARKER_TYPES[row]!.one;
  return `${what} at seq ${m.seq}, ${formatTs(m.ts)}${count > 1 ? `, and ${count - 1} more nearby` : ''}`;
}

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

/** The width of an element, followed as it resizes. */
function useWidth(initial: number) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(initial);
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
  return [box, width] as const;
}

export function Timeline({ summary, selected, theme, onSelectMarker, onSpan, enabled = true, conduct = NO_CONDUCT }: TimelineProps) {
  const { hasRange, ...full } = fullWindow(summary.firstTs, summary.lastTs);
  const [view, setView] = useState<TimeWindow>(full);
  const [box, width] = useWidth(900);
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ x: number; start: TimeWindow; span: boolean } | null>(null);
  const [spanBox, setSpanBox] = useState<{ x0: number; x1: number } | null>(null);
  const { data, error } = useTimelineData(summary.caseId, view, hasRange && enabled);
  const conductMarkers = useConductMarkers(summary.caseId, conduct);
  const allMarkers = useMemo(() => [...(data?.markers ?? []), ...conductMarkers], [data, conductMarkers]);

  useEffect(() => setView({ from: full.from, to: full.to }), [summary.caseId, full.from, full.to]);

  const plotW = Math.max(100, width - LABEL_W - 8);
  const span = view.to - view.from;
  const { xOf, msOf } = scaleOf(view, plotW);
  const zoom = (factor: number, centerMs?: number) => setView((v) => zoomView(full, v, factor, centerMs));
  const pan = (fraction: number) => setView((v) => panView(full, v, fraction));

  // A native listener: React's wheel handler is passive and cannot stop the page from scrolling.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const x = e.clientX - el.getBoundingClientRect().left;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan((e.deltaX || e.deltaY) / 1000);
      else zoom(e.deltaY > 0 ? 1.25 : 0.8, x > LABEL_W ? msOf(x) : undefined);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  if (!hasRange) {
    return (
      <section className="panel timeline" aria-label="Timeline">
        <h2>Timeline</h2>
        <p className="muted">This export has no timestamps to draw.</p>
      </section>
    );
  }

  const lanes = (data?.lanes ?? []).slice(0, MAX_LANES);
  const { lanesTop, height } = layoutOf(lanes.length);
  const { dom: domGroups, canvas: canvasGroups } = groupMarkers(allMarkers, view, plotW);
  const markersCut = markersCutAt(data, view);
  const selectedX = selected?.ts ? xOf(Date.parse(selected.ts)) : null;

  const localX = (e: ReactMouseEvent) => e.clientX - (svg.current?.getBoundingClientRect().left ?? 0);
  const onMouseDown = (e: ReactMouseEvent) => {
    if (e.button !== 0 || (e.target as Element).closest('.marker')) return;
    drag.current = { x: localX(e), start: view, span: e.shiftKey };
    if (e.shiftKey) setSpanBox({ x0: localX(e), x1: localX(e) });
  };
  const onMouseMove = (e: ReactMouseEvent) => {
    const d = drag.current;
    if (!d) return;
    if (d.span) setSpanBox({ x0: d.x, x1: localX(e) });
    else setView(dragView(full, d.start, localX(e) - d.x, plotW));
  };
  const onMouseUp = (e: ReactMouseEvent) => {
    const d = drag.current;
    drag.current = null;
    // A click (not a drag) on a marker row picks the nearest canvas-drawn marker.
    if (d && !d.span && Math.abs(localX(e) - d.x) < 3 && e.type === 'mouseup') {
      const hit = hitTest(canvasGroups, d.x, e.clientY - (svg.current?.getBoundingClientRect().top ?? 0));
      if (hit) onSelectMarker(hit);
    }
    if (d?.span && spanBox) {
      setSpanBox(null);
      const picked = spanOfBox(view, plotW, spanBox.x0, spanBox.x1);
      if (picked) onSpan(new Date(picked.fromMs).toISOString(), new Date(picked.toMs).toISOString());
    }
  };

  return (
    <section className="panel timeline" aria-label="Timeline">
      <div className="timeline-head">
        <h2>Timeline</h2>
        <span className="muted timeline-range">
          {formatTs(new Date(view.from).toISOString())} → {formatTs(new Date(view.to).toISOString())}
        </span>
        <div className="toolbar" role="toolbar" aria-label="Timeline controls">
          <button type="button" onClick={() => zoom(0.5)} aria-label="Zoom in">
            + Zoom in
          </button>
          <button type="button" onClick={() => zoom(2)} aria-label="Zoom out">
            − Zoom out
          </button>
          <button type="button" onClick={() => pan(-0.25)} aria-label="Pan left">
            ◀ Earlier
          </button>
          <button type="button" onClick={() => pan(0.25)} aria-label="Pan right">
            Later ▶
          </button>
          <button type="button" onClick={() => setView({ from: full.from, to: full.to })} aria-label="Show the whole time range">
            Whole range
          </button>
          <button type="button" onClick={() => onSpan(new Date(view.from).toISOString(), new Date(view.to).toISOString())} aria-label="Filter the table to the visible time range">
            Filter table to this view
          </button>
        </div>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
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
          role="group"
          aria-label={`Timeline of ${lanes.length} agents. ${domGroups.length} findings, divergences or kill switches as buttons; ${canvasGroups.length} denial and approval marks (filter the table by outcome or kind to list them). Drag to pan, wheel to zoom, Shift+drag to filter the table to a span.`}
          onMouseDown={onMouseDown}
          onMouseMove={onMouseMove}
          onMouseUp={onMouseUp}
          onMouseLeave={onMouseUp}
          className="timeline-svg"
        >
          {MARKER_TYPES.map((t, row) => (
            <g key={t.id}>
              <text x={4} y={markerRowY(row) + 4} className="lane-label">
                {t.label}
              </text>
              <line x1={LABEL_W} x2={LABEL_W + plotW} y1={markerRowY(row)} y2={markerRowY(row)} className="lane-rule" />
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
              aria-label={markerName(g.marker, g.row, g.count)}
              onClick={() => onSelectMarker(g.marker)}
              onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelectMarker(g.marker))}
            >
              <MarkerShape type={g.marker.marker} x={g.x} y={markerRowY(g.row)} />
            </g>
          ))}
          {selectedX !== null && selectedX >= LABEL_W && selectedX <= LABEL_W + plotW && <line x1={selectedX} x2={selectedX} y1={0} y2={height - 18} className="selected-line" />}
          {spanBox && <rect x={Math.min(spanBox.x0, spanBox.x1)} y={0} width={Math.abs(spanBox.x1 - spanBox.x0)} height={height - 18} className="span-box" />}
          {ticksOf(view).map((t, i) => (
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
