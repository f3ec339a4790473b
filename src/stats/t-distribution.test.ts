import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logGamma, regularizedBeta, tCdf, tQuantile, tTwoSidedP } from './t-distribution.js';
import { runTorch } from '../testing/torch-oracle.js';

// Reference values from mpmath (50 digits), which Debian's python3-torch brings in through python3-sympy.
// scipy is not installed; mpmath's betainc/loggamma are arbitrary-precision, so they are a stricter oracle.
interface Oracle {
  logGamma: number[];
  beta: number[];
  cdf: number[];
  p: number[];
  quantile: number[];
}

const gammaArgs = [0.1, 0.5, 1, 1.5, 4.5, 10, 37.25, 171.5];
const betaCases: [number, number, number][] = [
  [0.3, 2, 3], [0.9, 0.5, 0.5], [0.01, 5, 0.5], [0.999, 30, 2.5], [0.5, 100, 100], [0.2, 0.7, 14],
];
const cdfCases: [number, number][] = [
  [0, 1], [1, 1], [-2.5, 3], [2.262157, 9], [1.8608, 17.776], [-0.4, 2.5], [6, 4], [40, 7], [-12, 30.5], [0.05, 1000],
];
const quantileCases: [number, number][] = [
  [0.975, 1], [0.975, 2], [0.975, 9], [0.975, 29], [0.995, 4], [0.025, 7], [0.9, 17.776], [0.9995, 1], [0.6, 300],
];

const oracle = runTorch<Oracle>(
  `
import mpmath
mpmath.mp.dps = 50
def cdf(t, df):
    t = mpmath.mpf(t); df = mpmath.mpf(df)
    tail = mpmath.betainc(df / 2, mpmath.mpf(1) / 2, 0, df / (df + t * t), regularized=True) / 2
    return 1 - tail if t > 0 else tail
def quantile(p, df):
    lo, hi = mpmath.mpf(-1e4), mpmath.mpf(1e4)
    for _ in range(130):  # bisection: the bracket shrinks to 2e4 / 2^130 ≈ 1e-35
        mid = (lo + hi) / 2
        if cdf(mid, df) < p: lo = mid
        else: hi = mid
    return (lo + hi) / 2
output = {
  'logGamma': [float(mpmath.loggamma(mpmath.mpf(x))) for x in input['gamma']],
  'beta': [float(mpmath.betainc(a, b, 0, x, regularized=True)) for x, a, b in input['beta']],
  'cdf': [float(cdf(t, df)) for t, df in input['cdf']],
  'p': [float(mpmath.betainc(mpmath.mpf(df) / 2, mpmath.mpf(1) / 2, 0, mpmath.mpf(df) / (df + mpmath.mpf(t) ** 2), regularized=True)) for t, df in input['cdf']],
  'quantile': [float(quantile(p, df)) for p, df in input['quantile']],
}
`,
  { gamma: gammaArgs, beta: betaCases, cdf: cdfCases, quantile: quantileCases },
);

/** |actual − expected| ≤ rtol·|expected| + atol (atol matters only at zeros such as ln Γ(1)). */
function assertClose(actual: number, expected: number, rtol: number, what: string, atol = 1e-14): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= rtol * Math.abs(expected) + atol, `${what}: ${actual} vs ${expected} (rel err ${err / Math.abs(expected)})`);
}

test('logGamma matches mpmath, including the reflection range x < 0.5', () => {
  gammaArgs.forEach((x, i) => assertClose(logGamma(x), oracle.logGamma[i], 1e-13, `logGamma(${x})`));
  assert.throws(() => logGamma(0), RangeError);
});

test('regularized incomplete beta matches mpmath on both sides of the symmetry switch', () => {
  betaCases.forEach(([x, a, b], i) => assertClose(regularizedBeta(x, a, b), oracle.beta[i], 1e-12, `I_${x}(${a}, ${b})`, 0));
  assert.equal(regularizedBeta(0, 2, 3), 0);
  assert.equal(regularizedBeta(1, 2, 3), 1);
  assert.throws(() => regularizedBeta(1.5, 2, 3), RangeError);
});

test('t CDF and two-sided p match mpmath, fractional df and far tails included', () => {
  cdfCases.forEach(([t, df], i) => {
    assertClose(tCdf(t, df), oracle.cdf[i], 1e-12, `cdf(${t}; ${df})`, 0);
    assertClose(tTwoSidedP(t, df), oracle.p[i], 1e-12, `p(${t}; ${df})`, 0);
  });
  // The far tail keeps relative precision (1 − cdf would round to 0 here).
  assert.ok(tTwoSidedP(40, 7) > 0 && tTwoSidedP(40, 7) < 1e-8);
  assert.equal(tTwoSidedP(Infinity, 5), 0);
  assert.throws(() => tCdf(1, 0), RangeError);
});

test('t quantile matches mpmath and inverts the CDF', () => {
  quantileCases.forEach(([p, df], i) => {
    const q = tQuantile(p, df);
    assertClose(q, oracle.quantile[i], 1e-11, `quantile(${p}; ${df})`, 0);
    assertClose(tCdf(q, df), p, 1e-12, `cdf(quantile(${p}; ${df}))`);
  });
  // Textbook table values: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, t(0.975; 29) = 2.045.
  assert.equal(tQuantile(0.975, 1).toFixed(3), '12.706');
  assert.equal(tQuantile(0.975, 9).toFixed(3), '2.262');
  assert.equal(tQuantile(0.975, 29).toFixed(3), '2.045');
  assert.equal(tQuantile(0.5, 3), 0);
  assert.throws(() => tQuantile(1, 3), RangeError);
});
