// Pruners by name: `tune.pruner` is a name ('median') or { name, ...settings } ({ name: asha, minEpochs: 1,
// reductionFactor: 3 }), settings in any spelling (reduction_factor works, as Optuna writes it). Each pruner
// file exports its definition: the settings it takes (with defaults) and how to make one. 'successiveHalving'
// names asha (Optuna's SuccessiveHalvingPruner); 'auto' for a setting that may be null (hyperband's
// maxEpochs) is that null: worked out when pruning.
import { ConfigError } from '../../engine/errors.js';
import { canonicalName, nameKey, resolveConfig, type ParamSpec, type ParamValue } from '../../engine/fields.js';
import type { Pruner } from './pruner.js';
import { none } from './none.js';
import { median } from './median.js';
import { asha } from './asha.js';
import { hyperband } from './hyperband.js';

export interface PrunerDefinition {
  /** Its settings and their defaults (read by engine/fields.ts). */
  params: Record<string, ParamSpec>;
  create(params: Record<string, ParamValue>): Pruner;
}

const DEFINITIONS: Record<string, PrunerDefinition> = { none, median, asha, hyperband };

const ALIASES: Record<string, string> = { successiveHalving: 'asha' };

export const PRUNER_NAMES = Object.keys(DEFINITIONS);

/** A pruner from its config (default none); `path` names the field in errors (unknown names get a did-you-mean). */
export function prunerFrom(config: unknown, path = 'tune.pruner'): Pruner {
  const registry = Object.fromEntries(Object.entries(DEFINITIONS).map(([k, d]) => [k, d.params]));
  const { name, params } = resolveConfig(autoAsNull(config ?? 'none'), path, 'pruner', registry, ALIASES);
  const definition = DEFINITIONS[name];
  if (definition === undefined) throw new ConfigError(path, `unknown pruner '${name}'`);
  return definition.create(params);
}

/** The config with 'auto' replaced by null for its optional settings (those whose spec is optionalInteger or optionalNumber). */
function autoAsNull(config: unknown): unknown {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return config;
  const given = config as Record<string, unknown>;
  const name = typeof given.name === 'string' ? canonicalName(given.name, Object.keys(DEFINITIONS), ALIASES) : null;
  if (name === null) return config;
  const optional = new Set<string>();
  for (const [field, spec] of Object.entries(DEFINITIONS[name].params)) {
    if (spec.type === 'optionalInteger' || spec.type === 'optionalNumber') for (const n of [field, ...(spec.aliases ?? [])]) optional.add(nameKey(n));
  }
  const isAuto = (k: string, v: unknown) => optional.has(nameKey(k)) && typeof v === 'string' && v.toLowerCase() === 'auto';
  return Object.fromEntries(Object.entries(given).map(([k, v]) => [k, isAuto(k, v) ? null : v]));
}
