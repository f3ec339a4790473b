// Welch's t-test: do two configs' means differ, without assuming equal variances? Two-sided, with the
// Welch–Satterthwaite degrees of freedom. Each side needs at least two runs (a variance); otherwise the
// result says why no test was possible instead of inventing a p-value.
import { mean, sampleVariance } from './describe.js';
import { tTwoSidedP } from './t-distribution.js';

export interface WelchResult {
  /** mean(a) − mean(b); null when either side has no values. */
  meanDiff: number | null;
  /** The t statistic (meanDiff / standard error); null when no test was possible (or it is infinite). */
  t: number | null;
  /** Welch–Satterthwaite degrees of freedom; null when no test was possible. */
  df: number | null;
  /** Two-sided p-value; null when no test was possible. */
  p: number | null;
  /** p < alpha; null when no test was possible. */
  significant: boolean | null;
  alpha: number;
  /** Why no test was possible (n < 2 on a side), or a note on a degenerate case; null otherwise. */
  note: string | null;
}

/**
 * Welch's two-sided t-test of mean(a) = mean(b): t = (ā − b̄) / √(s²a/na + s²b/nb),
 * df = (s²a/na + s²b/nb)² / ((s²a/na)²/(na−1) + (s²b/nb)²/(nb−1)).
 * When both samples have zero variance the test degenerates: equal means give t = 0, p = 1; different ones
 * p = 0 with t null (it would be infinite, which JSON cannot hold).
 */
export function welchTest(a: readonly number[], b: readonly number[], alpha = 0.05): WelchResult {
  const meanDiff = a.length && b.length ? mean(a) - mean(b) : null;
  if (a.length < 2 || b.length < 2) {
    return {
      meanDiff, t: null, df: null, p: null, significant: null, alpha,
      note: `no test: Welch's t-test needs at least 2 runs per config (have ${a.length} and ${b.length})`,
    };
  }
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const se2 = va + vb;
  const diff = meanDiff!;
  if (se2 === 0) {
    const equal = diff === 0;
    return {
      meanDiff: diff, t: equal ? 0 : null, df: null, p: equal ? 1 : 0, significant: !equal, alpha,
      note: 'both configs gave identical values in every run (zero variance): the test is degenerate',
    };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  const p = tTwoSidedP(t, df);
  return { meanDiff: diff, t, df, p, significant: p < alpha, alpha, note: null };
}
