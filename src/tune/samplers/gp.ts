// The Gaussian-process sampler: Bayesian optimisation as KerasTuner's BayesianOptimization oracle does it.
// Until `initialPoints` trials have finished (3 × the number of parameters by default) it draws at random, as
// the random sampler does; after that it fits a Gaussian process to the finished trials and proposes the point
// that minimises the acquisition: the lower confidence bound mean − beta·std (KerasTuner's 'upper confidence
// bound' on the minimised objective), or expected improvement.
//
// The model, in more detail:
// - Encoding: every parameter maps to [0, 1] in its internal scale (the log for `log`; an int or stepped float
//   on its bounds widened by half a step, as space.ts draws them), a choice to one dimension per value
//   (one-hot). A parameter that is inactive in a trial is encoded at a fixed point (0.5, or an all-zero
//   one-hot), so the kernel still sees which branch a trial took.
// - Kernel: Matérn 5/2 with one length scale per encoded dimension (ARD), times a signal variance; `alpha` is
//   added to the diagonal (the observation noise). Objectives are standardised (KerasTuner's normalize_y) and
//   minimised (negated for direction 'max'). The log length scales and log variance maximise the log
//   marginal likelihood within bounds, by a projected BFGS with analytic gradients, from `restarts` seeded
//   starting points.
// - Observations: completed trials, and pruned ones that have a value; failed trials (and non-finite values)
//   are ignored. Running trials (other workers) join as "kriging believer" observations at the posterior
//   mean, which leaves the mean as it is but removes the uncertainty there, so parallel workers spread out.
// - Acquisition search: `candidates` seeded random points, then a pattern search (coordinate steps that
//   halve, every other value of each choice) from the best few and from the best trials. Every point is
//   scored as what it decodes to (ints rounded, conditions applied), so the score is the suggestion's. The
//   best point whose values no trial has (in any state) is proposed.
//
// Where it differs from KerasTuner: KerasTuner keeps one length scale of 1 for every dimension (its source does
// not fit it) where this fits one per dimension; it believes running trials at mean + std, not at the mean; and it
// refines 50 random starts by L-BFGS-B where this scores many random points and pattern-searches the best,
// which also handles the discrete parameters it rounds. The defaults (3 × parameters random trials, beta
// 2.6, alpha 1e-4, normalised objectives, Matérn 5/2) are KerasTuner's.
//
// The suggestion depends only on (seed, trial number, the trials): a pure function, as sampler.ts requires.
import { Rng } from '../rng.js';
import { choiceIndex, fromInternal, isActive, toInternal, valueKey, widenedBounds, type Distribution, type Param, type Params, type Space } from '../space.js';
import type { Trial } from '../trial.js';
import type { SamplerDefinition } from './index.js';
import { choleskyInverse, choleskySolve, choleskyWithJitter } from './linalg.js';
import { sampleSpace, samplerSeed } from './random.js';
import type { Sampler, SuggestContext } from './sampler.js';

// ---- settings -----------------------------------------------------------------------------------------------

export const ACQUISITIONS = ['ucb', 'ei'] as const;
export type Acquisition = (typeof ACQUISITIONS)[number];

/** The GP sampler's settings (see `gp.params` for their defaults). */
export interface GpSettings {
  /** Random trials before the GP takes over; null: 3 × the number of parameters (KerasTuner's default). */
  initialPoints: number | null;
  acquisition: Acquisition;
  /** The weight of the standard deviation in the confidence bound (KerasTuner's beta). */
  beta: number;
  /** Expected improvement's margin, in units of the objectives' standard deviation. */
  xi: number;
  /** Added to the kernel's diagonal: the expected noise of the standardised objective. */
  alpha: number;
  /** Starting points of the hyper-parameter fit (the first is a fixed one, the others seeded random). */
  restarts: number;
  /** Random points scored before the pattern search. */
  candidates: number;
}

/**
 * Length scales (of [0, 1] inputs) and signal variances (of the standardised objective) the fit may choose.
 * The longest length scale is short enough that the model never becomes sure of a trend across a whole
 * range from a few points (with 50, a conditional test space stalled on a wrong step value in 2 of 12 seeds).
 */
