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

/** Horizontal bars, biggest on top: [[label, value]]. */
export function barsOption(rows: [string, number][], color = BLUE): EChartsOption {
  const r = [...rows].reverse();
  return {
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: r.map((x) => x[0]), axisLabel: { width: 120, overflow: 'truncate' } },
    series: [{ type: 'bar', data: r.map((x) => x[1]), itemStyle: { color }, label: { show: true, position: 'right' }, barMaxWidth: 22 }],
  };
}

/** A share of a whole: [[label, value]]. */
export function pieOption(rows: [string, number][]): EChartsOption {
  return {
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { type: 'scroll', orient: 'vertical', right: 0, top: 'middle' },
    series: [{ type: 'pie', radius: ['35%', '65%'], center: ['38%', '50%'], data: rows.map(([name, value]) => ({ name, value })), label: { formatter: '{b} {c}' } }],
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
