// Which configs and runs do no better than a baseline. A net that collapsed to a constant output scores what
// the constant baseline scores (seed 000's 4-4-1 sigmoid nets: 0.8978 accuracy on "3 vs rest", the share of
// non-threes) and looks fine in a table of accuracies; compared with the best baseline on the study's own metric,
// it is flagged.
import type { RunRecord } from '../record/run.js';
import { finalMetric, type ConfigSummary } from './summary.js';

/** A baseline as scored on the study's splits (the lab's BaselineResult): metrics by split. */
export interface ScoredBaseline {
  name: string;
  val?: Record<string, unknown> | null;
  test?: Record<string, unknown> | null;
}

export interface BaselineCheck {
  /** The metric key compared ('val.accuracy'), the comparison's direction. */
  metric: string;
  direction: 'max' | 'min';
  /**
   * The baseline that scores best on it; null when no baseline has a value for the metric (a baseline predicts
   * classes, without probabilities, so it has no loss): then nothing is checked, rather than checking another
   * metric than the study ranks by.
   */
  best: { name: string; value: number } | null;
  /** Labels of the configs whose mean does not beat it ([] when best is null). */
  configs: string[];
  /** Ids of the counted runs whose value does not beat it ([] when best is null). */
  runs: number[];
}

/** The value of a baseline for a metric key '<split>.<name>', or undefined. */
function baselineValue(b: ScoredBaseline, key: string): number | undefined {
  const dot = key.indexOf('.');
  const split = key.slice(0, dot) as 'val' | 'test';
  const v = (split === 'val' || split === 'test' ? b[split] : undefined)?.[key.slice(dot + 1)];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Compares every config (its mean) and every counted run with the best baseline on `metric`, the metric the
 * study ranks by. "Beats" means strictly better in the metric's direction. When no baseline has a value for the
 * metric (baselines have no loss), `best` is null and nothing is flagged.
 */
export function checkBaselines(
  baselines: readonly ScoredBaseline[],
  configs: readonly ConfigSummary[],
  runs: readonly RunRecord[],
  metric: string,
  direction: 'max' | 'min',
): BaselineCheck {
  let best: { name: string; value: number } | null = null;
  for (const b of baselines) {
    const v = baselineValue(b, metric);
    if (v === undefined) continue;
    if (best === null || (direction === 'max' ? v > best.value : v < best.value)) best = { name: b.name, value: v };
  }
  if (best === null) return { metric, direction, best: null, configs: [], runs: [] };
  const beats = (v: number) => (direction === 'max' ? v > best.value : v < best.value);
  const counted = new Set(configs.flatMap((c) => c.runIds));
  return {
    metric,
    direction,
    best,
    configs: configs.filter((c) => c.metrics[metric]?.mean != null && !beats(c.metrics[metric].mean!)).map((c) => c.label),
    runs: runs.filter((r) => counted.has(r.id)).filter((r) => {
      const v = finalMetric(r, metric);
      return v !== undefined && !beats(v);
    }).map((r) => r.id),
  };
}