const LENGTH_SCALE_BOUNDS: [number, number] = [0.01, 2];
const VARIANCE_BOUNDS: [number, number] = [0.01, 100];
/** The hyper-parameter fit sees at most this many observations (a seeded subset); the posterior sees all. */
const FIT_LIMIT = 150;
const FIT_ITERATIONS = 60;
/** Pattern searches start from this many of the best candidates, and from this many of the best trials. */
const REFINE_CANDIDATES = 5;
const REFINE_TRIALS = 2;
const REFINE_ITERATIONS = 40;
/** Random draws a startup suggestion makes to find values that no trial has. */
const STARTUP_TRIES = 20;

/** Rng streams (the third seed word), so each stage's draws stay the same when another's count changes. */
const STREAM_FIT = 1;
const STREAM_CANDIDATES = 2;
const STREAM_FALLBACK = 3;

// ---- encoding -----------------------------------------------------------------------------------------------

/** Where a parameter lives in the encoded vector: one dimension for a number, one per value for a choice. */
type Slot =
  | { param: Param; offset: number; kind: 'number'; low: number; high: number }
  | { param: Param; offset: number; kind: 'choice'; size: number };

/** The encoding of a space: its slots in the order of the parameters, and the total dimension. */
export interface Encoding {
  slots: Slot[];
  dim: number;
}

type ChoiceDist = Extract<Distribution, { kind: 'choice' }>;
type NumberDist = Exclude<Distribution, { kind: 'choice' }>;

/** The encoded value of an inactive number parameter. */
const INACTIVE_NUMBER = 0.5;

/** The encoding of `space` (see the file's header). */
export function encoding(space: Space): Encoding {
  const slots: Slot[] = [];
  let dim = 0;
  for (const param of space.params) {
    const d = param.dist;
    if (d.kind === 'choice') {
      slots.push({ param, offset: dim, kind: 'choice', size: d.values.length });
      dim += d.values.length;
    } else {
      const [low, high] = widenedBounds(d);
      slots.push({ param, offset: dim, kind: 'number', low, high });
      dim += 1;
    }
  }
  return { slots, dim };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** A trial's values as a point of [0, 1]^dim: a number out of range is clamped, a value of the wrong kind encodes as if inactive. */
export function encode(enc: Encoding, params: Params): Float64Array {
  const z = new Float64Array(enc.dim);
  for (const s of enc.slots) {
    const active = Object.hasOwn(params, s.param.name);
    const v = params[s.param.name];
    if (s.kind === 'choice') {
      const i = active ? choiceIndex(s.param.dist as ChoiceDist, v) : -1;
      if (i >= 0) z[s.offset + i] = 1;
    } else {
      const dist = s.param.dist as NumberDist;
      const ok = active && typeof v === 'number' && Number.isFinite(v) && (!dist.log || v > 0);
      z[s.offset] = ok ? encodeNumber(s, v) : INACTIVE_NUMBER;
    }
  }
  return z;
}

/** A number parameter's value as its coordinate in [0, 1]. */
function encodeNumber(s: Extract<Slot, { kind: 'number' }>, v: number): number {
  return clamp01((toInternal(s.param.dist as NumberDist, v) - s.low) / (s.high - s.low));
}

/**
 * The values a point stands for: parameters in order, each active one read from its slot (a number rounded to
 * its distribution, a choice by its largest coordinate, the first of equals), the others left out.
 */
export function decode(enc: Encoding, z: ArrayLike<number>): Params {
  const params: Params = {};
  for (const s of enc.slots) {
    if (!isActive(s.param, params)) continue;
    const dist = s.param.dist;
    if (s.kind === 'choice' && dist.kind === 'choice') {
      let best = 0;
      for (let i = 1; i < s.size; i++) if (z[s.offset + i] > z[s.offset + best]) best = i;
      params[s.param.name] = dist.values[best];
    } else if (s.kind === 'number' && dist.kind !== 'choice') {
      params[s.param.name] = fromInternal(dist, s.low + clamp01(z[s.offset]) * (s.high - s.low));
    }
  }
  return params;
}

/** A key that is equal for equal values (numbers to 10 significant digits, so a value and its round trip meet). */
export function paramsKey(space: Space, params: Params): string {
  return space.params
    .map((p) => {
      if (!Object.hasOwn(params, p.name)) return '-';
      const v = params[p.name];
      return typeof v === 'number' && p.dist.kind !== 'choice' ? v.toPrecision(10) : valueKey(v);
    })
    .join('|');
}

// ---- the kernel and the marginal likelihood -----------------------------------------------------------------

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The Matérn 5/2 correlation at scaled distance r: (1 + √5 r + 5r²/3) e^(−√5 r). (The kernel is the signal
 * variance times this, r the distance with each coordinate divided by its length scale.)
 */
export function matern52(r: number): number {
  const a = SQRT5 * r;
  return (1 + a + (a * a) / 3) * Math.exp(-a);
}

/** The points of `x` (n × dim, row-major) with each coordinate divided by its length scale exp(theta[k]). */
function scaleInputs(x: Float64Array, n: number, dim: number, theta: ArrayLike<number>): Float64Array {
  const xs = new Float64Array(n * dim);
  for (let k = 0; k < dim; k++) {
    const inv = Math.exp(-theta[k]);
    for (let i = 0; i < n; i++) xs[i * dim + k] = x[i * dim + k] * inv;
  }
  return xs;
}

function squaredDistance(a: Float64Array, ia: number, b: Float64Array, ib: number, dim: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const d = a[ia + k] - b[ib + k];
    s += d * d;
  }
  return s;
}

