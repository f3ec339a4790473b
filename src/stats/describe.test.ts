import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundsOf, describe } from './describe.js';
import { runTorch } from '../testing/torch-oracle.js';

const samples = [
  [0.8812, 0.8791, 0.8850],
  [0.97, 0.975],
  [1.5, 2.5, 2.0, 3.5, 1.0, 2.25, 4.0, 0.5, 3.0, 2.75],
];

test('mean, sample std and t-based 95% CI match an mpmath computation', () => {
  // Independent reference: statistics.stdev (n − 1) and the t quantile found by mpmath bisection on the CDF.
  const ref = runTorch<{ mean: number; std: number; lo: number; hi: number }[]>(
    `
import statistics, mpmath
mpmath.mp.dps = 40
def cdf(t, df):
    x = mpmath.mpf(df) / (df + mpmath.mpf(t) ** 2)
    tail = mpmath.betainc(mpmath.mpf(df) / 2, mpmath.mpf(1) / 2, 0, x, regularized=True) / 2
    return 1 - tail if t > 0 else tail
def q975(df):
    lo, hi = mpmath.mpf(0), mpmath.mpf(100)
    for _ in range(120):
        mid = (lo + hi) / 2
        if cdf(mid, df) < mpmath.mpf('0.975'): lo = mid
        else: hi = mid
    return float(lo)
output = []
for xs in input:
    m, s = statistics.mean(xs), statistics.stdev(xs)
    h = q975(len(xs) - 1) * s / math.sqrt(len(xs))
    output.append({'mean': m, 'std': s, 'lo': m - h, 'hi': m + h})
`,
    samples,
  );
  samples.forEach((xs, i) => {
    const d = describe(xs);
    assert.equal(d.n, xs.length);
    assert.ok(Math.abs(d.mean! - ref[i].mean) < 1e-14, `mean ${d.mean} vs ${ref[i].mean}`);
    assert.ok(Math.abs(d.std! - ref[i].std) < 1e-13, `std ${d.std} vs ${ref[i].std}`);
    assert.ok(Math.abs(d.ci95![0] - ref[i].lo) < 1e-12, `ci low ${d.ci95![0]} vs ${ref[i].lo}`);
    assert.ok(Math.abs(d.ci95![1] - ref[i].hi) < 1e-12, `ci high ${d.ci95![1]} vs ${ref[i].hi}`);
  });
});

test('a hand-checked case: [1, 2, 3] has mean 2, std 1, CI 2 ± t(0.975; 2)/√3', () => {
  const d = describe([1, 2, 3]);
  assert.equal(d.mean, 2);
  assert.equal(d.std, 1);
  // For 2 degrees of freedom the t quantile has a closed form: t = (2p − 1) · √(2 / (4p(1 − p))) = 4.3027 here.
  const q = (2 * 0.975 - 1) * Math.sqrt(2 / (4 * 0.975 * 0.025));
  const half = q / Math.sqrt(3);
  assert.ok(Math.abs(d.ci95![0] - (2 - half)) < 1e-12 && Math.abs(d.ci95![1] - (2 + half)) < 1e-12);
});

test('fewer than two values: no std and no CI; none: no mean; non-finite values are refused', () => {
  assert.deepEqual(describe([0.9]), { n: 1, mean: 0.9, std: null, ci95: null, ciMethod: 't' });
  assert.deepEqual(describe([]), { n: 0, mean: null, std: null, ci95: null, ciMethod: 't' });
  assert.throws(() => describe([1, NaN]), /finite/);
  // Identical values: std 0 and a zero-width interval.
  assert.deepEqual(describe([0.5, 0.5, 0.5]), { n: 3, mean: 0.5, std: 0, ci95: [0.5, 0.5], ciMethod: 't' });
});

test('a metric bounded in [0, 1] gets its interval on the logit scale: it stays inside [0, 1]', () => {
  const values = [0.9, 1.0, 0.6];
  const plain = describe(values);
  assert.ok(plain.ci95![1] > 1.3, `the t interval of the values leaves [0, 1]: ${plain.ci95}`);
  const bounded = describe(values, [0, 1]);
  assert.equal(bounded.ciMethod, 'logit-t');
  assert.equal(bounded.mean, plain.mean);
  // By hand: logits of 0.9, 1 - 1e-4 (1 moved inside) and 0.6; their t interval; mapped back.
  const z = [Math.log(9), Math.log(0.9999 / 0.0001), Math.log(1.5)];
  const mz = z.reduce((a, b) => a + b) / 3;
  const sz = Math.sqrt(z.reduce((a, b) => a + (b - mz) ** 2, 0) / 2);
  const half = (4.302652729911275 * sz) / Math.sqrt(3);
  const expit = (v: number) => 1 / (1 + Math.exp(-v));
  assert.ok(Math.abs(bounded.ci95![0] - expit(mz - half)) < 1e-9 && Math.abs(bounded.ci95![1] - expit(mz + half)) < 1e-9);
  assert.ok(bounded.ci95![0] > 0 && bounded.ci95![1] < 1);
  assert.deepEqual(describe([0.8978, 0.8978, 0.8978], [0, 1]).ci95!.map((v) => v.toFixed(6)), ['0.897800', '0.897800']);
  assert.throws(() => describe([0.5, 1.2], [0, 1]), /must lie in \[0, 1\], got 1\.2/);
  assert.deepEqual([boundsOf('val.accuracy'), boundsOf('test.f1Macro'), boundsOf('val.samplesPerS')], [[0, 1], [0, 1], null]);
});

test('a metric that cannot be negative (loss, time) gets its interval on the log scale: it stays above 0', () => {
  // Two repeats of a validation loss: the plain t interval (t(0.975; 1) = 12.71) reaches far below 0.
  const values = [0.31, 0.42];
  const plain = describe(values);
  assert.ok(plain.ci95![0] < -0.3, `the t interval of the values goes below 0: ${plain.ci95}`);
  assert.deepEqual([boundsOf('val.loss'), boundsOf('train.loss'), boundsOf('time'), boundsOf('val.mae')], [[0, Infinity], [0, Infinity], [0, Infinity], [0, Infinity]]);
  const loss = describe(values, boundsOf('val.loss'));
  assert.equal(loss.ciMethod, 'log-t');
  assert.equal(loss.mean, plain.mean);
  assert.equal(loss.std, plain.std);
  // By hand: the t interval of the logs, mapped back with exp.
  const z = values.map(Math.log);
  const mz = (z[0] + z[1]) / 2;
  const half = (12.706204736174698 * Math.abs(z[0] - z[1]) / Math.SQRT2) / Math.SQRT2;
  assert.ok(Math.abs(loss.ci95![0] - Math.exp(mz - half)) < 1e-9 && Math.abs(loss.ci95![1] - Math.exp(mz + half)) < 1e-9, String(loss.ci95));
  assert.ok(loss.ci95![0] > 0);
  // A value of exactly 0 has no log: the t interval, cut at 0.
  const cut = describe([0, 0.2, 0.1], [0, Infinity]);
  assert.equal(cut.ciMethod, 't-cut');
  assert.equal(cut.ci95![0], 0);
  assert.equal(cut.ci95![1], describe([0, 0.2, 0.1]).ci95![1]);
  assert.throws(() => describe([0.5, -0.1], [0, Infinity]), /must lie in \[0, Infinity\], got -0\.1/);
});
