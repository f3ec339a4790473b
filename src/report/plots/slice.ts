// A slice plot: the objective against one parameter over the trials (log axis for log parameters, a choice's
// values as categories), coloured by trial number so the sampler's drift towards good regions shows.
import type { TopLevelSpec } from 'vega-lite';
import type { TuneSummary } from '../../tune/summary.js';
import { paramText, type Param } from '../../tune/space.js';
import { metricTitle } from '../format.js';
import { CONFIG, SCHEMA } from './render.js';

export function sliceSpec(summary: TuneSummary, param: Param, title: string): TopLevelSpec {
  const choice = param.dist.kind === 'choice';
  const rows = summary.trials
    .filter((t) => (t.state === 'completed' || t.state === 'pruned') && t.value !== null && Object.hasOwn(t.params, param.name))
    .map((t) => ({ trial: t.number, value: t.value, x: choice ? paramText(t.params[param.name]) : t.params[param.name], state: t.state }));
  const log = param.dist.kind !== 'choice' && param.dist.log;
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    width: 360,
    height: 260,
    data: { values: rows },
    mark: { type: 'point', filled: true, size: 50 },
    encoding: {
      x: choice
        ? { field: 'x', type: 'nominal', title: param.name, sort: (param.dist as { values: unknown[] }).values.map(paramText), axis: { labelAngle: 0 } }
        : { field: 'x', type: 'quantitative', title: param.name, scale: { type: log ? 'log' : 'linear', zero: false } },
      y: { field: 'value', type: 'quantitative', title: metricTitle(summary.objective.metric), scale: { zero: false } },
      color: { field: 'trial', type: 'quantitative', title: 'Trial', scale: { scheme: 'blues' } },
      shape: { field: 'state', type: 'nominal', title: 'State' },
      tooltip: [{ field: 'trial' }, { field: 'x', title: param.name }, { field: 'value', format: '.4f' }],
    },
  } as TopLevelSpec;
}