/**
 * The kernel matrix of the points `x` (n × dim, row-major) under hyper-parameters `theta` = [log length scale
 * of each dimension..., log signal variance], with `alpha` added to the diagonal.
 */
export function kernelMatrix(x: Float64Array, n: number, dim: number, theta: ArrayLike<number>, alpha: number): Float64Array {
  const xs = scaleInputs(x, n, dim, theta);
  const variance = Math.exp(theta[dim]);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = variance + alpha;
    for (let j = 0; j < i; j++) {
      const v = variance * matern52(Math.sqrt(squaredDistance(xs, i * dim, xs, j * dim, dim)));
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  return k;
}

/** The log marginal likelihood of a GP and, when asked for, its gradient in `theta`. */
export interface Likelihood {
  value: number;
  grad: Float64Array | null;
}

/**
 * The log marginal likelihood log p(y | x, theta) = −½ yᵀK⁻¹y − ½ log det K − (n/2) log 2π of observations `y`
 * at points `x` (n × dim), K the kernel matrix (see kernelMatrix); with `withGrad`, its gradient in theta:
 * ½ tr((ααᵀ − K⁻¹) ∂K/∂θ), α = K⁻¹y. −Infinity (gradient null) when K cannot be factored.
 */
export function logMarginalLikelihood(
  x: Float64Array,
  n: number,
  dim: number,
  y: ArrayLike<number>,
  theta: ArrayLike<number>,
  alpha: number,
  withGrad = true,
): Likelihood {
  const xs = scaleInputs(x, n, dim, theta);
  const variance = Math.exp(theta[dim]);
  // The kernel, and for each pair the factor of ∂k/∂(log length scale k) = factor · (scaled distance in k)².
  const kmat = new Float64Array(n * n);
  const dfac = withGrad ? new Float64Array(n * n) : null;
  for (let i = 0; i < n; i++) {
    kmat[i * n + i] = variance + alpha;
    for (let j = 0; j < i; j++) {
      const a = SQRT5 * Math.sqrt(squaredDistance(xs, i * dim, xs, j * dim, dim));
      const e = Math.exp(-a);
      const v = variance * (1 + a + (a * a) / 3) * e;
      kmat[i * n + j] = v;
      kmat[j * n + i] = v;
      if (dfac) dfac[i * n + j] = ((variance * 5) / 3) * (1 + a) * e;
    }
  }
  const chol = choleskyWithJitter(kmat, n);
  if (chol === null) return { value: -Infinity, grad: null };
  const l = chol.factor;
  const weights = choleskySolve(l, n, y);
  let fit = 0;
  let logDet = 0;
  for (let i = 0; i < n; i++) {
    fit += y[i] * weights[i];
    logDet += Math.log(l[i * n + i]);
  }
  const value = -0.5 * fit - logDet - 0.5 * n * LOG_2PI;
  if (!withGrad || dfac === null) return { value, grad: null };

  const inv = choleskyInverse(l, n);
  const grad = new Float64Array(dim + 1);
  // ∂K/∂(log variance) is the kernel without the diagonal's alpha; off-diagonal pairs count twice.
  let gv = 0;
  for (let i = 0; i < n; i++) {
    gv += 0.5 * (weights[i] * weights[i] - inv[i * n + i]) * variance;
    for (let j = 0; j < i; j++) {
      const w = weights[i] * weights[j] - inv[i * n + j];
      gv += w * kmat[i * n + j];
      const f = w * dfac[i * n + j];
      if (f === 0) continue;
      const ri = i * dim;
      const rj = j * dim;
      for (let k = 0; k < dim; k++) {
        const d = xs[ri + k] - xs[rj + k];
        grad[k] += f * d * d;
      }
    }
  }
  grad[dim] = gv;
  return { value, grad };
}

// ---- fitting the hyper-parameters ---------------------------------------------------------------------------

/** The box of theta: log length scales, then the log variance. */
function thetaBounds(dim: number): { low: Float64Array; high: Float64Array } {
  const low = new Float64Array(dim + 1).fill(Math.log(LENGTH_SCALE_BOUNDS[0]));
  const high = new Float64Array(dim + 1).fill(Math.log(LENGTH_SCALE_BOUNDS[1]));
  low[dim] = Math.log(VARIANCE_BOUNDS[0]);
  high[dim] = Math.log(VARIANCE_BOUNDS[1]);
  return { low, high };
}

/**
 * The hyper-parameters (theta, as kernelMatrix takes them) that maximise the log marginal likelihood within
 * the bounds, from `restarts` starting points: length scales 0.3 and variance 1 first, then seeded random ones;
 * each refined by minimizeInBox on the negated likelihood.
 */
export function fitHyperparameters(
  x: Float64Array,
  n: number,
  dim: number,
  y: ArrayLike<number>,
  alpha: number,
  restarts: number,
  rng: Rng,
): Float64Array {
  const { low, high } = thetaBounds(dim);
  const objective = (theta: Float64Array): Likelihood => {
    const lik = logMarginalLikelihood(x, n, dim, y, theta, alpha);
    if (lik.grad === null || !Number.isFinite(lik.value)) return { value: Infinity, grad: null };
    return { value: -lik.value, grad: lik.grad.map((g) => -g) };
  };
  let best: Float64Array | null = null;
  let bestValue = Infinity;
  for (let r = 0; r < restarts; r++) {
    const start = new Float64Array(dim + 1);
    for (let k = 0; k < dim; k++) start[k] = r === 0 ? Math.log(0.3) : rng.between(Math.log(0.05), Math.log(2));
    start[dim] = r === 0 ? 0 : rng.between(Math.log(0.3), Math.log(3));
    const result = minimizeInBox(objective, start, low, high, FIT_ITERATIONS);
    if (result.value < bestValue) {
      bestValue = result.value;
      best = result.x;
    }
  }
  if (best !== null) return best;
  // No start gave a finite likelihood: the fixed start, which conditioning will jitter.
  const fallback = new Float64Array(dim + 1).fill(Math.log(0.3));
  fallback[dim] = 0;
  return fallback;
}

/**
 * A local minimum of a smooth `f` (value and gradient) in the box [low, high], from `x0`: a projected BFGS.
 * Each iteration frees the coordinates that are inside the box or whose gradient points inward, steps along
 * −H·g on them, projects the step onto the box and backtracks until the decrease meets Armijo's condition.
 * It stops after `maxIter` iterations, or when the free gradient or the decrease becomes negligible.
 */
export function minimizeInBox(
  f: (x: Float64Array) => Likelihood,
  x0: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
  maxIter: number,
): { x: Float64Array; value: number } {
  const p = x0.length;
  const project = (v: ArrayLike<number>): Float64Array => Float64Array.from({ length: p }, (_, j) => Math.min(high[j], Math.max(low[j], v[j])));
  let x = project(x0);
  let cur = f(x);
  if (cur.grad === null || !Number.isFinite(cur.value)) return { x, value: Infinity };
  let g: Float64Array = cur.grad;
  let h = identity(p);
  let base = 1;
  let scaled = false;
  for (let iter = 0; iter < maxIter; iter++) {
    // Coordinates held at a bound by a gradient that points out of the box.
    const held = Array.from({ length: p }, (_, j) => (x[j] <= low[j] && g[j] > 0) || (x[j] >= high[j] && g[j] < 0));
    const free = g.map((v, j) => (held[j] ? 0 : v));
    if (Math.max(...free.map(Math.abs)) < 1e-6) break;
    // The curvature estimate covers the free coordinates only; one freed again starts from the base scale.
    for (let j = 0; j < p; j++) {
      if (held[j]) for (let k = 0; k < p; k++) h[j * p + k] = h[k * p + j] = 0;
      else if (h[j * p + j] === 0) h[j * p + j] = base;
    }
    let d = matVec(h, free, p).map((v, j) => (held[j] ? 0 : -v));
    if (!(dot(free, d) < 0)) {
      h = identity(p).map((v) => v * base);
      d = free.map((v) => -v);
    }
    let t = Math.min(1, 2 / Math.max(...d.map(Math.abs)));
    let next: { x: Float64Array; lik: Likelihood } | null = null;
    for (let back = 0; back < 30; back++, t *= 0.5) {
      const xn = project(x.map((v, j) => v + t * d[j]));
      const predicted = dot(g, xn.map((v, j) => v - x[j]));
      if (!(predicted < 0)) break;
      const lik = f(xn);
      if (lik.grad !== null && lik.value <= cur.value + 1e-4 * predicted) {
        next = { x: xn, lik };
        break;
      }
    }
    if (next === null) break;
    const s = next.x.map((v, j) => v - x[j]);
    const yv = next.lik.grad!.map((v, j) => (held[j] ? 0 : v - g[j]));
    const decrease = cur.value - next.lik.value;
    x = next.x;
    cur = next.lik;
    g = next.lik.grad!;
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      if (!scaled) {
        base = sy / dot(yv, yv);
        h = identity(p).map((v) => v * base);
        scaled = true;
      }
      updateInverseHessian(h, s, yv, sy, p);
    }
    if (decrease < 1e-8 * (1 + Math.abs(cur.value))) break;
  }
  return { x, value: cur.value };
}

