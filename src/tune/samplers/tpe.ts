// The Tree-structured Parzen Estimator sampler (Bergstra et al. 2011), the algorithm of Optuna's TPESampler
// (3.1) with its settings and defaults. Until `startupTrials` trials have finished it samples at random (as the
// random sampler does, so the first trials of a seed are the random sampler's). After that, the finished
// trials are ranked best first and split into a "good" group (the best min(ceil(gamma * n), 25)) and a "bad"
// group (the rest). Each group becomes a Parzen estimator, a weighted mixture with one component per trial
// (newer trials weigh more once there are over 25) plus a prior component spanning the whole range; l(x) is
// the good group's density and g(x) the bad group's. `eiCandidates` points are drawn from l and the one with
// the largest log l(x) - log g(x) is suggested.
//
// - Floats and ints work in the internal scale (the log for `log`, space.ts: toInternal). A component is a
//   normal truncated to the parameter's range, whose width is the larger gap to its neighbouring observations
//   (clipped into [range / min(100, components), range] with `considerMagicClip`). Ints and stepped floats are
//   discretised: the range is widened by half a step each side and a value's probability is the mass of the
//   step around it (a log int is continuous in the log of the widened range, as in Optuna).
// - Choices are categorical: each trial's component puts weight 1 on its value plus `priorWeight` / (n + 1)
//   on every value, the prior component is uniform.
// - Ranking: completed trials by their value (`direction`), then pruned trials (more epochs first, then their
//   value at their last epoch); failed trials are ignored. With `constantLiar`, running trials count as the
//   worst of all, so they join the bad group and parallel workers keep away from each other's points.
// - `multivariate: false` fits each parameter alone, on the trials where it was active. `multivariate: true`
//   decomposes the parameters into groups that were always active together in the finished trials (Optuna's
//   multivariate=True with group=True, Falkner et al. 2018): each group's estimator is a product of one kernel
//   per parameter per component, with Scott's-rule widths, fit on the trials where the group was active; a
//   parameter in no group yet is fit alone.
// - A trial's value that is not a value of its parameter (the space changed since) counts as not set.
//
// A continuous component's density leaves out its 1/width factor, as Optuna 3.1 does: `normalizedKernels: true`
// puts it in (as Optuna >= 3.5), which measured worse on Hartmann-6 against Optuna 3.1 (bench/tune.ts: 40
// seeds, median best after 50 trials -2.52 with it, -2.77 without, Optuna 3.1 -2.70). The constant liar is on
// by default (as in later Optuna), since a study may run on several workers.
// A suggestion is a pure function of (seed, trial number, trials): randomness comes from an Rng per
// (seed, trial number, parameter or group).
import { Rng } from '../rng.js';
import { choiceIndex, contains, fromInternal, isActive, toInternal, widenedBounds, type Param, type Params, type Space } from '../space.js';
import type { Direction, Trial } from '../trial.js';
import type { SamplerDefinition } from './index.js';
import { sampleSpace, samplerSeed } from './random.js';
import type { Sampler, SuggestContext } from './sampler.js';

/** The settings of a TPE sampler, defaults filled in. */
export interface TpeSettings {
  startupTrials: number;
  eiCandidates: number;
  priorWeight: number;
  considerPrior: boolean;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
  gamma: number;
  multivariate: boolean;
  constantLiar: boolean;
  /** Continuous kernels as normalised densities (with their 1/width factor, as Optuna >= 3.5), or as Optuna 3.1. */
  normalizedKernels: boolean;
}

/**
 * Settings (Optuna's names in any spelling work too: n_startup_trials, n_ei_candidates, prior_weight, ...):
 * startupTrials (10) finished trials sampled at random first; eiCandidates (24) draws from l(x) to choose
 * among; priorWeight (1) of the prior component; considerPrior (true), considerMagicClip (true) and
 * considerEndpoints (false) as Optuna's; gamma (0.1) the fraction of the finished trials that are good, at
 * most 25; multivariate (false) joint estimators per group of parameters; constantLiar (true) running trials
 * count as the worst; seed (the study's) for the draws.
 */
