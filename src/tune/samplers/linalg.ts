// The small dense linear algebra the Gaussian-process sampler (gp.ts) needs: the Cholesky factor of a
// symmetric positive-definite matrix (with a jitter fallback for nearly singular ones), triangular solves, and
// the inverse and log-determinant from a factor. Plain JavaScript on Float64Arrays, no dependencies.
//
// Every matrix is square and stored row-major: element (i, j) of an n×n matrix `a` is a[i * n + j]. A
// Cholesky factor is the lower triangle L of A = L Lᵀ; its upper triangle holds zeros. Nothing here changes
// its arguments.

/**
 * The lower Cholesky factor L of a symmetric positive-definite `a` (only its lower triangle is read), or null
 * when `a` is not positive definite in floating point (a pivot that is not > 0, or not finite).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        l[ri + i] = Math.sqrt(s);
      } else {
        l[ri + j] = s / l[rj + j];
      }
    }
  }
  return l;
}

/** A Cholesky factor and the jitter that was added to the diagonal to get it. */
export interface JitteredFactor {
  factor: Float64Array;
  jitter: number;
}

/**
 * The Cholesky factor of `a`, or of `a` + jitter·I when `a` is not numerically positive definite: the jitter
 * starts at 1e-10 times the mean diagonal and grows tenfold, `tries` times at most (up to 1e-1 of it by
 * default). Null when even the last jitter fails (a matrix with non-finite entries, or far from positive
 * definite).
 */
export function choleskyWithJitter(a: Float64Array, n: number, tries = 10): JitteredFactor | null {
  const plain = cholesky(a, n);
  if (plain !== null) return { factor: plain, jitter: 0 };
  let scale = 0;
  for (let i = 0; i < n; i++) scale += Math.abs(a[i * n + i]);
  scale = n > 0 && scale > 0 ? scale / n : 1;
  const b = Float64Array.from(a);
  let jitter = 1e-10 * scale;
  for (let t = 0; t < tries; t++, jitter *= 10) {
    for (let i = 0; i < n; i++) b[i * n + i] = a[i * n + i] + jitter;
    const factor = cholesky(b, n);
    if (factor !== null) return { factor, jitter };
  }
  return null;
}

/** x with L x = b, for a lower-triangular `l` (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * x[k];
    x[i] = s / l[ri + i];
  }
  return x;
}

/** x with Lᵀ x = b, for a lower-triangular `l` (back substitution on its transpose). */
export function solveLowerTransposed(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(b as ArrayLike<number>);
  for (let i = n - 1; i >= 0; i--) {
    x[i] /= l[i * n + i];
    const xi = x[i];
    // Column i of L below the diagonal is row i of Lᵀ: subtract its share from the rows above.
    for (let k = 0; k < i; k++) x[k] -= l[i * n + k] * xi;
  }
  return x;
}

/** x with A x = b, where `l` is A's Cholesky factor (A = L Lᵀ). */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveLowerTransposed(l, n, solveLower(l, n, b));
}

/** A⁻¹ (symmetric, both triangles filled) from A's Cholesky factor `l`: A⁻¹ = L⁻ᵀ L⁻¹. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // u holds L⁻¹ transposed: row j of u is column j of L⁻¹ (zero above the diagonal of L⁻¹), so both the
  // triangular inverse and the product below read contiguous rows.
  const u = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    u[rj + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k] * u[rj + k];
      u[rj + i] = s / l[ri + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < n; k++) s += u[ri + k] * u[rj + k];
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}

/** log det A from A's Cholesky factor: 2 Σ log Lᵢᵢ. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}
