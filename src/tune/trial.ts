// A trial as the tuner's samplers and pruners see it: plain data, read back from the run store (a trial is a
// run of the tuner's study), so every process working on a study sees the same trials.
import type { Params } from './space.js';

/**
 * running: being trained (by this or another process); completed: trained to the end (early stopping
 * included); pruned: stopped by the pruner, its epochs kept; failed: it threw or diverged (its reason is on
 * its run).
 */
export type TrialState = 'running' | 'completed' | 'pruned' | 'failed';

/** Whether a higher or a lower objective is better. */
export type Direction = 'max' | 'min';

export interface Trial {
  /** 0-based, in the order trials were started within the study. */
  number: number;
  state: TrialState;
  /** Its active parameters' values. */
  params: Params;
  /** The objective (completed trials; a pruned trial's best intermediate value; null otherwise). */
  value: number | null;
  /** The objective after each epoch (index = epoch), null where the epoch has no value of it. */
  intermediate: (number | null)[];
}

/** `a` is better than `b` in `direction`. */
export function better(a: number, b: number, direction: Direction): boolean {
  return direction === 'max' ? a > b : a < b;
}

/** The best completed trial (the first of equals), or null; any trial-like records (a TrialRecord too). */
export function bestTrial<T extends Pick<Trial, 'value'> & { state: string }>(trials: readonly T[], direction: Direction): T | null {
  let best: T | null = null;
  for (const t of trials) {
    if (t.state !== 'completed' || t.value === null || !Number.isFinite(t.value)) continue;
    if (best === null || better(t.value, best.value!, direction)) best = t;
  }
  return best;
}