export const tpe: SamplerDefinition = {
  params: {
    startupTrials: { type: 'number', default: 10, min: 0, integer: true, aliases: ['nStartupTrials'] },
    eiCandidates: { type: 'number', default: 24, min: 1, integer: true, aliases: ['nEiCandidates'] },
    priorWeight: { type: 'number', default: 1, min: 0, exclusiveMin: true },
    considerPrior: { type: 'boolean', default: true },
    considerMagicClip: { type: 'boolean', default: true },
    considerEndpoints: { type: 'boolean', default: false },
    gamma: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, max: 1 },
    multivariate: { type: 'boolean', default: false },
    constantLiar: { type: 'boolean', default: true },
    normalizedKernels: { type: 'boolean', default: false },
    seed: { type: 'optionalInteger', min: 0 },
  },
  create(params, studySeed): Sampler {
    const settings: TpeSettings = {
      startupTrials: params.startupTrials as number,
      eiCandidates: params.eiCandidates as number,
      priorWeight: params.priorWeight as number,
      considerPrior: params.considerPrior as boolean,
      considerMagicClip: params.considerMagicClip as boolean,
      considerEndpoints: params.considerEndpoints as boolean,
      gamma: params.gamma as number,
      multivariate: params.multivariate as boolean,
      constantLiar: params.constantLiar as boolean,
      normalizedKernels: params.normalizedKernels as boolean,
    };
    const seed = samplerSeed(params.seed, studySeed);
    return {
      name: 'tpe',
      suggest: (space, ctx) => suggestTpe(space, ctx, settings, seed),
      config: () => ({ name: 'tpe', ...settings, seed }),
    };
  },
};

// ---- ranking the trials -------------------------------------------------------------------------------------

/** A trial that TPE learns from, with its rank key: compared as [stage, value], smaller is better. */
export interface Scored {
  trial: Trial;
  key: [number, number];
  running: boolean;
}

/**
 * The trials TPE learns from, oldest first, each with its rank key (Optuna's observation pairs): a completed
 * trial [-inf, value], a pruned one [-(its last epoch), its value there] ([1, 0] without any), a running one
 * [inf, inf] with the constant liar (otherwise it is left out), values negated for 'max'. Failed trials and
 * completed ones without a value (null or NaN) are left out.
 */
export function scoredTrials(trials: readonly Trial[], direction: Direction, constantLiar: boolean): Scored[] {
  const sign = direction === 'min' ? 1 : -1;
  const out: Scored[] = [];
  for (const trial of [...trials].sort((a, b) => a.number - b.number)) {
    let key: [number, number];
    if (trial.state === 'completed') {
      if (trial.value === null || Number.isNaN(trial.value)) continue;
      key = [-Infinity, sign * trial.value];
    } else if (trial.state === 'pruned') {
      const step = lastStep(trial.intermediate);
      const v = trial.intermediate[step];
      key = step < 0 || v === null ? [1, 0] : [-step, Number.isNaN(v) ? Infinity : sign * v];
    } else if (trial.state === 'running' && constantLiar) {
      key = [Infinity, Infinity];
    } else {
      continue;
    }
    out.push({ trial, key, running: trial.state === 'running' });
  }
  return out;
}

/** The last epoch with a value, or -1. */
function lastStep(values: readonly (number | null)[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return i;
  return -1;
}

/** Optuna's default gamma, with `gamma` the fraction: how many of `n` finished trials are "good". */
export function goodCount(n: number, gamma: number): number {
  return Math.min(Math.ceil(gamma * n), 25);
}

/** The good and the bad trials of `scored` (each oldest first): the `nGood` best by rank key, and the rest. */
export function splitTrials(scored: readonly Scored[], nGood: number): { good: Scored[]; bad: Scored[] } {
  const ranked = scored.map((s, i) => ({ s, i })).sort((a, b) => compare(a.s.key[0], b.s.key[0]) || compare(a.s.key[1], b.s.key[1]) || a.i - b.i);
  const chronological = (xs: typeof ranked) => xs.sort((a, b) => a.i - b.i).map((x) => x.s);
  return { good: chronological(ranked.slice(0, nGood)), bad: chronological(ranked.slice(nGood)) };
}

/** a - b as an ordering, with equal infinities equal (inf - inf is NaN). */
function compare(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Optuna's default_weights: `n` observations, oldest first, weigh 1 each, except that beyond the newest 25
 * the older ones ramp linearly from 1/n up towards 1.
 */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (ramp - 1));
  return out.concat(new Array<number>(25).fill(1));
}

// ---- truncated normal arithmetic ----------------------------------------------------------------------------

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 1e-12;

/** log erfc(x) for x >= 0, accurate far into the tail: a series for erf below 2.5, a continued fraction above. */
function logErfcNonNegative(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)): positive terms, no cancellation.
    const q = 2 * x * x;
    let term = x;
    let sum = x;
    for (let n = 1; term > 1e-17 * sum; n++) {
      term *= q / (2 * n + 1);
      sum += term;
    }
    return Math.log1p(-(2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...)))), converged by 60 terms at 2.5.
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return -x * x - Math.log(f) - 0.5 * Math.log(Math.PI);
}