function identity(p: number): Float64Array {
  const m = new Float64Array(p * p);
  for (let i = 0; i < p; i++) m[i * p + i] = 1;
  return m;
}

function matVec(m: Float64Array, v: Float64Array, p: number): Float64Array {
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += m[i * p + j] * v[j];
    out[i] = s;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** H ← H + (sᵀy + yᵀHy) ssᵀ/(sᵀy)² − (Hy sᵀ + s yᵀH)/sᵀy, the BFGS update of an inverse Hessian, in place. */
function updateInverseHessian(h: Float64Array, s: Float64Array, y: Float64Array, sy: number, p: number): void {
  const hy = matVec(h, y, p);
  const c = (sy + dot(y, hy)) / (sy * sy);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) h[i * p + j] += c * s[i] * s[j] - (hy[i] * s[j] + s[i] * hy[j]) / sy;
  }
}

// ---- the posterior ------------------------------------------------------------------------------------------

/** A GP conditioned on observations: what predict() needs. */
export interface GaussianProcess {
  n: number;
  dim: number;
  /** The points, each coordinate divided by its length scale. */
  scaled: Float64Array;
  inverseLengthScales: Float64Array;
  variance: number;
  /** The Cholesky factor of the kernel matrix (alpha and any jitter included). */
  factor: Float64Array;
  /** K⁻¹y. */
  weights: Float64Array;
  /** Scratch space for predict(). */
  scratch: Float64Array;
}

