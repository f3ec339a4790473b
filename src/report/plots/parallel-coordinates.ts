// Parallel coordinates of a search: one vertical axis per parameter (and the objective last), each scaled to
// its range (the log scale for log parameters, a choice's values evenly spaced), one line per completed or
// pruned trial, coloured by its value; each axis is labelled with its lowest and highest value.
import type { TopLevelSpec } from 'vega-lite';
import type { TuneSummary } from '../../tune/summary.js';
import { choiceIndex, internalBounds, paramText, toInternal, type Param } from '../../tune/space.js';
import { metricTitle } from '../format.js';
import { CONFIG, SCHEMA } from './render.js';

/** A value's position on its parameter's axis, in [0, 1]. */
function position(p: Param, v: unknown): number | null {
  const d = p.dist;
  if (d.kind === 'choice') {
    const i = choiceIndex(d, v);
    return i < 0 ? null : d.values.length === 1 ? 0.5 : i / (d.values.length - 1);
  }
  if (typeof v !== 'number') return null;
  const [lo, hi] = internalBounds(d);
  return (toInternal(d, v) - lo) / (hi - lo);
}

export function parallelCoordinatesSpec(summary: TuneSummary, title: string): TopLevelSpec {
  const objective = metricTitle(summary.objective.metric);
  const trials = summary.trials.filter((t) => (t.state === 'completed' || t.state === 'pruned') && t.value !== null);
  const values = trials.map((t) => t.value!);
  const [vmin, vmax] = [Math.min(...values), Math.max(...values)];
  const axes = [...summary.space.params.map((p) => p.name), objective];
  const rows = trials.flatMap((t) => [
    ...summary.space.params.flatMap((p) => {
      const pos = Object.hasOwn(t.params, p.name) ? position(p, t.params[p.name]) : null;
      return pos === null ? [] : [{ trial: t.number, axis: p.name, pos, value: t.value, shown: paramText(t.params[p.name]) }];
    }),
    { trial: t.number, axis: objective, pos: vmax === vmin ? 0.5 : (t.value! - vmin) / (vmax - vmin), value: t.value, shown: paramText(t.value) },
  ]);
  const ends = [
    ...summary.space.params.flatMap((p) => {
      const d = p.dist;
      const [lo, hi] = d.kind === 'choice' ? [d.values[0], d.values[d.values.length - 1]] : [d.low, d.high];
      return [
        { axis: p.name, pos: 0, text: paramText(lo) },
        { axis: p.name, pos: 1, text: paramText(hi) },
      ];
    }),
    { axis: objective, pos: 0, text: paramText(vmin) },
    { axis: objective, pos: 1, text: paramText(vmax) },
  ];
  const x = { field: 'axis', type: 'nominal' as const, sort: axes, title: null, axis: { labelAngle: 0, orient: 'top' as const } };
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: Math.max(320, 140 * axes.length),
    height: 300,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', opacity: 0.7, strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } },
          detail: { field: 'trial', type: 'nominal' },
          color: { field: 'value', type: 'quantitative', title: objective, scale: { scheme: 'viridis', reverse: summary.objective.direction === 'min' } },
          tooltip: [{ field: 'trial' }, { field: 'axis' }, { field: 'shown', title: 'value' }],
        },
      },
      { data: { values: axes.map((axis) => ({ axis })) }, mark: { type: 'rule', color: '#888' }, encoding: { x } },
      {
        data: { values: ends },
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10, color: '#333' },
        encoding: { x, y: { field: 'pos', type: 'quantitative', axis: null, scale: { domain: [0, 1] } }, text: { field: 'text' } },
      },
    ],
  } as TopLevelSpec;
}