/** erfc(x). */
export function erfc(x: number): number {
  return x >= 0 ? Math.exp(logErfcNonNegative(x)) : 2 - Math.exp(logErfcNonNegative(-x));
}

/** log Phi(a), the log of the standard normal CDF, accurate in both tails. */
export function logNdtr(a: number): number {
  const x = -a / Math.SQRT2;
  return x >= 0 ? logErfcNonNegative(x) - Math.LN2 : Math.log1p(-0.5 * Math.exp(logErfcNonNegative(-x)));
}

/** Phi(a), the standard normal CDF. */
function ndtr(a: number): number {
  return 0.5 * erfc(-a / Math.SQRT2);
}

/** log(e^p - e^q) for p >= q. */
function logDiff(p: number, q: number): number {
  return p === -Infinity ? -Infinity : p + Math.log1p(-Math.exp(q - p));
}

/** log(e^p + e^q). */
function logSum(p: number, q: number): number {
  const m = Math.max(p, q);
  return m === -Infinity ? -Infinity : m + Math.log(Math.exp(p - m) + Math.exp(q - m));
}

/** The log of the standard normal mass in [a, b] (a <= b), worked in the left tail where it is accurate. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** The x with log Phi(x) = y (y <= 0), by bisection to full precision. */
function ndtriExp(y: number): number {
  let lo = -100;
  let hi = 100;
  for (;;) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) return mid;
    if (logNdtr(mid) < y) lo = mid;
    else hi = mid;
  }
}

/** The quantile `u` of the standard normal truncated to [a, b] (the inverse CDF, in log space). */
export function truncnormQuantile(u: number, a: number, b: number): number {
  if (u <= 0) return a;
  if (u >= 1) return b;
  const mass = logGaussMass(a, b);
  const x = a < 0 ? ndtriExp(logSum(logNdtr(a), Math.log(u) + mass)) : -ndtriExp(logSum(logNdtr(-b), Math.log1p(-u) + mass));
  return Math.min(b, Math.max(a, x));
}

// ---- Parzen estimators --------------------------------------------------------------------------------------

/** One parameter of an estimator: a float or int in its (widened) internal range, or a choice. */
export type Dimension =
  | { kind: 'numeric'; param: Param; low: number; high: number; step: number | null }
  | { kind: 'categorical'; param: Param; size: number };

/** The estimator's view of a parameter: its widened internal range and step (none for log), or its number of values. */
export function dimension(param: Param): Dimension {
  if (param.dist.kind === 'choice') return { kind: 'categorical', param, size: param.dist.values.length };
  const [low, high] = widenedBounds(param.dist);
  return { kind: 'numeric', param, low, high, step: param.dist.log ? null : param.dist.step };
}

/** A trial's value of `param` in the estimator's terms (internal scale, or a choice's index), or null. */
function observe(param: Param, params: Params): number | null {
  if (!Object.hasOwn(params, param.name) || !contains(param.dist, params[param.name])) return null;
  const v = params[param.name];
  return param.dist.kind === 'choice' ? choiceIndex(param.dist, v) : toInternal(param.dist, v as number);
}

/** A numeric dimension's kernels: one truncated normal per component. */
interface Kernels {
  mus: number[];
  sigmas: number[];
  /** log of each component's mass inside [low, high]. */
  logMass: number[];
}

type Numeric = Extract<Dimension, { kind: 'numeric' }>;

/** A dimension fit to the observations: its kernels, or each component's probabilities over a choice's values. */
type Fitted = { kind: 'numeric'; dim: Numeric; kernels: Kernels } | { kind: 'categorical'; probs: number[][] };

/**
 * A Parzen estimator over `dims`: a mixture with one component per observation plus the prior component
 * (always when there are no observations). An observation, like a point, has one value per dimension: a
 * float or int in the internal scale, a choice by the index of its value.
 */
export class ParzenEstimator {
  private readonly weights: number[];
  private readonly fitted: Fitted[];

  private readonly normalized: boolean;

  constructor(dims: readonly Dimension[], observations: readonly number[][], settings: TpeSettings) {
    this.normalized = settings.normalizedKernels;
    const n = observations.length;
    const prior = settings.considerPrior || n === 0;
    const w = defaultWeights(n);
    if (prior) w.push(settings.priorWeight);
    const total = w.reduce((a, b) => a + b, 0);
    this.weights = w.map((x) => x / total);
    // Scott's rule, as BOHB: the same relative width for every component of a multivariate estimator.
    const scott = settings.multivariate ? 0.2 * Math.max(n, 1) ** (-1 / (dims.length + 4)) : null;
    this.fitted = dims.map((dim, d) => {
      const values = observations.map((o) => o[d]);
      if (dim.kind === 'categorical') return { kind: 'categorical', probs: categoricalProbs(values, dim.size, prior, settings.priorWeight) };
      return { kind: 'numeric', dim, kernels: numericKernels(values, dim, prior, scott, settings) };
    });
  }

