// (c) A final metric per config: a bar at the mean over the repeats, an error bar over its 95% confidence
// interval (configs with fewer than two runs have none), and the mean written inside the bar.
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, SCHEMA } from './render.js';

export interface BarDatum {
  config: string;
  mean: number;
  /** 95% CI bounds, null with fewer than two runs. */
  low: number | null;
  high: number | null;
  n: number;
}

/** Vega-Lite spec: horizontal bars (config on y, metric on x) with CI error bars. */
export function metricBarsSpec(bars: readonly BarDatum[], metricTitle: string, title: string): TopLevelSpec {
  const axisTitle = `${metricTitle} (mean, 95% CI)`;
  const y = { field: 'config', type: 'nominal' as const, title: null, sort: bars.map((b) => b.config) };
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: 360,
    height: { step: 28 },
    data: { values: bars },
    layer: [
      {
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: { y, x: { field: 'mean', type: 'quantitative', title: axisTitle }, tooltip: [{ field: 'config' }, { field: 'mean', format: '.4f' }, { field: 'n' }] },
      },
      {
        transform: [{ filter: 'datum.low != null && datum.high != null' }],
        mark: { type: 'errorbar', ticks: true, color: '#222' },
        encoding: { y, x: { field: 'low', type: 'quantitative', title: axisTitle }, x2: { field: 'high' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: 'white' },
        encoding: { y, x: { datum: 0, type: 'quantitative' }, text: { field: 'mean', type: 'quantitative', format: '.4f' } },
      },
    ],
  } as TopLevelSpec;
}
