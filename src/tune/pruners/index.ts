// Pruners by name: `tune.pruner` is a name ('median') or { name, ...settings } ({ name: asha, minEpochs: 1,
// reductionFactor: 3 }), settings in any spelling (reduction_factor works, as Optuna writes it). Each pruner
// file exports its definition: the settings it takes (with defaults) and how to make one.
import { ConfigError } from '../../engine/errors.js';
import { resolveConfig, type ParamSpec, type ParamValue } from '../../engine/fields.js';
import type { Pruner } from './pruner.js';
import { none } from './none.js';

export interface PrunerDefinition {
  /** Its settings and their defaults (read by engine/fields.ts). */
  params: Record<string, ParamSpec>;
  create(params: Record<string, ParamValue>): Pruner;
}

const DEFINITIONS: Record<string, PrunerDefinition> = { none };

export const PRUNER_NAMES = Object.keys(DEFINITIONS);

/** A pruner from its config (default none); `path` names the field in errors (unknown names get a did-you-mean). */
export function prunerFrom(config: unknown, path = 'tune.pruner'): Pruner {
  const registry = Object.fromEntries(Object.entries(DEFINITIONS).map(([k, d]) => [k, d.params]));
  const { name, params } = resolveConfig(config ?? 'none', path, 'pruner', registry);
  const definition = DEFINITIONS[name];
  if (definition === undefined) throw new ConfigError(path, `unknown pruner '${name}'`);
  return definition.create(params);
}