  /** `size` points drawn from the mixture, each value rounded to a value of its parameter (as a suggestion). */
  sample(rng: Rng, size: number): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < size; s++) {
      const k = rng.weighted(this.weights);
      out.push(
        this.fitted.map((f) => {
          if (f.kind === 'categorical') return rng.weighted(f.probs[k]);
          const { mus, sigmas } = f.kernels;
          const { low, high } = f.dim;
          const z = truncnormQuantile(rng.uniform(), (low - mus[k]) / sigmas[k], (high - mus[k]) / sigmas[k]);
          return round(f.dim, mus[k] + sigmas[k] * z);
        }),
      );
    }
    return out;
  }

  /** The log density (or log probability, for discrete dimensions) of a point drawn by sample(). */
  logPdf(point: readonly number[]): number {
    const logs = this.weights.map((w) => Math.log(w));
    this.fitted.forEach((f, d) => {
      const x = point[d];
      for (let k = 0; k < logs.length; k++) {
        logs[k] += f.kind === 'categorical' ? Math.log(f.probs[k][x]) : kernelLogPdf(f.dim, f.kernels, k, x, this.normalized);
      }
    });
    const max = logs.reduce((a, b) => Math.max(a, b), -Infinity);
    if (max === -Infinity) return -Infinity;
    return max + Math.log(logs.reduce((acc, l) => acc + Math.exp(l - max), 0));
  }
}

/** An internal-scale draw rounded to a value of its parameter, back in the internal scale. */
function round(dim: Numeric, x: number): number {
  const dist = dim.param.dist as Exclude<Param['dist'], { kind: 'choice' }>;
  return toInternal(dist, fromInternal(dist, x));
}

/** Component k's log density at x (continuous), or log mass of the step around x (discrete). */
function kernelLogPdf(dim: Numeric, kernels: Kernels, k: number, x: number, normalized: boolean): number {
  const mu = kernels.mus[k];
  const sigma = kernels.sigmas[k];
  if (dim.step === null) {
    if (x < dim.low || x > dim.high) return -Infinity;
    const z = (x - mu) / sigma;
    return -0.5 * z * z - LOG_SQRT_2PI - (normalized ? Math.log(sigma) : 0) - kernels.logMass[k];
  }
  const lo = Math.max(x - dim.step / 2, dim.low);
  const hi = Math.min(x + dim.step / 2, dim.high);
  return logGaussMass((lo - mu) / sigma, (hi - mu) / sigma) - kernels.logMass[k];
}

/** Each component's probabilities over a choice's values: 1 on its value plus priorWeight / (n + 1) on each. */
function categoricalProbs(values: readonly number[], size: number, prior: boolean, priorWeight: number): number[][] {
  const n = values.length;
  const fill = priorWeight / (prior ? n + 1 : n);
  const rows = values.map((v) => {
    const row = new Array<number>(size).fill(fill);
    row[v] += 1;
    return row;
  });
  if (prior) rows.push(new Array<number>(size).fill(fill));
  return rows.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((p) => p / total);
  });
}

/**
 * The kernels of a numeric dimension: centred on the observations (and the prior's at the middle of the
 * range, as wide as the range). Univariate widths are the larger gap to the neighbouring centres (the range's
 * ends count as neighbours only with `considerEndpoints`); multivariate ones are `scott` times the range.
 */
function numericKernels(values: readonly number[], dim: Numeric, prior: boolean, scott: number | null, settings: TpeSettings): Kernels {
  const { low, high } = dim;
  const range = high - low;
  const mus = prior ? [...values, 0.5 * (low + high)] : [...values];
  let sigmas: number[];
  if (scott !== null) {
    sigmas = mus.map(() => scott * range);
  } else {
    const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
    const ends = [low, ...order.map((i) => mus[i]), high];
    const sorted = order.map((_, j) => Math.max(ends[j + 1] - ends[j], ends[j + 2] - ends[j + 1]));
    if (!settings.considerEndpoints && ends.length >= 4) {
      sorted[0] = ends[2] - ends[1];
      sorted[sorted.length - 1] = ends[ends.length - 2] - ends[ends.length - 3];
    }
    sigmas = new Array<number>(mus.length);
    order.forEach((i, j) => (sigmas[i] = sorted[j]));
  }
  const minSigma = settings.considerMagicClip ? range / Math.min(100, 1 + mus.length) : EPS;
  sigmas = sigmas.map((s) => Math.min(range, Math.max(minSigma, s)));
  if (prior) sigmas[sigmas.length - 1] = range;
  const logMass = mus.map((mu, k) => logGaussMass((low - mu) / sigmas[k], (high - mu) / sigmas[k]));
  return { mus, sigmas, logMass };
}

