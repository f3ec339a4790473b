// Intermediate values: the objective after every epoch of every trial, one line each; pruned trials are drawn
// dashed in red and end where the pruner stopped them, failed ones are left out.
import type { TopLevelSpec } from 'vega-lite';
import type { TuneSummary } from '../../tune/summary.js';
import { metricTitle } from '../format.js';
import { CONFIG, SCHEMA } from './render.js';

export function intermediateValuesSpec(summary: TuneSummary, title: string): TopLevelSpec {
  const rows = summary.trials
    .filter((t) => t.state !== 'failed')
    .flatMap((t) => t.intermediate.flatMap((v, epoch) => (v === null ? [] : [{ trial: t.number, epoch: epoch + 1, value: v, pruned: t.state === 'pruned' ? 'pruned' : t.state }])));
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: 520,
    height: 300,
    data: { values: rows },
    mark: { type: 'line', point: false, strokeWidth: 1.2, opacity: 0.8 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'Epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: metricTitle(summary.objective.metric), scale: { zero: false } },
      detail: { field: 'trial', type: 'nominal' },
      color: { field: 'pruned', type: 'nominal', title: 'State', scale: { domain: ['completed', 'pruned', 'running', 'interrupted'], range: ['#4c78a8', '#e45756', '#72b7b2', '#bab0ac'] } },
      strokeDash: { field: 'pruned', type: 'nominal', legend: null, scale: { domain: ['completed', 'pruned', 'running', 'interrupted'], range: [[1, 0], [4, 3], [1, 0], [2, 2]] } },
      tooltip: [{ field: 'trial' }, { field: 'epoch' }, { field: 'value', format: '.4f' }],
    },
  } as TopLevelSpec;
}
