// Asynchronous successive halving, ASHA (Li et al. 2018; Optuna's SuccessiveHalvingPruner): a trial trains
// through rungs of growing budgets, and at each rung goes on only if its value there is among the best
// 1/reductionFactor of the values every trial that reached the rung had there. Asynchronous: a trial is
// judged when it reaches a rung, against whoever has reached it so far, so early trials pass more easily
// (the first one alone always does), and no trial waits for others.
//
// Settings (any spelling; Optuna's names are aliases):
// - minEpochs (min_resource) 1: the budget of the first rung, in epochs;
// - reductionFactor (reduction_factor) 4: rung k ends after minEpochs * reductionFactor^(minEarlyStoppingRate + k)
//   epochs (1-based counts: with the defaults, after epochs 1, 4, 16, 64, i.e. at 0-based steps 0, 3, 15, 63);
// - minEarlyStoppingRate (min_early_stopping_rate) 0: skips the first rungs (s in the ASHA paper).
//
// Stateless (pruner.ts): a trial's value at a rung is its first value (not null) at or after the rung's last
// step, and a trial has reached the rung when it has one; every trial counts, whatever its state. With a value
// at every epoch that is simply its value at the rung's step; with sparse values (validation every 2 epochs) a
// trial is judged at its first value past the rung, as Optuna records it. Promotion follows Optuna: sort the
// rung's values (the judged trial's included), best first; the trial goes on when its value is at least as
// good as the one at index max(0, floor(count / reductionFactor) - 1), so ties pass. A NaN at a rung prunes;
// other trials' NaNs are no value.
import type { PrunerDefinition } from './index.js';
import type { PruneContext, Pruner } from './pruner.js';
import type { Direction, Trial } from '../trial.js';

export interface AshaSettings {
  minEpochs: number;
  reductionFactor: number;
  minEarlyStoppingRate: number;
}

export const asha: PrunerDefinition = {
  params: {
    minEpochs: { type: 'number', default: 1, min: 1, integer: true, aliases: ['minResource'] },
    reductionFactor: { type: 'number', default: 4, min: 2, integer: true },
    minEarlyStoppingRate: { type: 'number', default: 0, min: 0, integer: true },
  },
  create: (p) =>
    ashaPruner({
      minEpochs: p.minEpochs as number,
      reductionFactor: p.reductionFactor as number,
      minEarlyStoppingRate: p.minEarlyStoppingRate as number,
    }),
};

/** An ASHA pruner with these settings. */
export function ashaPruner(settings: AshaSettings): Pruner {
  const s = { ...settings };
  return {
    name: 'asha',
    shouldPrune: (trial, step, ctx) => ashaShouldPrune(s, trial, step, ctx.trials, ctx),
    config: () => ({ name: 'asha', ...s }),
  };
}

/**
 * The 0-based steps that end the rungs below `maxEpochs` epochs: minEpochs * rf^(rate + k) - 1 for k = 0, 1, ...
 * (a rung at or past the budget's last epoch never prunes, and is left out).
 */
export function rungSteps(s: AshaSettings, maxEpochs: number): number[] {
  const steps: number[] = [];
  for (let epochs = s.minEpochs * s.reductionFactor ** s.minEarlyStoppingRate; epochs < maxEpochs; epochs *= s.reductionFactor) {
    steps.push(epochs - 1);
  }
  return steps;
}

/**
 * The ASHA rule against `competitors` (the study's other trials, or those of one Hyperband bracket), a pure
 * function of its arguments: prunes at `step` when it is where the trial reaches a rung (see the header) and
 * the trial's value there is not promoted.
 */
export function ashaShouldPrune(s: AshaSettings, trial: Trial, step: number, competitors: readonly Trial[], ctx: PruneContext): boolean {
  if (step >= ctx.maxEpochs - 1) return false;
  const others = competitors.filter((t) => t.number !== trial.number);
  for (const rung of rungSteps(s, ctx.maxEpochs)) {
    if (rung > step) break;
    if (firstValueFrom(trial, rung, step) !== step) continue; // judged at this rung earlier, or not yet
    const value = trial.intermediate[step]!;
    if (Number.isNaN(value)) return true;
    const values = [value];
    for (const t of others) {
      const at = firstValueFrom(t, rung);
      const v = at === null ? null : t.intermediate[at]!;
      if (v !== null && !Number.isNaN(v)) values.push(v);
    }
    if (!promoted(value, values, s.reductionFactor, ctx.direction)) return true;
  }
  return false;
}

/** The first epoch at or after `from` (up to `until`) where the trial has a value (not null), or null. */
function firstValueFrom(trial: Trial, from: number, until = trial.intermediate.length - 1): number | null {
  for (let e = from; e <= until && e < trial.intermediate.length; e++) {
    const v = trial.intermediate[e];
    if (v !== null && v !== undefined) return e;
  }
  return null;
}

/** Whether `value` is among the best 1/rf of `values` (which hold it), as the header says. */
export function promoted(value: number, values: readonly number[], reductionFactor: number, direction: Direction): boolean {
  const index = Math.max(0, Math.floor(values.length / reductionFactor) - 1);
  const sign = direction === 'max' ? 1 : -1; // best first
  const sorted = [...values].sort((a, b) => (a < b ? sign : a > b ? -sign : 0));
  return direction === 'max' ? value >= sorted[index] : value <= sorted[index];
}
