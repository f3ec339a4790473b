// Reading plain-data component configs: `{ name, ...fields }` (activations, losses, metrics, optimizers,
// schedules, layers), or just the name where a component allows it. Names and field names match in any
// spelling (camelCase, snake_case, PascalCase: 'leakyRelu', 'leaky_relu', 'LeakyReLU'; 'beta_1', 'clipnorm'),
// so Keras's and PyTorch's names meet nnlab's; a spec can add aliases ('eps' for 'epsilon'). Configs without a
// name (a loader's, a split's) are read the same way. Every mistake becomes a ConfigError naming the field path.
import { ConfigError, unknownName } from './errors.js';

/** Bounds on a number: at least `min` (more than it with `exclusiveMin`), at most `max`, less than `below`. */
export interface NumberRange {
  min?: number;
  exclusiveMin?: boolean;
  max?: number;
  below?: number;
  integer?: boolean;
}

/**
 * What one field accepts, and its default. A field without one is null when not given (optional fields also
 * accept null as a value); a `required` field must be given. `optionalInteger` takes safe integers in
 * [min, max]. An `any` field takes any value for its reader to check (a list, a name or an index), and says
 * what it `accepts` for the error of a missing required field.
 */
export type FieldSpec = { aliases?: string[]; required?: boolean } & (
  | ({ type: 'number'; default?: number } & NumberRange)
  | ({ type: 'optionalNumber' } & NumberRange)
  | { type: 'optionalInteger'; min: number; max?: number }
  | { type: 'boolean'; default?: boolean }
  | { type: 'choice'; default: string; choices: readonly string[] }
  | { type: 'string'; default?: string }
  | { type: 'object' }
  | { type: 'any'; accepts?: string }
);

export type FieldValue = number | boolean | string | null | Record<string, unknown> | unknown[];

/** A parameter of a name-or-object config (see resolveConfig): a number, boolean, choice or string field. */
export type ParamSpec = Exclude<FieldSpec, { type: 'object' | 'any' }>;
export type ParamValue = Exclude<FieldValue, Record<string, unknown> | unknown[]>;

/** How readFields reads a config and words its errors. */
export interface FieldOptions {
  /** What the owner calls its fields in errors. Default 'field'. */
  noun?: string;
  /** An unknown field's error repeats its name and suggests the closest valid one. Default true. */
  suggest?: boolean;
  /** Names from other libraries that are not aliases (in any spelling), with what to write instead. */
  hints?: Readonly<Record<string, string>>;
  /** The config is `{ name, ...fields }` and its `name` is read elsewhere (default true); false: `name` is a field like any other. */
  named?: boolean;
}

/** The lookup key of a name: lower case without underscores, so every spelling of a name meets. */
export function nameKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** The canonical spelling among `valid` (plus `aliases`, mapping other names to canonical ones), or null. */
export function canonicalName<K extends string>(given: string, valid: readonly K[], aliases: Record<string, K> = {}): K | null {
  const key = nameKey(given);
  for (const v of valid) if (nameKey(v) === key) return v;
  for (const [alias, target] of Object.entries(aliases)) if (nameKey(alias) === key) return target;
  return null;
}

/** `path.field`, or `field` at the top level. */
export function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/** The config as a plain object, or a ConfigError at `path` (`what` words it: 'an optimizer'). */
export function asObject(config: unknown, path: string, what: string): Record<string, unknown> {
  if (!isRecord(config)) throw new ConfigError(path, `expected ${what} as { name, ...fields }, got ${JSON.stringify(config)}`);
  return config;
}

/** The `name` field resolved among `valid` (and `aliases`), or a ConfigError at `path.name` listing them. */
export function readName<K extends string>(
  config: Record<string, unknown>,
  path: string,
  kind: string,
  valid: readonly K[],
  aliases: Record<string, K> = {},
): K {
  const at = join(path, 'name');
  if (typeof config.name !== 'string') throw new ConfigError(at, `the ${kind} needs a name (one of: ${valid.join(', ')})`);
  return lookUp(config.name, at, kind, valid, aliases);
}

/**
 * Every field of `specs`, given or default, from `config` (whose `name` is skipped unless `named` is false; an
 * undefined value counts as not given). A config that is not an object, unknown fields, values of the wrong
 * type or out of range, a field given twice (in two spellings, or by an alias) and a missing required field
 * are ConfigErrors at the config's or the field's path; `owner` names the component in them.
 */
export function readFields(
  config: unknown,
  specs: Record<string, FieldSpec>,
  path: string,
  owner: string,
  options: FieldOptions = {},
): Record<string, FieldValue> {
  const { noun = 'field', suggest = true, hints = {}, named = true } = options;
  if (!isRecord(config)) {
    const fields = Object.keys(specs).length === 0 ? '' : ` with ${noun}s ${Object.keys(specs).join(', ')}`;
    throw new ConfigError(path, `expected an object${fields}, got ${JSON.stringify(config)}`);
  }
  const out: Record<string, FieldValue> = {};
  const byKey = new Map<string, string>();
  for (const [field, spec] of Object.entries(specs)) {
    out[field] = 'default' in spec ? (spec.default ?? null) : null;
    for (const n of [field, ...(spec.aliases ?? [])]) byKey.set(nameKey(n), field);
  }
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(config)) {
    if (k === 'name' && named) continue;
    const at = join(path, k);
    const field = byKey.get(nameKey(k));
    if (field === undefined) {
      const names = Object.keys(specs);
      const hint = Object.entries(hints).find(([h]) => nameKey(h) === nameKey(k))?.[1];
      if (hint !== undefined) throw new ConfigError(at, `unknown ${noun} of ${owner}: ${hint}`);
      if (names.length === 0) throw new ConfigError(at, `unknown ${noun} of ${owner}; it takes no ${noun}s`);
      if (suggest) throw unknownName(at, `${noun} of ${owner}`, k, names);
      throw new ConfigError(at, `unknown ${noun} of ${owner}; valid: ${names.join(', ')}`);
    }
    if (seen.has(field)) throw new ConfigError(at, `${noun} '${field}' of ${owner} is given twice`);
    seen.add(field);
    if (v !== undefined) out[field] = checkValue(v, specs[field], at);
  }
  for (const [field, spec] of Object.entries(specs)) {
    if (spec.required && out[field] === null) {
      const accepts = describe(spec);
      throw new ConfigError(join(path, field), `${owner} needs '${field}'${accepts ? ` (${accepts})` : ''}`);
    }
  }
  return out;
}