/** The GP with hyper-parameters `theta` conditioned on `y` at `x` (n × dim), or null when K cannot be factored. */
export function conditionGp(x: Float64Array, n: number, dim: number, y: ArrayLike<number>, theta: ArrayLike<number>, alpha: number): GaussianProcess | null {
  const chol = choleskyWithJitter(kernelMatrix(x, n, dim, theta, alpha), n);
  if (chol === null) return null;
  return {
    n,
    dim,
    scaled: scaleInputs(x, n, dim, theta),
    inverseLengthScales: Float64Array.from({ length: dim }, (_, k) => Math.exp(-theta[k])),
    variance: Math.exp(theta[dim]),
    factor: chol.factor,
    weights: choleskySolve(chol.factor, n, y),
    scratch: new Float64Array(n),
  };
}

/** The posterior mean and standard deviation of the latent function (no noise) at point `z`. */
export function predict(gp: GaussianProcess, z: ArrayLike<number>): { mean: number; std: number } {
  const { n, dim, scaled, factor: l } = gp;
  const zs = new Float64Array(dim);
  for (let k = 0; k < dim; k++) zs[k] = z[k] * gp.inverseLengthScales[k];
  const v = gp.scratch;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const kv = gp.variance * matern52(Math.sqrt(squaredDistance(zs, 0, scaled, i * dim, dim)));
    mean += kv * gp.weights[i];
    v[i] = kv;
  }
  // v ← L⁻¹ k*, in place; the variance is k(z, z) − |v|².
  let explained = 0;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = v[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * v[k];
    v[i] = s / l[ri + i];
    explained += v[i] * v[i];
  }
  return { mean, std: Math.sqrt(Math.max(gp.variance - explained, 0)) };
}

// ---- acquisition --------------------------------------------------------------------------------------------

