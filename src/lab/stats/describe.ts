// Descriptive statistics of one metric over a config's repeats: n, mean, sample standard deviation and the
// 95% confidence interval of the mean from Student's t (mean ± t(0.975; n−1) · std / √n).
import { tQuantile } from './t-distribution.js';

export interface Description {
  n: number;
  /** null when n = 0. */
  mean: number | null;
  /** Sample standard deviation (divides by n − 1); null when n < 2. */
  std: number | null;
  /** 95% confidence interval of the mean, [low, high]; null when n < 2. */
  ci95: [number, number] | null;
}

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

/** n, mean, sample std and the t-based 95% CI of the mean. Values must be finite. */
export function describe(values: readonly number[]): Description {
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new RangeError(`describe: values must be finite, got ${bad}`);
  const n = values.length;
  if (n === 0) return { n, mean: null, std: null, ci95: null };
  const m = mean(values);
  if (n < 2) return { n, mean: m, std: null, ci95: null };
  const std = Math.sqrt(sampleVariance(values));
  const half = (tQuantile(0.975, n - 1) * std) / Math.sqrt(n);
  return { n, mean: m, std, ci95: [m - half, m + half] };
}
