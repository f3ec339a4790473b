// Reading the plain-data configs of activations, initializers, regularizers, losses and metrics: a name, or
// `{ name, ...params }`. Names match Keras's in any spelling (camelCase, snake_case, PascalCase class names:
// 'leakyRelu', 'leaky_relu', 'LeakyReLU'), and so do parameter names ('fromLogits', 'from_logits'). Every
// mistake becomes a ConfigError naming the field path.
import { ConfigError, unknownName } from '../engine/errors.js';

/** A component config: its name, or an object with the name and its parameters. */
export type NamedConfig = string | { name: string; [param: string]: unknown };

/** What one parameter accepts, and its default. */
export type ParamSpec =
  | { type: 'number'; default: number; min?: number; exclusiveMin?: boolean; max?: number; integer?: boolean; aliases?: string[] }
  | { type: 'boolean'; default: boolean; aliases?: string[] }
  | { type: 'choice'; default: string; choices: readonly string[]; aliases?: string[] }
  | { type: 'optionalInteger'; default: null; min: number; aliases?: string[] };

export type ParamValue = number | boolean | string | null;

/** The lookup key of a name: lower case without underscores, so every spelling of a Keras name meets. */
export function nameKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** The canonical spelling among `valid` (plus `aliases`, mapping other names to canonical ones), or null. */
export function canonical<K extends string>(given: string, valid: readonly K[], aliases: Record<string, K> = {}): K | null {
  const key = nameKey(given);
  for (const v of valid) if (nameKey(v) === key) return v;
  for (const [alias, target] of Object.entries(aliases)) if (nameKey(alias) === key) return target;
  return null;
}

/**
 * Resolves `config` against a registry of names, each with its parameter specs: returns the canonical name
 * and every parameter (given or default). `kind` words the errors ('activation', 'loss', ...).
 */
export function resolveConfig<K extends string>(
  config: unknown,
  path: string,
  kind: string,
  registry: Record<K, Record<string, ParamSpec>>,
  aliases: Record<string, K> = {},
): { name: K; params: Record<string, ParamValue> } {
  const valid = Object.keys(registry) as K[];
  let given: unknown;
  let rest: Record<string, unknown> = {};
  let namePath = path;
  if (typeof config === 'string') {
    given = config;
  } else if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    ({ name: given, ...rest } = config as Record<string, unknown>);
    namePath = path ? `${path}.name` : 'name';
    if (typeof given !== 'string') throw new ConfigError(namePath, `the ${kind} needs a name (one of: ${valid.join(', ')})`);
  } else {
    throw new ConfigError(path, `expected a ${kind} name or { name, ...parameters }, got ${JSON.stringify(config)}`);
  }
  const name = canonical(given as string, valid, aliases);
  if (name === null) throw unknownName(namePath, kind, given, valid);
  return { name, params: readParams(rest, registry[name], path, `${kind} '${name}'`) };
}

function readParams(given: Record<string, unknown>, specs: Record<string, ParamSpec>, path: string, owner: string): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const byKey = new Map<string, string>();
  for (const [p, spec] of Object.entries(specs)) {
    out[p] = spec.default;
    for (const n of [p, ...(spec.aliases ?? [])]) byKey.set(nameKey(n), p);
  }
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(given)) {
    const at = path ? `${path}.${k}` : k;
    const p = byKey.get(nameKey(k));
    if (p === undefined) {
      const names = Object.keys(specs);
      throw new ConfigError(at, `unknown parameter of ${owner}; ${names.length ? `valid: ${names.join(', ')}` : 'it takes no parameters'}`);
    }
    if (seen.has(p)) throw new ConfigError(at, `parameter '${p}' of ${owner} is given twice`);
    seen.add(p);
    if (v === undefined) continue;
    out[p] = checkParam(v, specs[p], at);
  }
  return out;
}

function checkParam(v: unknown, spec: ParamSpec, at: string): ParamValue {
  switch (spec.type) {
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(at, `expected a finite number, got ${JSON.stringify(v)}`);
      if (spec.integer && !Number.isInteger(v)) throw new ConfigError(at, `expected an integer, got ${v}`);
      if (spec.min !== undefined && (spec.exclusiveMin ? v <= spec.min : v < spec.min)) {
        throw new ConfigError(at, `must be ${spec.exclusiveMin ? '>' : '>='} ${spec.min}, got ${v}`);
      }
      if (spec.max !== undefined && v > spec.max) throw new ConfigError(at, `must be <= ${spec.max}, got ${v}`);
      return v;
    }
    case 'optionalInteger':
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < spec.min) throw new ConfigError(at, `expected an integer >= ${spec.min}, got ${JSON.stringify(v)}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new ConfigError(at, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case 'choice': {
      const c = typeof v === 'string' ? canonical(v, spec.choices) : null;
      if (c === null) throw unknownName(at, 'value', v, spec.choices);
      return c;
    }
  }
}
