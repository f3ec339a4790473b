// The pruner contract. After each epoch of a trial the tuner reports the objective's value at that epoch, and
// asks the pruner whether to stop the trial there (it is then `pruned`, its epochs kept): the way Optuna's
// pruners work. Implementations live one per file in this folder, are made by name in index.ts, and must pass
// the shared conformance suite (src/testing/pruner-conformance.ts).
//
// The contract:
// - shouldPrune() is a pure function of (the pruner's settings, the trial's intermediate values up to `step`,
//   the study's other trials, the direction, the epoch budget): no state between calls, so any process can
//   ask about any trial and a resumed study prunes as the uninterrupted one would.
// - `step` is the 0-based epoch just ended; `trial.intermediate[step]` is its value (never null when asked).
// - Other trials count by their intermediate values, whatever their state (completed, pruned, running); a
//   pruner never prunes at the last epoch of the budget (there is nothing left to save).
import type { Direction, Trial } from '../trial.js';

export interface PruneContext {
  direction: Direction;
  /** The study's other trials (every state). */
  trials: readonly Trial[];
  /** The most epochs a trial trains (the experiment's training.epochs). */
  maxEpochs: number;
}

export interface Pruner {
  /** Its registry name: 'none', 'median', 'asha', 'hyperband'. */
  readonly name: string;
  shouldPrune(trial: Trial, step: number, ctx: PruneContext): boolean;
  /** Its settings (defaults filled in), as the study records them. */
  config(): Record<string, unknown>;
}
