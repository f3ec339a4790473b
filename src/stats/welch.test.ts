import { test } from 'node:test';
import assert from 'node:assert/strict';
import { welchTest } from './welch.js';
import { runTorch } from '../testing/torch-oracle.js';

// R's `sleep` data (Student, 1908): extra hours of sleep under two drugs. R's documented
// `t.test(extra ~ group, data = sleep)` prints: t = -1.8608, df = 17.776, p-value = 0.07939.
const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

test("Welch's test on the textbook sleep data gives R's t, df and p", () => {
  const r = welchTest(drug1, drug2);
  assert.equal(r.t!.toFixed(4), '-1.8608');
  assert.equal(r.df!.toFixed(3), '17.776');
  assert.equal(r.p!.toFixed(5), '0.07939');
  assert.equal(r.significant, false);
  assert.ok(Math.abs(r.meanDiff! - (0.75 - 2.33)) < 1e-12);
  assert.equal(r.note, null);
  // Swapping the sides flips t, keeps df and p.
  const s = welchTest(drug2, drug1);
  assert.ok(Math.abs(s.t! + r.t!) < 1e-12 && Math.abs(s.df! - r.df!) < 1e-9 && Math.abs(s.p! - r.p!) < 1e-12);
});

test("Welch's test matches an independent mpmath computation, unequal sizes and variances", () => {
  const cases: [number[], number[]][] = [
    [[0.91, 0.915, 0.905], [0.88, 0.86, 0.89, 0.87]],
    [[0.5, 0.52], [0.3, 0.6, 0.45]],
    [[10.1, 9.8, 10.4, 10.0, 9.9], [12.2, 11.1, 13.5]],
  ];
  const ref = runTorch<{ t: number; df: number; p: number }[]>(
    `
import statistics, mpmath
mpmath.mp.dps = 40
output = []
for a, b in input:
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    t = (statistics.mean(a) - statistics.mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    p = mpmath.betainc(mpmath.mpf(df) / 2, mpmath.mpf(1) / 2, 0, mpmath.mpf(df) / (df + mpmath.mpf(t) ** 2), regularized=True)
    output.append({'t': t, 'df': df, 'p': float(p)})
`,
    cases,
  );
  cases.forEach(([a, b], i) => {
    const r = welchTest(a, b);
    assert.ok(Math.abs(r.t! - ref[i].t) < 1e-10 * Math.abs(ref[i].t), `t ${r.t} vs ${ref[i].t}`);
    assert.ok(Math.abs(r.df! - ref[i].df) < 1e-10 * ref[i].df, `df ${r.df} vs ${ref[i].df}`);
    assert.ok(Math.abs(r.p! - ref[i].p) < 1e-10 * ref[i].p, `p ${r.p} vs ${ref[i].p}`);
    assert.equal(r.significant, ref[i].p < 0.05);
  });
  // The first case is a clear difference: significant at 0.05.
  assert.equal(welchTest(cases[0][0], cases[0][1]).significant, true);
});

test('fewer than two runs on a side: no test, and the note says why', () => {
  const r = welchTest([0.9], [0.8, 0.85]);
  assert.equal(r.t, null);
  assert.equal(r.p, null);
  assert.equal(r.significant, null);
  assert.ok(Math.abs(r.meanDiff! - 0.075) < 1e-12);
  assert.match(r.note!, /at least 2 runs per config \(have 1 and 2\)/);
  assert.equal(welchTest([], [1, 2]).meanDiff, null);
});

test('zero variance on both sides is a degenerate test, stated as such', () => {
  const same = welchTest([0.5, 0.5], [0.5, 0.5, 0.5]);
  assert.equal(same.p, 1);
  assert.equal(same.significant, false);
  const differ = welchTest([0.6, 0.6], [0.5, 0.5]);
  assert.equal(differ.p, 0);
  assert.equal(differ.t, null); // infinite: kept JSON-able
  assert.match(differ.note!, /degenerate/);
});