// ---- suggesting ---------------------------------------------------------------------------------------------

/** TPE's suggestion for the next trial (see the header). */
export function suggestTpe(space: Space, ctx: SuggestContext, settings: TpeSettings, seed: number): Params {
  const scored = scoredTrials(ctx.trials, ctx.direction, settings.constantLiar);
  const finished = scored.filter((s) => !s.running);
  if (finished.length < settings.startupTrials) return sampleSpace(space, new Rng(seed, ctx.number));
  const split = splitTrials(scored, goodCount(finished.length, settings.gamma));
  const index = new Map(space.params.map((p, i) => [p.name, i]));
  const groups = settings.multivariate ? decompose(space, finished.map((s) => s.trial)) : [];
  const groupOf = new Map(groups.flatMap((g) => g.map((p) => [p.name, g] as const)));
  const joint = new Map<Param[], Params>();
  const params: Params = {};
  for (const p of space.params) {
    if (!isActive(p, params)) continue;
    if (p.dist.kind === 'choice' && p.dist.values.length === 1) {
      params[p.name] = p.dist.values[0];
      continue;
    }
    const group = groupOf.get(p.name) ?? null;
    if (group === null) {
      params[p.name] = sampleGroup([p], split, settings, new Rng(seed, ctx.number, 1, index.get(p.name)!))[p.name];
      continue;
    }
    if (!joint.has(group)) joint.set(group, sampleGroup(group, split, settings, new Rng(seed, ctx.number, 2, index.get(group[0].name)!)));
    params[p.name] = joint.get(group)![p.name];
  }
  return params;
}

/**
 * Optuna's group decomposition: the parameters (those with more than one value) split into groups such that
 * in every one of `trials` each group was either wholly active or wholly inactive; each group in the order of
 * the space, groups by their first parameter. Parameters no trial had are in no group.
 */
export function decompose(space: Space, trials: readonly Trial[]): Param[][] {
  const tunable = space.params.filter((p) => p.dist.kind !== 'choice' || p.dist.values.length > 1);
  let groups: Param[][] = [];
  for (const t of trials) {
    const present = new Set(tunable.filter((p) => observe(p, t.params) !== null));
    const next: Param[][] = [];
    for (const g of groups) {
      next.push(g.filter((p) => present.has(p)), g.filter((p) => !present.has(p)));
      for (const p of g) present.delete(p);
    }
    next.push(tunable.filter((p) => present.has(p)));
    groups = next.filter((g) => g.length > 0);
  }
  const order = (p: Param) => space.params.indexOf(p);
  return groups.map((g) => [...g].sort((a, b) => order(a) - order(b))).sort((a, b) => order(a[0]) - order(b[0]));
}

/**
 * Values for the parameters of `group` (one parameter, or a multivariate group), drawn jointly: estimators l
 * and g on the good and the bad trials where the whole group was active, `eiCandidates` draws from l, the one
 * with the largest log l - log g (the first of equals).
 */
function sampleGroup(group: readonly Param[], split: { good: Scored[]; bad: Scored[] }, settings: TpeSettings, rng: Rng): Params {
  const dims = group.map(dimension);
  const rows = (trials: Scored[]) =>
    trials.map((s) => group.map((p) => observe(p, s.trial.params))).filter((row): row is number[] => row.every((v) => v !== null));
  const good = new ParzenEstimator(dims, rows(split.good), settings);
  const bad = new ParzenEstimator(dims, rows(split.bad), settings);
  let best: number[] | null = null;
  let bestScore = -Infinity;
  for (const point of good.sample(rng, settings.eiCandidates)) {
    const score = good.logPdf(point) - bad.logPdf(point);
    if (best === null || score > bestScore) [best, bestScore] = [point, score];
  }
  return Object.fromEntries(group.map((p, d) => [p.name, external(p, best![d])]));
}

/** An estimator's value of `p` as a value of the parameter. */
function external(p: Param, x: number): unknown {
  return p.dist.kind === 'choice' ? p.dist.values[x] : fromInternal(p.dist, x);
}
