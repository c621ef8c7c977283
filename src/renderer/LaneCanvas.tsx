/**
 * Per agent lane, per bucket, a bar stacked by kind family, on a canvas:
 * thousands of SVG rects made every wheel step a long task, a canvas
 * redraw of the same bars takes about a millisecond. The denial and
 * approval marks are drawn here too (the SVG above holds the focusable ones).
 */
import { useEffect, useRef } from 'react';
import type { TimelineData } from '../shared/api/audit-api';
import { KIND_FAMILIES } from './format';
import { LABEL_W, LANE_H, laneBars, markerRowY, type MarkerGroup, type TimeWindow } from './timeline-math';

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

export interface LaneCanvasProps {
  data: TimelineData | null;
  lanes: TimelineData['lanes'];
  view: TimeWindow;
  plotW: number;
  width: number;
  height: number;
  lanesTop: number;
  theme: 'light' | 'dark';
  markers: MarkerGroup[];
}

export function LaneCanvas({ data, lanes, view, plotW, width, height, lanesTop, theme, markers }: LaneCanvasProps) {
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
      const y = markerRowY(m.row);
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
    if (!data) return;
    const fills = Object.fromEntries(KIND_FAMILIES.map((k) => [k, colour(`--kind-${k}`)]));
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, 0, plotW, height);
    ctx.clip();
    lanes.forEach((lane, i) => {
      for (const piece of laneBars(data, lane, i, lanesTop, view, plotW)) {
        ctx.fillStyle = fills[piece.family]!;
        ctx.fillRect(piece.x, piece.y, piece.w, piece.h);
      }
    });
    ctx.restore();
  }, [data, lanes, view, plotW, width, height, lanesTop, theme, markers]);
  return <canvas ref={canvas} className="lane-canvas" style={{ width, height }} aria-hidden="true" />;
}
