// A search's optimisation history (optuna-dashboard's first plot): each trial's value by trial number, coloured
// by state, and the running best as a step line.
import type { TopLevelSpec } from 'vega-lite';
import type { TuneSummary } from '../../tune/summary.js';
import { metricTitle } from '../format.js';
import { CONFIG, SCHEMA } from './render.js';

export function optimizationHistorySpec(summary: TuneSummary, title: string): TopLevelSpec {
  const max = summary.objective.direction === 'max';
  let best: number | null = null;
  const rows = summary.trials.map((t) => {
    if (t.state === 'completed' && t.value !== null && (best === null || (max ? t.value > best : t.value < best))) best = t.value;
    return { trial: t.number, value: t.value, state: t.state, best: t.state === 'completed' ? best : null };
  });
  const y = metricTitle(summary.objective.metric);
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: 520,
    height: 300,
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: 'datum.value != null' }],
        mark: { type: 'point', filled: true, size: 50 },
        encoding: {
          x: { field: 'trial', type: 'quantitative', title: 'Trial', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: y, scale: { zero: false } },
          color: { field: 'state', type: 'nominal', title: 'State', scale: { domain: ['completed', 'pruned'], range: ['#4c78a8', '#e45756'] } },
          tooltip: [{ field: 'trial' }, { field: 'state' }, { field: 'value', format: '.4f' }],
        },
      },
      {
        transform: [{ filter: 'datum.best != null' }],
        mark: { type: 'line', interpolate: 'step-after', color: '#f58518' },
        encoding: { x: { field: 'trial', type: 'quantitative' }, y: { field: 'best', type: 'quantitative', title: y } },
      },
    ],
  } as TopLevelSpec;
}
