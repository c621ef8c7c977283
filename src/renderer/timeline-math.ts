/**
 * The timeline's view math, with no React and no DOM: the visible window
 * (clamped zoom and pan), pixel ↔ time scales, marker grouping, the click
 * hit-test for canvas-drawn markers and the lane bars drawn per bucket.
 * Unit-tested in test/renderer/timeline-math.test.ts.
 */
import type { TimelineData, TimelineLaneMarker } from '../shared/api/audit-api';
import { KIND_FAMILIES, kindFamily } from './format';

export const LABEL_W = 120;
export const MARKER_ROW_H = 16;
export const LANE_H = 24;
export const BUCKETS = 120;
export const MIN_SPAN_MS = 1000;
export const MAX_LANES = 40;
export const MARKERS_TOP = 4;
/** Markers that can number thousands: drawn on the canvas, picked by a click on their row. */
const CANVAS_MARKERS = new Set<TimelineLaneMarker['marker']>(['deny', 'approval']);
/** Markers are drawn one per this many pixels; the one drawn says how many it stands for. */
const GROUP_PX = 6;
/** A click this close (px) to a canvas marker picks it. */
const HIT_PX = 6;
/** The service caps markers per answer at this many. */
const MARKER_CAP = 500;

export const MARKER_TYPES: { id: TimelineLaneMarker['marker']; label: string; one: string }[] = [
  { id: 'finding', label: 'Findings', one: 'Finding' },
  { id: 'divergence', label: 'Divergences', one: 'Divergence' },
  { id: 'deny', label: 'Denials', one: 'Denial' },
  { id: 'approval', label: 'Approvals', one: 'Approval' },
  { id: 'killswitch', label: 'Kill switches', one: 'Kill switch' },
];

export interface TimeWindow {
  from: number;
  to: number;
}

