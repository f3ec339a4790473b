// The sampler contract. A sampler proposes the parameters of the next trial from the search space and the
// study's trials so far: the way Optuna's samplers and KerasTuner's oracles do. Implementations live one per
// file in this folder, are made by name in index.ts, and must pass the shared conformance suite
// (src/testing/sampler-conformance.ts).
//
// The contract:
// - suggest() returns a value for every parameter that is active under the values it returns (see
//   space.ts: isActive), and no other; each value is a value of its distribution (space.ts: contains).
// - It is a pure function of (the sampler's seed and settings, the space, the context): the same trials give
//   the same suggestion, in this process or another, before or after a resume. So a sampler keeps no state
//   between calls; randomness comes from an Rng seeded with (seed, trial number, ...) (rng.ts).
// - `ctx.trials` holds every other trial of the study, in every state: finished ones to learn from, running
//   ones (other workers) to avoid proposing the same point twice.
// - Objectives are compared by `ctx.direction`; a failed trial has no value and counts as no information
//   (a sampler may avoid its parameters).
// - It returns null only when it has nothing left to propose (a grid whose every point has been tried).
import type { Params, Space } from '../space.js';
import type { Direction, Trial } from '../trial.js';

export interface SuggestContext {
  /** The number of the trial being suggested. */
  number: number;
  direction: Direction;
  /** The study's other trials (every state), by number. */
  trials: readonly Trial[];
}

export interface Sampler {
  /** Its registry name: 'random', 'grid', 'tpe', 'gp'. */
  readonly name: string;
  suggest(space: Space, ctx: SuggestContext): Params | null;
  /** Its settings (defaults filled in), as the study records them. */
  config(): Record<string, unknown>;
}