/** erfc(x), to a relative error below 1.2e-7 (the Chebyshev fit of Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/**
 * log E[max(best − xi − f, 0)] for f ~ N(mean, std²): the log of expected improvement on a minimised objective.
 * Far below the best (z < −6) it uses the asymptotic series of z·Φ(z) + φ(z), so it ranks points where the
 * improvement itself underflows.
 */
export function logExpectedImprovement(mean: number, std: number, best: number, xi: number): number {
  const gap = best - xi - mean;
  if (!(std > 1e-12)) return gap > 0 ? Math.log(gap) : -Infinity;
  const z = gap / std;
  const logPdf = -0.5 * z * z - 0.5 * LOG_2PI;
  if (z > -6) {
    const cdf = 0.5 * erfc(-z / Math.SQRT2);
    const h = z * cdf + Math.exp(logPdf);
    return h > 0 ? Math.log(std * h) : Math.log(std) + logPdf - 2 * Math.log(-z);
  }
  const w = 1 / (z * z);
  return Math.log(std) + logPdf + Math.log(w * (1 - 3 * w + 15 * w * w - 105 * w * w * w));
}

/** A point's score under the acquisition: lower is better (the confidence bound, or −log EI). */
function acquisitionScore(settings: GpSettings, mean: number, std: number, best: number): number {
  if (settings.acquisition === 'ei') return -logExpectedImprovement(mean, std, best, settings.xi);
  return mean - settings.beta * std;
}

// ---- the acquisition search ---------------------------------------------------------------------------------

/** A point of the search: its values, their encoding, its acquisition score, and its key once asked for. */
interface Candidate {
  params: Params;
  z: Float64Array;
  score: number;
  key?: string;
}

/** What the search scores points with. */
interface SearchContext {
  space: Space;
  enc: Encoding;
  score: (z: Float64Array) => number;
}

function candidate(sc: SearchContext, params: Params): Candidate {
  const z = encode(sc.enc, params);
  return { params, z, score: sc.score(z) };
}

/** The candidate's paramsKey, computed once. */
function keyOf(sc: SearchContext, c: Candidate): string {
  c.key ??= paramsKey(sc.space, c.params);
  return c.key;
}

/**
 * A pattern search from `start`: each round tries a step of ±`step` in the coordinate of each active number
 * parameter (a step that rounds back to the same value is no move) and, once per point, every other value of
 * each active choice (which may switch conditional parameters on or off); it moves to the best if that
 * scores better, else halves the step. It stops when the step is below 1e-3 or after REFINE_ITERATIONS rounds.
 */
function refine(sc: SearchContext, start: Candidate): Candidate {
  let cur = start;
  let step = 0.1;
  let choicesTried = false;
  for (let iter = 0; iter < REFINE_ITERATIONS && step >= 1e-3; iter++) {
    let best = cur;
    for (const s of sc.enc.slots) {
      if (!Object.hasOwn(cur.params, s.param.name)) continue;
      const moves = s.kind === 'number' ? numberMoves(sc, cur, s, step) : choicesTried ? [] : choiceMoves(sc, cur, s);
      for (const c of moves) if (c.score < best.score) best = c;
    }
    choicesTried = true;
    if (best === cur) {
      step /= 2;
    } else {
      cur = best;
      choicesTried = false;
    }
  }
  return cur;
}

/** The points ±`step` from `cur` in a number parameter's coordinate (only its value changes: no condition names a number). */
function numberMoves(sc: SearchContext, cur: Candidate, s: Extract<Slot, { kind: 'number' }>, step: number): Candidate[] {
  const dist = s.param.dist as NumberDist;
  const out: Candidate[] = [];
  for (const sign of [-1, 1]) {
    const value = fromInternal(dist, s.low + clamp01(cur.z[s.offset] + sign * step) * (s.high - s.low));
    if (value === cur.params[s.param.name]) continue;
    const z = Float64Array.from(cur.z);
    z[s.offset] = encodeNumber(s, value);
    out.push({ params: { ...cur.params, [s.param.name]: value }, z, score: sc.score(z) });
  }
  return out;
}

/** The points with each other value of a choice, decoded afresh (conditional parameters follow the choice). */
function choiceMoves(sc: SearchContext, cur: Candidate, s: Extract<Slot, { kind: 'choice' }>): Candidate[] {
  const out: Candidate[] = [];
  for (let i = 0; i < s.size; i++) {
    if (cur.z[s.offset + i] === 1) continue;
    const z = Float64Array.from(cur.z);
    z.fill(0, s.offset, s.offset + s.size);
    z[s.offset + i] = 1;
    out.push(candidate(sc, decode(sc.enc, z)));
  }
  return out;
}

