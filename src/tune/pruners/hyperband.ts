// Hyperband (Li et al. 2017) over ASHA brackets, as Optuna's HyperbandPruner: the study's trials are split
// into brackets that trade how many trials start against how early they are judged. Bracket i is an ASHA
// (asha.ts) whose first rung is at minEpochs * reductionFactor^i epochs; a trial belongs to one bracket and is
// compared only with the trials of its own bracket.
//
// Settings (any spelling; Optuna's names are aliases):
// - minEpochs (min_resource) 1: the first rung of bracket 0, in epochs;
// - maxEpochs (max_resource) 'auto': the most epochs a trial trains; auto (or null) is the study's epoch budget
//   (PruneContext.maxEpochs), where Optuna estimates it from the completed trials;
// - reductionFactor (reduction_factor) 3.
//
// There are floor(log_rf(maxEpochs / minEpochs)) + 1 brackets (at least one). Bracket i's budget is
// ceil(n * rf^s / (s + 1)) with s = n - 1 - i: bracket 0, judged earliest, gets the most trials. A trial's
// bracket is a function of its number alone: a 32-bit hash of it (rng.ts: mix) modulo the budgets' total,
// then the bracket whose share of the total that falls in, so brackets fill in proportion to their budgets
// (Optuna hashes the study name and number with crc32 the same way). Stateless, like every pruner here.
import type { PrunerDefinition } from './index.js';
import type { Pruner } from './pruner.js';
import { ashaShouldPrune } from './asha.js';
import { mix } from '../rng.js';

export interface HyperbandSettings {
  minEpochs: number;
  /** null: the study's epoch budget (written 'auto'). */
  maxEpochs: number | null;
  reductionFactor: number;
}

export const hyperband: PrunerDefinition = {
  params: {
    minEpochs: { type: 'number', default: 1, min: 1, integer: true, aliases: ['minResource'] },
    maxEpochs: { type: 'optionalInteger', min: 1, aliases: ['maxResource'] },
    reductionFactor: { type: 'number', default: 3, min: 2, integer: true },
  },
  create: (p) =>
    hyperbandPruner({
      minEpochs: p.minEpochs as number,
      maxEpochs: p.maxEpochs as number | null,
      reductionFactor: p.reductionFactor as number,
    }),
};

/** A Hyperband pruner with these settings. */
export function hyperbandPruner(settings: HyperbandSettings): Pruner {
  const s = { ...settings };
  return {
    name: 'hyperband',
    shouldPrune(trial, step, ctx) {
      const maxEpochs = s.maxEpochs ?? ctx.maxEpochs;
      const budgets = bracketBudgets(bracketCount(s.minEpochs, maxEpochs, s.reductionFactor), s.reductionFactor);
      const bracket = bracketOf(trial.number, budgets);
      const mates = ctx.trials.filter((t) => bracketOf(t.number, budgets) === bracket);
      const asha = { minEpochs: s.minEpochs, reductionFactor: s.reductionFactor, minEarlyStoppingRate: bracket };
      return ashaShouldPrune(asha, trial, step, mates, ctx);
    },
    config: () => ({ name: 'hyperband', minEpochs: s.minEpochs, maxEpochs: s.maxEpochs ?? 'auto', reductionFactor: s.reductionFactor }),
  };
}

/** floor(log_rf(maxEpochs / minEpochs)) + 1, at least 1: the k >= 0 with minEpochs * rf^k <= maxEpochs (counted exactly, in integers). */
export function bracketCount(minEpochs: number, maxEpochs: number, reductionFactor: number): number {
  let n = 0;
  for (let epochs = minEpochs; epochs <= maxEpochs; epochs *= reductionFactor) n++;
  return Math.max(1, n);
}

/** Each bracket's trial budget: ceil(n * rf^s / (s + 1)) for bracket i, s = n - 1 - i (Hyperband's n_i). */
export function bracketBudgets(n: number, reductionFactor: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    const s = n - 1 - i;
    return Math.ceil((n * reductionFactor ** s) / (s + 1));
  });
}

/** The bracket of trial `number`: its hash modulo the budgets' total, placed among the budgets in order. */
export function bracketOf(number: number, budgets: readonly number[]): number {
  let total = 0;
  for (const b of budgets) total += b;
  let r = mix(number, 0x4879) % total;
  for (let i = 0; i < budgets.length; i++) {
    r -= budgets[i];
    if (r < 0) return i;
  }
  return budgets.length - 1;
}
