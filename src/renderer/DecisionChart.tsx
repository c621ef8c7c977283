/** The recharts chart of events per time bucket by outcome, under the lanes; clicking a bucket filters the table to it. */
import { memo, useMemo } from 'react';
import { Area, AreaChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { TimelineData } from '../shared/api/audit-api';
import { timeLabel } from './timeline-math';

const PALETTES = {
  light: { allow: '#2e7d32', deny: '#c62828', requireApproval: '#1565c0', other: '#9e9e9e', grid: '#d0d4da', text: '#333' },
  dark: { allow: '#66bb6a', deny: '#ef5350', requireApproval: '#64b5f6', other: '#8d8d8d', grid: '#3a4048', text: '#ddd' },
};

export interface DecisionChartProps {
  data: TimelineData | null;
  width: number;
  theme: 'light' | 'dark';
  onSpan(fromTs: string, toTs: string): void;
}

/**
 * Only changes when new buckets arrive; memoized so that panning and
 * wheel-zooming (which re-render the lanes every frame) do not re-render
 * recharts too.
 */
export const DecisionChart = memo(function DecisionChart({ data, width, theme, onSpan }: DecisionChartProps) {
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
        title="Events over time by outcome"
        desc="Left and Right arrow keys step through the time buckets and show each one's counts; a click filters the table to that bucket."
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
