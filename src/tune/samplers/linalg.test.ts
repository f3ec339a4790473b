// Tests of the GP sampler's linear algebra: factors that reconstruct their matrix, solves with small
// residuals, the inverse, the log-determinant against a 2×2 by hand, and the jitter fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { cholesky, choleskyInverse, choleskySolve, choleskyWithJitter, logDetFromCholesky, solveLower, solveLowerTransposed } from './linalg.js';

/** A random symmetric positive-definite n×n matrix: B Bᵀ + n·I. */
function randomSpd(n: number, rng: Rng): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.between(-1, 1));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

function matMul(a: Float64Array, b: Float64Array, n: number, transposeB = false): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * (transposeB ? b[j * n + k] : b[k * n + j]);
      c[i * n + j] = s;
    }
  }
  return c;
}

function matVec(a: Float64Array, x: ArrayLike<number>, n: number, transpose = false): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += (transpose ? a[k * n + i] : a[i * n + k]) * x[k];
    return s;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('cholesky: a lower-triangular factor with L Lᵀ = A', () => {
  const rng = new Rng(1);
  for (const n of [1, 2, 7, 30]) {
    const a = randomSpd(n, rng);
    const l = cholesky(a, n)!;
    assert.ok(l !== null);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) assert.equal(l[i * n + j], 0);
    for (let i = 0; i < n; i++) assert.ok(l[i * n + i] > 0);
    assert.ok(maxAbsDiff(matMul(l, l, n, true), a) < 1e-9 * n, `n=${n}`);
  }
});

test('solves: L x = b, Lᵀ x = b and A x = b leave residuals near zero', () => {
  const rng = new Rng(2);
  const n = 12;
  const a = randomSpd(n, rng);
  const l = cholesky(a, n)!;
  const b = Float64Array.from({ length: n }, () => rng.normal());
  assert.ok(maxAbsDiff(matVec(l, solveLower(l, n, b), n), b) < 1e-10);
  assert.ok(maxAbsDiff(matVec(l, solveLowerTransposed(l, n, b), n, true), b) < 1e-10);
  assert.ok(maxAbsDiff(matVec(a, choleskySolve(l, n, b), n), b) < 1e-9);
});

test('choleskyInverse: A A⁻¹ = I, and A⁻¹ is symmetric', () => {
  const rng = new Rng(3);
  const n = 15;
  const a = randomSpd(n, rng);
  const inv = choleskyInverse(cholesky(a, n)!, n);
  const eye = Float64Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 1 : 0));
  assert.ok(maxAbsDiff(matMul(a, inv, n), eye) < 1e-10);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(inv[i * n + j], inv[j * n + i]);
});

test('logDetFromCholesky: the 2×2 determinant a·d − b² by hand', () => {
  const a = Float64Array.from([4, 1.5, 1.5, 2]);
  const l = cholesky(a, 2)!;
  assert.ok(Math.abs(logDetFromCholesky(l, 2) - Math.log(4 * 2 - 1.5 * 1.5)) < 1e-12);
  // The factor by hand: [[2, 0], [0.75, sqrt(2 - 0.5625)]].
  assert.ok(maxAbsDiff(l, [2, 0, 0.75, Math.sqrt(2 - 0.5625)]) < 1e-15);
});

test('cholesky refuses an indefinite matrix; choleskyWithJitter rescues a singular one', () => {
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), null);
  // All ones: positive semi-definite, rank 1.
  const ones = new Float64Array(9).fill(1);
  assert.equal(cholesky(ones, 3), null);
  const r = choleskyWithJitter(ones, 3)!;
  assert.ok(r !== null && r.jitter > 0 && r.jitter < 1e-3, `jitter ${r?.jitter}`);
  const back = matMul(r.factor, r.factor, 3, true);
  assert.ok(maxAbsDiff(back, ones) <= r.jitter * 1.0001);
  // A plain positive-definite matrix takes no jitter.
  assert.equal(choleskyWithJitter(Float64Array.from([2, 0, 0, 3]), 2)!.jitter, 0);
  // Nothing makes a matrix with NaN positive definite, nor a strongly indefinite one.
  assert.equal(choleskyWithJitter(Float64Array.from([1, NaN, NaN, 1]), 2), null);
  assert.equal(choleskyWithJitter(Float64Array.from([1, 0, 0, -1]), 2), null);
});
