import { describe, expect, it } from 'vitest';
import type { TimelineData, TimelineLaneMarker } from '../../src/shared/api/audit-api';
import {
  clampView,
  dragView,
  fullWindow,
  groupMarkers,
  hitTest,
  LABEL_W,
  LANE_H,
  laneBars,
  layoutOf,
  markerRowY,
  markersCutAt,
  MIN_SPAN_MS,
  panView,
  scaleOf,
  spanOfBox,
  timeLabel,
  zoomView,
} from '../../src/renderer/timeline-math';

const T0 = Date.parse('2026-11-24T08:00:00.000Z');
const full = { from: T0, to: T0 + 100_000 };
const iso = (ms: number) => new Date(ms).toISOString();
const marker = (index: number, ms: number, kind: TimelineLaneMarker['marker']): TimelineLaneMarker => ({ index, seq: index, ts: iso(ms), kind: 'x', marker: kind });

describe('timeline view math', () => {
  it('labels time as precisely as the span needs', () => {
    const t = '2026-11-24T08:00:02.056Z';
    expect(timeLabel(t, 14 * 86_400_000)).toBe('11-24 08:00');
    expect(timeLabel(t, 5 * 3_600_000)).toBe('08:00');
    expect(timeLabel(t, 10 * 60_000)).toBe('08:00:02');
    expect(timeLabel(t, 5_000)).toBe('08:00:02.056');
  });

  it('takes the whole range of a case, at least a second wide, and says when there is none', () => {
    expect(fullWindow(iso(T0), iso(T0 + 5000))).toEqual({ from: T0, to: T0 + 5000, hasRange: true });
    expect(fullWindow(iso(T0), iso(T0))).toEqual({ from: T0, to: T0 + MIN_SPAN_MS, hasRange: true });
    expect(fullWindow(null, null).hasRange).toBe(false);
  });

  it('keeps the window inside the range, no narrower than the minimum and no wider than the range', () => {
    expect(clampView(full, T0 - 5000, T0 + 20_000)).toEqual({ from: T0, to: T0 + 25_000 });
    expect(clampView(full, T0 + 90_000, T0 + 120_000)).toEqual({ from: T0 + 70_000, to: T0 + 100_000 });
    expect(clampView(full, T0 - 1e9, T0 + 1e9)).toEqual(full);
    expect(clampView(full, T0 + 10, T0 + 20)).toEqual({ from: T0 + 10, to: T0 + 10 + MIN_SPAN_MS });
  });

  it('zooms around a point that stays put on screen, and pans by a fraction of the span', () => {
    const v = { from: T0 + 20_000, to: T0 + 60_000 };
    const z = zoomView(full, v, 0.5, T0 + 30_000);
    expect(z.to - z.from).toBe(20_000);
    // The centre keeps its fraction of the width (a quarter in).
    expect((T0 + 30_000 - z.from) / (z.to - z.from)).toBeCloseTo(0.25);
    expect(zoomView(full, v, 0.5)).toEqual({ from: T0 + 30_000, to: T0 + 50_000 });
    expect(zoomView(full, v, 100)).toEqual(full);
    expect(panView(full, v, 0.25)).toEqual({ from: T0 + 30_000, to: T0 + 70_000 });
    expect(panView(full, v, -1)).toEqual({ from: T0, to: T0 + 40_000 });
  });

  it('maps pixels and times both ways, drags against the pointer, and turns a Shift+drag box into a span', () => {
    const v = { from: T0, to: T0 + 10_000 };
    const { xOf, msOf } = scaleOf(v, 500);
    expect(xOf(T0)).toBe(LABEL_W);
    expect(xOf(T0 + 10_000)).toBe(LABEL_W + 500);
    expect(msOf(LABEL_W + 250)).toBe(T0 + 5000);
    // Dragging right by a tenth of the plot shows earlier time (clamped at the start here).
    expect(dragView(full, { from: T0 + 50_000, to: T0 + 60_000 }, 50, 500)).toEqual({ from: T0 + 49_000, to: T0 + 59_000 });
    expect(dragView(full, v, 50, 500)).toEqual(v);
    expect(spanOfBox(v, 500, LABEL_W + 300, LABEL_W + 100)).toEqual({ fromMs: T0 + 2000, toMs: T0 + 6000 });
    expect(spanOfBox(v, 500, 0, LABEL_W + 50)).toEqual({ fromMs: T0, toMs: T0 + 1000 });
    expect(spanOfBox(v, 500, LABEL_W + 10, LABEL_W + 12)).toBeNull();
  });

  it('groups markers sharing a few pixels, leaves out those outside the view, and splits buttons from canvas marks', () => {
    const v = { from: T0, to: T0 + 10_000 };
    const ms = [
      marker(1, T0 + 1000, 'finding'),
      marker(2, T0 + 1001, 'finding'),
      marker(3, T0 + 1000, 'deny'),
      marker(4, T0 + 9000, 'approval'),
      marker(5, T0 + 50_000, 'finding'),
      marker(6, T0 + 5000, 'killswitch'),
    ];
    const { dom, canvas } = groupMarkers(ms, v, 500);
    expect(dom.map((g) => [g.marker.index, g.count, g.row])).toEqual([
      [1, 2, 0],
      [6, 1, 4],
    ]);
    expect(canvas.map((g) => [g.marker.index, g.row])).toEqual([
      [3, 2],
      [4, 3],
    ]);
  });

  it('picks the nearest canvas mark on the clicked row, and nothing on another row or too far away', () => {
    const v = { from: T0, to: T0 + 10_000 };
    const { canvas } = groupMarkers([marker(3, T0 + 1000, 'deny'), marker(7, T0 + 1200, 'deny'), marker(4, T0 + 1000, 'approval')], v, 500);
    const x = scaleOf(v, 500).xOf(T0 + 1150);
    expect(hitTest(canvas, x, markerRowY(2))?.index).toBe(7);
    expect(hitTest(canvas, scaleOf(v, 500).xOf(T0 + 1000), markerRowY(3))?.index).toBe(4);
    expect(hitTest(canvas, x, markerRowY(0))).toBeNull();
    expect(hitTest(canvas, x + 40, markerRowY(2))).toBeNull();
  });

  it('says where a capped marker answer stops when that is well before the end of the view', () => {
    const v = { from: T0, to: T0 + 10_000 };
    const data = (n: number, lastMs: number): TimelineData => ({
      fromTs: iso(v.from),
      toTs: iso(v.to),
      agents: [],
      buckets: [],
      lanes: [],
      markers: Array.from({ length: n }, (_, i) => marker(i, i === n - 1 ? lastMs : T0, 'deny')),
    });
    expect(markersCutAt(data(500, T0 + 2000), v)).toBe(iso(T0 + 2000));
    expect(markersCutAt(data(500, T0 + 9800), v)).toBeNull();
    expect(markersCutAt(data(499, T0 + 2000), v)).toBeNull();
    expect(markersCutAt(null, v)).toBeNull();
  });

  it('stacks a lane bar by kind family with a height growing as the square root of its count', () => {
    const v = { from: T0, to: T0 + 10_000 };
    const buckets = [0, 1, 2, 3].map((b) => ({ start: iso(T0 + b * 2500), total: 0, allow: 0, deny: 0, requireApproval: 0, other: 0 }));
    const lane = {
      agent: 'a',
      counts: [
        { kind: 'action.executed', bucket: 0, count: 3 },
        { kind: 'policy.decision', bucket: 0, count: 1 },
        { kind: 'weird', bucket: 2, count: 1 },
      ],
    };
    const data: TimelineData = { fromTs: iso(v.from), toTs: iso(v.to), agents: ['a'], buckets, lanes: [lane], markers: [] };
    const { lanesTop } = layoutOf(1);
    const pieces = laneBars(data, lane, 0, lanesTop, v, 400);
    const first = pieces.filter((p) => p.x === LABEL_W);
    expect(first.map((p) => p.family)).toEqual(['action', 'policy']);
    const full4 = LANE_H - 4;
    expect(first[0]!.h + first[1]!.h).toBeCloseTo(full4);
    expect(first[0]!.h / first[1]!.h).toBeCloseTo(3);
    const third = pieces.filter((p) => p.x === LABEL_W + 200);
    expect(third).toHaveLength(1);
    expect(third[0]!.family).toBe('other');
    expect(third[0]!.h).toBeCloseTo(Math.sqrt(1 / 4) * full4);
    expect(third[0]!.w).toBeCloseTo(100 - 0.5);
    // Zoomed to the second half, the first bucket is off the plot.
    expect(laneBars(data, lane, 0, lanesTop, { from: T0 + 5000, to: T0 + 10_000 }, 400).map((p) => p.family)).toEqual(['other']);
  });
});
