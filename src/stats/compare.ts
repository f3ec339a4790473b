// The best config against each other one: which config is best by a chosen final metric (mean over its
// runs), and Welch's t-test of the best config's runs against every other config's runs.
import { NnlabError, unknownName } from '../engine/errors.js';
import type { ConfigSummary } from './summary.js';
import { welchTest, type WelchResult } from './welch.js';

export interface ComparisonOptions {
  /** Metric key '<split>.<name>'; default 'val.accuracy', or 'val.loss' when no config has an accuracy. */
  metric?: string;
  /** 'max' or 'min'; default 'min' for losses and errors, else 'max'. */
  direction?: 'max' | 'min';
  /** Significance level; default 0.05. */
  alpha?: number;
}

export interface ConfigTest extends WelchResult {
  /** The other config's label. */
  label: string;
  n: number;
  mean: number | null;
}

export interface Comparison {
  metric: string;
  direction: 'max' | 'min';
  alpha: number;
  /** "Welch's t-test (two-sided)": what `tests` hold. */
  test: string;
  /** The best config's label, its n and mean. */
  best: { label: string; n: number; mean: number };
  /** The best config against each other config (meanDiff = best − other). */
  tests: ConfigTest[];
}

const LOWER_IS_BETTER = /loss|error|mse|mae|rmse/i;

/** Whether lower or higher is better for a metric by its name: min for losses and errors, else max. */
export function defaultDirection(metric: string): 'max' | 'min' {
  return LOWER_IS_BETTER.test(metric) ? 'min' : 'max';
}

/** The metric a comparison uses by default: validation accuracy, else validation loss, else the first one. */
export function defaultMetric(configs: readonly ConfigSummary[]): string {
  const available = Object.keys(configs[0]?.metrics ?? {});
  return ['val.accuracy', 'val.loss', 'train.accuracy', 'train.loss'].find((k) => available.includes(k)) ?? available[0];
}

/**
 * Compares the configs by `metric`: the best mean wins (configs without a value are not ranked), then Welch's
 * test of the best against each other config. Returns null when no config has a value for the metric.
 * An unknown metric key is an error listing the valid ones.
 */
export function compareToBest(configs: readonly ConfigSummary[], options: ComparisonOptions = {}): Comparison | null {
  if (configs.length === 0) return null;
  const metric = options.metric ?? defaultMetric(configs);
  const available = Object.keys(configs[0].metrics);
  if (metric === undefined) return null;
  if (!available.includes(metric)) throw unknownName('compare.metric', 'metric', metric, available);
  const direction = options.direction ?? defaultDirection(metric);
  if (direction !== 'max' && direction !== 'min') throw new NnlabError(`compare.direction: must be 'max' or 'min', got '${String(direction)}'`);
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new NnlabError(`compare.alpha: must be between 0 and 1, got ${alpha}`);

  let best: ConfigSummary | null = null;
  for (const c of configs) {
    const m = c.metrics[metric].mean;
    if (m === null) continue;
    const b = best?.metrics[metric].mean ?? null;
    if (b === null || (direction === 'max' ? m > b : m < b)) best = c;
  }
  if (best === null) return null;
  const bestValues = best.metrics[metric].values;
  const tests = configs
    .filter((c) => c !== best)
    .map((c) => ({ label: c.label, n: c.metrics[metric].n, mean: c.metrics[metric].mean, ...welchTest(bestValues, c.metrics[metric].values, alpha) }));
  return {
    metric,
    direction,
    alpha,
    test: "Welch's t-test (two-sided)",
    best: { label: best.label, n: best.metrics[metric].n, mean: best.metrics[metric].mean! },
    tests,
  };
}
