// Descriptive statistics of one metric over a config's repeats: n, mean, sample standard deviation and the
// 95% confidence interval of the mean from Student's t (mean ± t(0.975; n−1) · std / √n). A metric bounded in
// [0, 1] (accuracy, precision, recall, F1, AUC) gets its interval on the logit scale instead: the t interval of
// logit(values), mapped back, so it never leaves [0, 1] (an accuracy of 0.98 ± 0.03 over 3 runs would
// otherwise reach past 1). Values at exactly 0 or 1 are moved 1e-4 inside before the logit. A metric that cannot
// be negative (a loss, a time) gets its interval on the log scale: the t interval of log(values), mapped back,
// so it stays above 0 (a validation loss of 0.3 ± 0.2 over 2 runs would otherwise reach down to −1.5); where a
// value is exactly 0 the log cannot be taken, and the t interval is cut at 0 instead.
import { tQuantile } from './t-distribution.js';

export interface Description {
  n: number;
  /** null when n = 0. */
  mean: number | null;
  /** Sample standard deviation (divides by n − 1); null when n < 2. */
  std: number | null;
  /** 95% confidence interval of the mean, [low, high]; null when n < 2. */
  ci95: [number, number] | null;
  /**
   * How ci95 was computed: 't' on the values, 'logit-t' on their logits (metrics in [0, 1]), 'log-t' on their
   * logs (metrics that cannot be negative), 't-cut' the t interval cut at 0 (those with a value of exactly 0).
   */
  ciMethod: 't' | 'logit-t' | 'log-t' | 't-cut';
}

/**
 * The range a metric's values lie in by definition (by key, 'val.accuracy'): [0, 1] for accuracy, precision,
 * recall, F1 and AUC; [0, ∞) for losses, errors and times; else null.
 */
export function boundsOf(key: string): [number, number] | null {
  const name = key.slice(key.indexOf('.') + 1);
  if (/^(accuracy|binaryAccuracy|categoricalAccuracy|sparseCategoricalAccuracy|precision|recall|f1|auc)(Macro)?$/.test(name)) return [0, 1];
  if (/^(loss|mae|mse|rmse|meanAbsoluteError|meanSquaredError|rootMeanSquaredError|time|wallTimeS|trainTimeS)$/.test(name)) return [0, Infinity];
  return null;
}

const EDGE = 1e-4;
const logit = (p: number) => {
  const q = Math.min(1 - EDGE, Math.max(EDGE, p));
  return Math.log(q / (1 - q));
};
const expit = (z: number) => 1 / (1 + Math.exp(-z));

/** Mean of finite numbers (0 of none is not asked for: callers check n). */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance (n − 1 in the denominator), two-pass for accuracy. */
export function sampleVariance(values: readonly number[]): number {
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return ss / (values.length - 1);
}

/**
 * n, mean, sample std and the t-based 95% CI of the mean: on the logit scale with bounds [0, 1], on the log scale
 * with bounds [0, ∞) (cut at 0 where a value is 0). Values must be finite and within the bounds.
 */
export function describe(values: readonly number[], bounds: [number, number] | null = null): Description {
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new RangeError(`describe: values must be finite, got ${bad}`);
  const positive = bounds !== null && bounds[1] === Infinity;
  const ciMethod = bounds === null ? 't' : !positive ? 'logit-t' : values.every((v) => v > 0) ? 'log-t' : 't-cut';
  if (bounds !== null) {
    const outside = values.find((v) => v < bounds[0] || v > bounds[1]);
    if (outside !== undefined) throw new RangeError(`describe: values must lie in [${bounds[0]}, ${bounds[1]}], got ${outside}`);
  }
  const n = values.length;
  if (n === 0) return { n, mean: null, std: null, ci95: null, ciMethod };
  const m = mean(values);
  if (n < 2) return { n, mean: m, std: null, ci95: null, ciMethod };
  const std = Math.sqrt(sampleVariance(values));
  const t = tQuantile(0.975, n - 1);
  if (ciMethod === 't' || ciMethod === 't-cut') {
    const half = (t * std) / Math.sqrt(n);
    return { n, mean: m, std, ci95: [ciMethod === 't-cut' ? Math.max(0, m - half) : m - half, m + half], ciMethod };
  }
  const [to, from] = ciMethod === 'log-t' ? [Math.log, Math.exp] : [logit, expit];
  const z = values.map(to);
  const mz = mean(z);
  const half = (t * Math.sqrt(sampleVariance(z))) / Math.sqrt(n);
  return { n, mean: m, std, ci95: [from(mz - half), from(mz + half)], ciMethod };
}