/**
 * Every point the search found, best first (equal scores in the order found): `count` random ones (drawn as
 * the random sampler draws), and the pattern searches from `incumbents` (the best trials' values) and from the
 * best random ones.
 */
function searchAcquisition(sc: SearchContext, incumbents: Params[], count: number, rng: Rng): Candidate[] {
  const found: Candidate[] = [];
  for (let i = 0; i < count; i++) found.push(candidate(sc, sampleSpace(sc.space, rng)));
  found.sort(byScore);
  const starts: Candidate[] = [];
  const seen = new Set<string>();
  // A trial's values pass through the encoding, so a stale or off-step value cannot reach a suggestion.
  const canonical = incumbents.map((p) => candidate(sc, decode(sc.enc, encode(sc.enc, p))));
  for (const c of [...canonical, ...found]) {
    if (starts.length >= REFINE_CANDIDATES + incumbents.length) break;
    if (seen.has(keyOf(sc, c))) continue;
    seen.add(keyOf(sc, c));
    starts.push(c);
  }
  for (const s of starts) found.push(refine(sc, s));
  return found.sort(byScore);
}

/** Ascending score (Array.prototype.sort is stable, so equal scores keep the order they were found in). */
function byScore(a: Candidate, b: Candidate): number {
  return a.score - b.score;
}

// ---- the sampler --------------------------------------------------------------------------------------------

/** A trial's objective as the GP minimises it, or null when it counts as no information. */
function observedValue(t: Trial, direction: SuggestContext['direction']): number | null {
  if (t.state !== 'completed' && t.state !== 'pruned') return null;
  if (t.value === null || !Number.isFinite(t.value)) return null;
  return direction === 'max' ? -t.value : t.value;
}

/** Random values that no trial has (STARTUP_TRIES draws at most; the last draw otherwise). */
function randomSuggestion(space: Space, rng: Rng, taken: Set<string>): Params {
  let params = sampleSpace(space, rng);
  for (let i = 1; i < STARTUP_TRIES && taken.has(paramsKey(space, params)); i++) params = sampleSpace(space, rng);
  return params;
}

/** The number of random trials before the GP (the setting, or 3 × the number of parameters). */
export function initialPointsFor(settings: GpSettings, space: Space): number {
  return settings.initialPoints ?? 3 * space.params.length;
}

/** The values the GP sampler proposes for trial `ctx.number` (see the file's header). */
export function suggestGp(space: Space, ctx: SuggestContext, settings: GpSettings, seed: number): Params {
  if (space.params.length === 0) return {};
  const trials = [...ctx.trials].sort((a, b) => a.number - b.number);
  const taken = new Set(trials.map((t) => paramsKey(space, t.params)));
  const observed = trials.filter((t) => observedValue(t, ctx.direction) !== null);
  // The first draw is the random sampler's for this trial; collisions draw again from the same stream.
  if (observed.length < initialPointsFor(settings, space)) return randomSuggestion(space, new Rng(seed, ctx.number), taken);

  const enc = encoding(space);
  const gp = observationModel(enc, observed, trials, ctx, settings, new Rng(seed, ctx.number, STREAM_FIT));
  const fallback = new Rng(seed, ctx.number, STREAM_FALLBACK);
  if (gp === null) return randomSuggestion(space, fallback, taken);

  const best = Math.min(...gp.y);
  const sc: SearchContext = {
    space,
    enc,
    score: (z) => {
      const { mean, std } = predict(gp.model, z);
      return acquisitionScore(settings, mean, std, best);
    },
  };
  const incumbents = observed
    .map((t, i) => ({ t, y: gp.y[i] }))
    .sort((a, b) => a.y - b.y || a.t.number - b.t.number)
    .slice(0, REFINE_TRIALS)
    .map(({ t }) => t.params);
  const ranked = searchAcquisition(sc, incumbents, settings.candidates, new Rng(seed, ctx.number, STREAM_CANDIDATES));
  const fresh = ranked.find((c) => !taken.has(keyOf(sc, c)));
  if (fresh !== undefined) return fresh.params;
  // Every point found is taken (a small discrete space): a random untaken one if there is one.
  const params = randomSuggestion(space, fallback, taken);
  return taken.has(paramsKey(space, params)) ? ranked[0].params : params;
}