/** A time label as precise as the visible span needs: days apart show the date, a second apart the milliseconds. */
export function timeLabel(iso: string, spanMs: number): string {
  if (spanMs > 2 * 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  if (spanMs > 3_600_000) return iso.slice(11, 16);
  if (spanMs > 60_000) return iso.slice(11, 19);
  return iso.slice(11, 23);
}

/** The whole range of a case: at least MIN_SPAN_MS wide, NaN bounds when the case has no timestamps. */
export function fullWindow(firstTs: string | null, lastTs: string | null): TimeWindow & { hasRange: boolean } {
  const from = firstTs ? Date.parse(firstTs) : NaN;
  const end = lastTs ? Date.parse(lastTs) : NaN;
  return { from, to: Math.max(end, from + MIN_SPAN_MS), hasRange: Number.isFinite(from) && Number.isFinite(end) };
}

/** A window kept inside the whole range, never narrower than MIN_SPAN_MS nor wider than the range. */
export function clampView(full: TimeWindow, from: number, to: number): TimeWindow {
  let s = Math.max(MIN_SPAN_MS, Math.min(to - from, full.to - full.from));
  if (!Number.isFinite(s) || s <= 0) s = MIN_SPAN_MS;
  let f = Math.max(full.from, Math.min(from, full.to - s));
  if (!Number.isFinite(f)) f = full.from;
  return { from: f, to: f + s };
}

/** Zoom by `factor` (below 1 zooms in) keeping `centerMs` at the same place on screen. */
export function zoomView(full: TimeWindow, v: TimeWindow, factor: number, centerMs = (v.from + v.to) / 2): TimeWindow {
  const s = (v.to - v.from) * factor;
  const ratio = (centerMs - v.from) / (v.to - v.from);
  return clampView(full, centerMs - s * ratio, centerMs - s * ratio + s);
}

/** Pan by a fraction of the visible span (negative is earlier). */
export function panView(full: TimeWindow, v: TimeWindow, fraction: number): TimeWindow {
  const d = (v.to - v.from) * fraction;
  return clampView(full, v.from + d, v.to + d);
}

/** Pixels ↔ milliseconds for a window drawn in a plot `plotW` wide, right of the lane labels. */
export function scaleOf(view: TimeWindow, plotW: number) {
  const span = view.to - view.from;
  return {
    xOf: (ms: number) => LABEL_W + ((ms - view.from) / span) * plotW,
    msOf: (x: number) => view.from + ((x - LABEL_W) / plotW) * span,
  };
}

/** The window after dragging the plot `dx` pixels from where a drag started. */
export function dragView(full: TimeWindow, start: TimeWindow, dx: number, plotW: number): TimeWindow {
  const shift = (dx / plotW) * (start.to - start.from);
  return clampView(full, start.from - shift, start.to - shift);
}

/** The times a Shift+drag box covers, clipped to the plot, or null for a box too small to mean a span. */
export function spanOfBox(view: TimeWindow, plotW: number, x0: number, x1: number): { fromMs: number; toMs: number } | null {
  const a = Math.max(LABEL_W, Math.min(x0, x1));
  const b = Math.min(LABEL_W + plotW, Math.max(x0, x1));
  if (b - a <= 3) return null;
  const { msOf } = scaleOf(view, plotW);
  return { fromMs: msOf(a), toMs: msOf(b) };
}

export interface MarkerGroup {
  marker: TimelineLaneMarker;
  count: number;
  x: number;
  row: number;
}

/**
 * Many markers share a pixel at a wide zoom: one group per GROUP_PX per row,
 * led by its first marker. Findings, divergences and kill switches (few, and
 * what matters most) go to `dom` (focusable buttons); denials and approvals
 * to `canvas`.
 */
export function groupMarkers(markers: readonly TimelineLaneMarker[], view: TimeWindow, plotW: number): { dom: MarkerGroup[]; canvas: MarkerGroup[] } {
  const { xOf } = scaleOf(view, plotW);
  const grouped = new Map<string, MarkerGroup>();
  for (const m of markers) {
    const row = MARKER_TYPES.findIndex((t) => t.id === m.marker);
    const x = xOf(Date.parse(m.ts));
    if (row < 0 || x < LABEL_W - 2 || x > LABEL_W + plotW + 2) continue;
    const cell = `${row}:${Math.round(x / GROUP_PX)}`;
    const g = grouped.get(cell);
    if (g) g.count++;
    else grouped.set(cell, { marker: m, count: 1, x, row });
  }
  const all = [...grouped.values()];
  return { dom: all.filter((g) => !CANVAS_MARKERS.has(g.marker.marker)), canvas: all.filter((g) => CANVAS_MARKERS.has(g.marker.marker)) };
}

/** The marker row under a y coordinate (may be out of range: no row). */
export function markerRowAt(y: number): number {
  return Math.floor((y - MARKERS_TOP) / MARKER_ROW_H);
}

/** The y of a marker row's centre line. */
export function markerRowY(row: number): number {
  return MARKERS_TOP + row * MARKER_ROW_H + 8;
}

/** The canvas marker a click at (x, y) picks: the nearest on that row within HIT_PX, or null. */
export function hitTest(groups: readonly MarkerGroup[], x: number, y: number): TimelineLaneMarker | null {
  const row = markerRowAt(y);
  let best: { marker: TimelineLaneMarker; dist: number } | null = null;
  for (const g of groups) {
    const dist = Math.abs(g.x - x);
    if (g.row === row && dist <= HIT_PX && (!best || dist < best.dist)) best = { marker: g.marker, dist };
  }
  return best?.marker ?? null;
}

/**
 * When the service's capped marker answer stops well before the end of the
 * view, the time of its last marker (so the view can say so rather than let
 * an empty stretch look like "no denials here"); otherwise null.
 */
export function markersCutAt(data: TimelineData | null, view: TimeWindow): string | null {
  const last = data && data.markers.length >= MARKER_CAP ? data.markers[data.markers.length - 1] : undefined;
  return last && Date.parse(last.ts) < view.to - (view.to - view.from) * 0.05 ? last.ts : null;
}

/** Vertical layout: where the agent lanes start and the whole drawing's height. */
export function layoutOf(laneCount: number): { lanesTop: number; height: number } {
  const lanesTop = MARKERS_TOP + MARKER_TYPES.length * MARKER_ROW_H + 8;
  return { lanesTop, height: lanesTop + Math.max(1, laneCount) * LANE_H + 22 };
}

/** The five tick times under the plot. */
export function ticksOf(view: TimeWindow): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => view.from + f * (view.to - view.from));
}

export interface BarPiece {
  family: (typeof KIND_FAMILIES)[number];
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * One lane's bars: per bucket a bar whose height grows with the square root
 * of its count (relative to the lane's fullest bucket), stacked by kind
 * family in legend order. Buckets are placed by their own start times (the
 * service may round the bucket width); those outside the plot are left out.
 */
export function laneBars(data: TimelineData, lane: TimelineData['lanes'][number], laneIndex: number, lanesTop: number, view: TimeWindow, plotW: number): BarPiece[] {
  if (!data.fromTs || !data.toTs) return [];
  const from = Date.parse(data.fromTs);
  const spanMs = Math.max(1, Date.parse(data.toTs) - from);
  const nb = data.buckets.length || BUCKETS;
  const startOf = (b: number) => (data.buckets[b] ? Date.parse(data.buckets[b]!.start) : from + (spanMs * b) / nb);
  const { xOf } = scaleOf(view, plotW);
  const w = Math.max(1, ((startOf(1) - startOf(0)) / (view.to - view.from)) * plotW - 0.5);
  const y = lanesTop + laneIndex * LANE_H;
  const perBucket = new Map<number, Map<string, number>>();
  for (const c of lane.counts) {
    const families = perBucket.get(c.bucket) ?? perBucket.set(c.bucket, new Map()).get(c.bucket)!;
    const family = kindFamily(c.kind);
    families.set(family, (families.get(family) ?? 0) + c.count);
  }
  let max = 1;
  for (const f of perBucket.values())
    max = Math.max(
      max,
      [...f.values()].reduce((a, n) => a + n, 0),
    );
  const pieces: BarPiece[] = [];
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
      pieces.push({ family, x, y: yy, w, h: ch });
    }
  }
  return pieces;
}
