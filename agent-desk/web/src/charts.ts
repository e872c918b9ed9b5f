// ECharts with only what the desk draws (bars, lines, pies, a heat map), and the option
// builders for them. Labels come from the catalogue and figures; text is drawn on canvas.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, MarkLineComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, MarkLineComponent, DataZoomComponent, CanvasRenderer]);
export { echarts };
export type { EChartsOption };

const BLUE = '#2f6fb3';

/** Horizontal bars, biggest on top: [[label, value]]; `color` one colour, or one per label. */
export function barsOption(rows: [string, number][], color: string | ((label: string) => string) = BLUE): EChartsOption {
  const r = [...rows].reverse();
  const data = typeof color === 'string' ? r.map((x) => x[1]) : r.map((x) => ({ value: x[1], itemStyle: { color: color(x[0]) } }));
  return {
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: r.map((x) => x[0]), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [{ type: 'bar', data, ...(typeof color === 'string' ? { itemStyle: { color } } : {}), label: { show: true, position: 'right' }, barMaxWidth: 22 }],
  };
}

/** A share of a whole: [[label, value]]. */
export function pieOption(rows: [string, number][]): EChartsOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    // The legend below the pie, not beside it: in a third of a 1366-pixel screen a legend on the
    // side left the labels no room (「求...」, 「书记市...」) and ran into them.
    legend: { type: 'scroll', orient: 'horizontal', bottom: 0, left: 'center' },
    series: [{
      type: 'pie', radius: ['28%', '52%'], center: ['50%', '45%'], data: rows.map(([name, value]) => ({ name, value })),
      label: { formatter: '{b} {c}', overflow: 'none' }, labelLine: { length: 8, length2: 8 }, avoidLabelOverlap: true,
    }],
  };
}

/** A trend line over days, with an optional comparison line (the same days a year before). */
export function trendOption(days: string[], series: { name: string; values: (number | null)[]; dashed?: boolean; color?: string }[]): EChartsOption {
  return {
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    xAxis: { type: 'category', data: days.map((d) => d.slice(5)), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({
      type: 'line', name: s.name, data: s.values, showSymbol: days.length <= 31, symbolSize: 6, connectNulls: false,
      lineStyle: { type: s.dashed ? 'dashed' : 'solid', width: 2 }, itemStyle: s.color ? { color: s.color } : undefined,
    })),
  };
}