/**
 * The GP of the observed trials (standardised objectives `y`, in the order of `observed`), with hyper-parameters
 * fitted to them, then conditioned also on the running trials at their posterior means (kriging believer);
 * null when no GP can be had (the caller then draws at random).
 */
function observationModel(
  enc: Encoding,
  observed: Trial[],
  trials: Trial[],
  ctx: SuggestContext,
  settings: GpSettings,
  rng: Rng,
): { model: GaussianProcess; y: Float64Array } | null {
  const { dim } = enc;
  const n = observed.length;
  const raw = observed.map((t) => observedValue(t, ctx.direction)!);
  const mean = raw.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(raw.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  if (!Number.isFinite(sd)) return null; // values so large that their spread overflows
  const y = Float64Array.from(raw, (v) => (v - mean) / (sd > 0 ? sd : 1));
  const x = new Float64Array(n * dim);
  observed.forEach((t, i) => x.set(encode(enc, t.params), i * dim));

  const theta = fitOnSubset(x, n, dim, y, settings, rng);
  const model = conditionGp(x, n, dim, y, theta, settings.alpha);
  if (model === null) return null;
  const running = trials.filter((t) => t.state === 'running');
  if (running.length === 0) return { model, y };

  const all = new Float64Array((n + running.length) * dim);
  all.set(x);
  const ys = new Float64Array(n + running.length);
  ys.set(y);
  running.forEach((t, i) => {
    const z = encode(enc, t.params);
    all.set(z, (n + i) * dim);
    ys[n + i] = predict(model, z).mean;
  });
  const believed = conditionGp(all, n + running.length, dim, ys, theta, settings.alpha);
  return believed === null ? { model, y } : { model: believed, y };
}

/**
 * Restarts of the hyper-parameter fit for n observations: all of them up to 49, then only the default start
 * from 50 on, so that a suggestion stays a small share of a trial (each start costs O(n³) per step). A cost cut:
 * the search quality past 50 trials was not measured against the full restarts.
 */
function restartsFor(n: number, settings: GpSettings): number {
  return n >= 50 ? 1 : settings.restarts;
}

/** fitHyperparameters on all observations, or on a seeded subset of FIT_LIMIT of them when there are more. */
function fitOnSubset(x: Float64Array, n: number, dim: number, y: Float64Array, settings: GpSettings, rng: Rng): Float64Array {
  if (n <= FIT_LIMIT) return fitHyperparameters(x, n, dim, y, settings.alpha, restartsFor(n, settings), rng);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < FIT_LIMIT; i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const pick = order.slice(0, FIT_LIMIT).sort((a, b) => a - b);
  const xs = new Float64Array(FIT_LIMIT * dim);
  pick.forEach((i, r) => xs.set(x.subarray(i * dim, (i + 1) * dim), r * dim));
  const ys = Float64Array.from(pick, (i) => y[i]);
  return fitHyperparameters(xs, FIT_LIMIT, dim, ys, settings.alpha, restartsFor(FIT_LIMIT, settings), rng);
}

/** The registry entry: `tune.sampler: { name: gp, ... }`. */
export const gp: SamplerDefinition = {
  params: {
    seed: { type: 'optionalInteger', min: 0 },
    initialPoints: { type: 'optionalInteger', min: 1, aliases: ['numInitialPoints', 'nStartupTrials', 'startupTrials'] },
    acquisition: { type: 'choice', default: 'ucb', choices: ACQUISITIONS },
    beta: { type: 'number', default: 2.6, min: 0 },
    xi: { type: 'number', default: 0.01, min: 0 },
    alpha: { type: 'number', default: 1e-4, min: 0 },
    restarts: { type: 'number', default: 5, min: 1, max: 100, integer: true, aliases: ['nRestartsOptimizer'] },
    candidates: { type: 'number', default: 1000, min: 1, max: 1_000_000, integer: true },
  },
  create(params, studySeed): Sampler {
    const seed = samplerSeed(params.seed, studySeed);
    const settings: GpSettings = {
      initialPoints: params.initialPoints as number | null,
      acquisition: params.acquisition as Acquisition,
      beta: params.beta as number,
      xi: params.xi as number,
      alpha: params.alpha as number,
      restarts: params.restarts as number,
      candidates: params.candidates as number,
    };
    return {
      name: 'gp',
      suggest: (space, ctx) => suggestGp(space, ctx, settings, seed),
      config: () => ({ name: 'gp', seed, ...settings }),
    };
  },
};
