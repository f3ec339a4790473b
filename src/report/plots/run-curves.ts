// (a) One run's accuracy and loss per epoch: a panel per metric, training solid and validation dashed.
import type { TopLevelSpec } from 'vega-lite';
import type { EpochLog, Logs } from '../../record/history.js';
import { CONFIG, SCHEMA } from './render.js';

export interface CurvePoint {
  epoch: number;
  metric: string;
  split: 'train' | 'validation';
  value: number;
}

/** Solid for training, dashed for validation (Vega-Lite stroke dash arrays). */
export const SPLIT_DASH = { domain: ['train', 'validation'], range: [[1, 0], [6, 4]] };

/** The per-epoch values of the metrics (1-based epochs), finite values only. */
export function curvePoints(epochs: readonly EpochLog[], metrics: readonly string[]): CurvePoint[] {
  const points: CurvePoint[] = [];
  const add = (epoch: number, metric: string, split: CurvePoint['split'], logs: Logs | null) => {
    const v = logs?.[metric];
    if (typeof v === 'number' && Number.isFinite(v)) points.push({ epoch, metric, split, value: v });
  };
  for (const e of epochs) {
    for (const m of metrics) {
      add(e.epoch + 1, m, 'train', e.train);
      add(e.epoch + 1, m, 'validation', e.val);
    }
  }
  return points;
}

/** A panel per metric present in `points`: x epoch, y value; `color` picks the series colour field. */
export function curvePanels(points: readonly object[], metrics: readonly string[], color: { field: string; title: string }) {
  const present = metrics.filter((m) => points.some((p) => (p as CurvePoint).metric === m));
  return present.map((metric) => ({
    width: 280,
    height: 200,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line' as const, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'Epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: metric[0].toUpperCase() + metric.slice(1), scale: { zero: false } },
      color: { field: color.field, type: 'nominal' as const, title: color.title },
      strokeDash: { field: 'split', type: 'nominal' as const, title: 'Split', scale: SPLIT_DASH },
    },
  }));
}

/** Vega-Lite spec for one run's curves (accuracy and loss when logged). */
export function runCurvesSpec(epochs: readonly EpochLog[], title: string, metrics: readonly string[] = ['accuracy', 'loss']): TopLevelSpec {
  const points = curvePoints(epochs, metrics);
  return {
    $schema: SCHEMA,
    title,
    config: CONFIG,
    data: { values: points },
    hconcat: curvePanels(points, metrics, { field: 'split', title: 'Split' }),
  } as TopLevelSpec;
}