/**
 * Resolves a component config that is a name or `{ name, ...params }` against a registry of names, each with
 * its parameter specs: returns the canonical name and every parameter (given or default). `kind` words the
 * errors ('activation', 'loss', ...). Unknown parameters are listed without a did-you-mean (there are few).
 */
export function resolveConfig<K extends string>(
  config: unknown,
  path: string,
  kind: string,
  registry: Record<K, Record<string, ParamSpec>>,
  aliases: Record<string, K> = {},
): { name: K; params: Record<string, ParamValue> } {
  const valid = Object.keys(registry) as K[];
  let name: K;
  let given: Record<string, unknown> = {};
  if (typeof config === 'string') {
    name = lookUp(config, path, kind, valid, aliases);
  } else if (isRecord(config)) {
    name = readName(config, path, kind, valid, aliases);
    given = config;
  } else {
    throw new ConfigError(path, `expected ${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind} name or { name, ...parameters }, got ${JSON.stringify(config)}`);
  }
  const params = readFields(given, registry[name], path, `${kind} '${name}'`, { noun: 'parameter', suggest: false });
  return { name, params: params as Record<string, ParamValue> }; // no 'object' specs, so no object values
}

function lookUp<K extends string>(given: string, at: string, kind: string, valid: readonly K[], aliases: Record<string, K>): K {
  const name = canonicalName(given, valid, aliases);
  if (name === null) throw unknownName(at, kind, given, valid);
  return name;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * One value checked against a spec (as readFields checks each field), for a value whose bounds are known only
 * after the rest of its config is read. `at` is its path in errors.
 */
export function checkValue(v: unknown, spec: FieldSpec, at: string): FieldValue {
  switch (spec.type) {
    case 'number':
      return checkNumber(v, spec, at);
    case 'optionalNumber':
      return v === null ? null : checkNumber(v, spec, at);
    case 'optionalInteger':
      if (v === null) return null;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min || (spec.max !== undefined && v > spec.max)) {
        throw new ConfigError(at, `expected ${describe(spec)}, got ${JSON.stringify(v)}`);
      }
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new ConfigError(at, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case 'choice': {
      const c = typeof v === 'string' ? canonicalName(v, spec.choices) : null;
      if (c === null) throw unknownName(at, 'value', v, spec.choices);
      return c;
    }
    case 'string':
      if (v === null) return null;
      if (typeof v !== 'string' || v === '') throw new ConfigError(at, `expected a non-empty string, got ${JSON.stringify(v)}`);
      return v;
    case 'object':
      if (v === null) return null;
      if (!isRecord(v)) throw new ConfigError(at, `expected an object, got ${JSON.stringify(v)}`);
      return v;
    case 'any':
      return v as FieldValue;
  }
}

function checkNumber(v: unknown, spec: NumberRange, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(at, `expected a finite number, got ${JSON.stringify(v)}`);
  if (spec.integer && !Number.isInteger(v)) throw new ConfigError(at, `expected an integer, got ${v}`);
  const { min, max, below, exclusiveMin } = spec;
  const both = interval(spec);
  const range = both === null ? '' : ` (the range is ${both})`;
  if (min !== undefined && (exclusiveMin ? v <= min : v < min)) throw new ConfigError(at, `must be ${exclusiveMin ? '>' : '>='} ${min}${range}, got ${v}`);
  if (max !== undefined && v > max) throw new ConfigError(at, `must be <= ${max}${range}, got ${v}`);
  if (below !== undefined && v >= below) throw new ConfigError(at, `must be < ${below}${range}, got ${v}`);
  return v;
}

/** A two-sided range in interval notation ('[0, 1)', '(0, 1]'), or null. */
function interval({ min, exclusiveMin, max, below }: NumberRange): string | null {
  if (min === undefined || (max === undefined && below === undefined)) return null;
  return `${exclusiveMin ? '(' : '['}${min}, ${below ?? max}${below !== undefined ? ')' : ']'}`;
}

/** What a field accepts, in words ('an integer in 1..8', 'a number in [0, 1]'), or null when its spec cannot say. */
function describe(spec: FieldSpec): string | null {
  switch (spec.type) {
    case 'number':
    case 'optionalNumber': {
      const what = spec.integer ? 'an integer' : 'a number';
      const { min, exclusiveMin, max, below } = spec;
      const both = interval(spec);
      if (both !== null) return `${what} in ${both}`;
      if (min !== undefined) return `${what} ${exclusiveMin ? '>' : '>='} ${min}`;
      return max !== undefined ? `${what} <= ${max}` : below !== undefined ? `${what} < ${below}` : what;
    }
    case 'optionalInteger':
      return spec.max === undefined ? `an integer >= ${spec.min}` : `an integer in ${spec.min}..${spec.max}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'string':
      return 'a non-empty string';
    case 'object':
      return 'an object';
    case 'any':
      return spec.accepts ?? null;
  }
}
