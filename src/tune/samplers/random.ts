// The random sampler: every parameter drawn independently and uniformly in its internal scale (log-uniform for
// `log`, each value of an int, stepped float or choice equally likely), as Optuna's RandomSampler and
// KerasTuner's RandomSearch do. Parameters are drawn in the order written and an inactive one is skipped, so a
// conditional parameter is drawn only where its conditions hold. Trial n's values depend only on (seed, n): the
// trials seen so far do not matter.
import { Rng } from '../rng.js';
import { isActive, sampleUniform, type Params, type Space } from '../space.js';
import type { SamplerDefinition } from './index.js';
import type { Sampler } from './sampler.js';

/** Values for the active parameters of `space`, each drawn uniformly from `rng` (see space.ts: sampleUniform). */
export function sampleSpace(space: Space, rng: Rng): Params {
  const params: Params = {};
  for (const p of space.params) {
    if (isActive(p, params)) params[p.name] = sampleUniform(p.dist, () => rng.uniform());
  }
  return params;
}

/** The seed a sampler uses: its `seed` setting when given, else the study's. */
export function samplerSeed(setting: unknown, seed: number): number {
  return typeof setting === 'number' ? setting : seed;
}

export const random: SamplerDefinition = {
  params: {
    seed: { type: 'optionalInteger', min: 0 },
  },
  create(params, studySeed): Sampler {
    const seed = samplerSeed(params.seed, studySeed);
    return {
      name: 'random',
      suggest: (space, ctx) => sampleSpace(space, new Rng(seed, ctx.number)),
      config: () => ({ name: 'random', seed }),
    };
  },
};
