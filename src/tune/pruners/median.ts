// The median pruner (Optuna's MedianPruner, the 50th percentile of its PercentilePruner): after an epoch, a
// trial is stopped when its best value so far is worse than the median of the other trials' values at that
// same epoch.
//
// Settings (any spelling; Optuna's names are aliases):
// - startupTrials (n_startup_trials) 5: no pruning until this many other trials have finished (completed or
//   pruned), so that the median means something;
// - warmupEpochs (n_warmup_steps) 0: no pruning at epochs before this one (0-based: 3 spares epochs 0..2);
// - intervalEpochs (interval_steps) 1: pruning is checked at epochs warmupEpochs + k * intervalEpochs; a check
//   that falls on an epoch without a value is postponed to the trial's next value, as Optuna does;
// - minTrials (n_min_trials) 1: no pruning at an epoch where fewer other trials have a value.
//
// The median is taken over every other trial with a value at the epoch, whatever its state (pruner.ts: a
// pruned trial's epochs and a running trial's epochs count too; Optuna counts completed trials only). Nulls
// and NaNs are no value. A trial whose own values so far are all NaN is pruned once the checks allow it.
import type { PrunerDefinition } from './index.js';
import type { PruneContext, Pruner } from './pruner.js';
import type { Direction, Trial } from '../trial.js';

export interface MedianSettings {
  startupTrials: number;
  warmupEpochs: number;
  intervalEpochs: number;
  minTrials: number;
}

export const median: PrunerDefinition = {
  params: {
    startupTrials: { type: 'number', default: 5, min: 0, integer: true, aliases: ['nStartupTrials'] },
    warmupEpochs: { type: 'number', default: 0, min: 0, integer: true, aliases: ['nWarmupSteps', 'warmupSteps'] },
    intervalEpochs: { type: 'number', default: 1, min: 1, integer: true, aliases: ['intervalSteps'] },
    minTrials: { type: 'number', default: 1, min: 1, integer: true, aliases: ['nMinTrials'] },
  },
  create: (p) =>
    medianPruner({
      startupTrials: p.startupTrials as number,
      warmupEpochs: p.warmupEpochs as number,
      intervalEpochs: p.intervalEpochs as number,
      minTrials: p.minTrials as number,
    }),
};

/** A median pruner with these settings. */
export function medianPruner(settings: MedianSettings): Pruner {
  const s = { ...settings };
  return {
    name: 'median',
    shouldPrune: (trial, step, ctx) => medianShouldPrune(s, trial, step, ctx),
    config: () => ({ name: 'median', ...s }),
  };
}

/** The median rule, a pure function of its arguments (see the header). */
export function medianShouldPrune(s: MedianSettings, trial: Trial, step: number, ctx: PruneContext): boolean {
  if (step >= ctx.maxEpochs - 1 || step < s.warmupEpochs) return false;
  const others = ctx.trials.filter((t) => t.number !== trial.number);
  if (others.filter((t) => t.state === 'completed' || t.state === 'pruned').length < s.startupTrials) return false;
  if (!isCheckEpoch(trial, step, s.warmupEpochs, s.intervalEpochs)) return false;
  const values = others.map((t) => t.intermediate[step]).filter(isValue);
  if (values.length < s.minTrials || values.length === 0) return false;
  const best = bestSoFar(trial, step, ctx.direction);
  if (best === null) return true;
  const m = medianOf(values);
  return ctx.direction === 'max' ? best < m : best > m;
}

/** A number that counts as a value (null and NaN do not). */
function isValue(v: number | null | undefined): v is number {
  return typeof v === 'number' && !Number.isNaN(v);
}

/**
 * Whether `step` is a pruning check: the trial's first value at or after the latest check epoch
 * (warmup + k * interval) not after `step`. So with interval 3 and a value missing at epoch 3, epoch 4 checks.
 */
function isCheckEpoch(trial: Trial, step: number, warmup: number, interval: number): boolean {
  const lastCheck = warmup + Math.floor((step - warmup) / interval) * interval;
  for (let e = step - 1; e >= lastCheck; e--) if (trial.intermediate[e] !== null && trial.intermediate[e] !== undefined) return false;
  return true;
}

/** The trial's best value at epochs 0..step (NaNs skipped), or null when it has none. */
function bestSoFar(trial: Trial, step: number, direction: Direction): number | null {
  let best: number | null = null;
  for (let e = 0; e <= step && e < trial.intermediate.length; e++) {
    const v = trial.intermediate[e];
    if (!isValue(v)) continue;
    if (best === null || (direction === 'max' ? v > best : v < best)) best = v;
  }
  return best;
}

/** The median (the mean of the two middle values for an even count), as numpy's percentile 50 gives. */
export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
