// Samplers by name: `tune.sampler` is a name ('tpe') or { name, ...settings } ({ name: tpe, startupTrials: 5 }),
// settings in any spelling (n_startup_trials works, as Optuna writes it). Each sampler file exports its
// definition: the settings it takes (with defaults) and how to make one.
import { ConfigError } from '../../engine/errors.js';
import { resolveConfig, type ParamSpec, type ParamValue } from '../../engine/fields.js';
import type { Space } from '../space.js';
import type { Sampler } from './sampler.js';
import { grid } from './grid.js';
import { random } from './random.js';
import { tpe } from './tpe.js';
import { gp } from './gp.js';

export interface SamplerDefinition {
  /** Its settings and their defaults (read by engine/fields.ts). */
  params: Record<string, ParamSpec>;
  /** A sampler with these settings, whose suggestions depend only on `seed` and what it is shown. */
  create(params: Record<string, ParamValue>, seed: number): Sampler;
  /**
   * Problems of this sampler with a space, thrown via `fail(parameter name, problem)` before any trial runs
   * (a grid needs every float to have a step).
   */
  check?(space: Space, fail: (param: string, problem: string) => Error): void;
}

const DEFINITIONS: Record<string, SamplerDefinition> = {
  random,
  grid,
  tpe,
  gp,
};

export const SAMPLER_NAMES = Object.keys(DEFINITIONS);

/** The default when `tune.sampler` is not given. */
export const DEFAULT_SAMPLER = 'tpe';

/** A sampler from its config; `path` names the field in errors (unknown names get a did-you-mean). */
export function samplerFrom(config: unknown, seed: number, path = 'tune.sampler'): { sampler: Sampler; definition: SamplerDefinition } {
  const registry = Object.fromEntries(Object.entries(DEFINITIONS).map(([k, d]) => [k, d.params]));
  const { name, params } = resolveConfig(config ?? DEFAULT_SAMPLER, path, 'sampler', registry);
  const definition = DEFINITIONS[name];
  if (definition === undefined) throw new ConfigError(path, `unknown sampler '${name}'`);
  return { sampler: definition.create(params, seed), definition };
}
