// Reading optimizer and schedule configs: plain objects `{ name, ...fields }`. Field names match in any
// spelling (camelCase, snake_case: 'weightDecay', 'weight_decay'), so Keras's names meet nnlab's ('beta_1',
// 'clipnorm', 'initial_accumulator_value'); a few PyTorch names are aliases ('eps', 'alpha'). Every mistake
// becomes a ConfigError naming the field path.
import { ConfigError, unknownName } from '../engine/errors.js';

/** What one field accepts. `min`/`max` bound numbers; `below` is an exclusive upper bound ([min, below)). */
export type FieldSpec =
  | { type: 'number'; default: number; min?: number; exclusiveMin?: boolean; max?: number; below?: number; integer?: boolean; aliases?: string[] }
  | { type: 'optionalNumber'; min?: number; exclusiveMin?: boolean; aliases?: string[] }
  | { type: 'boolean'; default: boolean; aliases?: string[] }
  | { type: 'choice'; default: string; choices: readonly string[]; aliases?: string[] }
  | { type: 'object'; aliases?: string[] };

export type FieldValue = number | boolean | string | null | Record<string, unknown>;

/** Names from other libraries that are not aliases, with what to write instead. */
const HINTS: Record<string, string> = {
  betas: "nnlab takes 'beta1' and 'beta2' separately",
  nesterovmomentum: "use 'momentum' with 'nesterov': true",
  maximize: 'not supported: minimise the negated loss instead',
  globalclipnorm: "'clipNorm' is already global (over all gradients together)",
};

/** The lookup key of a field name: lower case without underscores. */
export function fieldKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** The config as a plain object, or a ConfigError at `path`. */
export function asObject(config: unknown, path: string, what: string): Record<string, unknown> {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(path, `expected ${what} as { name, ...fields }, got ${JSON.stringify(config)}`);
  }
  return config as Record<string, unknown>;
}

/** The `name` field resolved (case-insensitively) among `valid`, or an unknownName error listing them. */
export function readName<K extends string>(config: Record<string, unknown>, path: string, kind: string, valid: readonly K[]): K {
  const at = join(path, 'name');
  const given = config.name;
  if (typeof given !== 'string') throw new ConfigError(at, `the ${kind} needs a name (one of: ${valid.join(', ')})`);
  const found = valid.find((v) => fieldKey(v) === fieldKey(given));
  if (found === undefined) throw unknownName(at, kind, given, valid);
  return found;
}

/**
 * Every field of `specs`, given or default, from `config` (whose `name` is skipped). Unknown fields, values of
 * the wrong type or out of range, and a field given twice (in two spellings) are ConfigErrors at the field path.
 */
export function readFields(config: Record<string, unknown>, specs: Record<string, FieldSpec>, path: string, owner: string): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  const byKey = new Map<string, string>();
  for (const [field, spec] of Object.entries(specs)) {
    out[field] = 'default' in spec ? spec.default : null;
    for (const n of [field, ...(spec.aliases ?? [])]) byKey.set(fieldKey(n), field);
  }
  const seen = new Set<string>();
  for (const [k, v] of Object.entries(config)) {
    if (k === 'name') continue;
    const at = join(path, k);
    const field = byKey.get(fieldKey(k));
    if (field === undefined) {
      const hint = HINTS[fieldKey(k)];
      if (hint) throw new ConfigError(at, `unknown field of ${owner}: ${hint}`);
      throw unknownName(at, `field of ${owner}`, k, Object.keys(specs));
    }
    if (seen.has(field)) throw new ConfigError(at, `field '${field}' of ${owner} is given twice`);
    seen.add(field);
    if (v === undefined) continue;
    out[field] = checkField(v, specs[field], at);
  }
  return out;
}

function checkField(v: unknown, spec: FieldSpec, at: string): FieldValue {
  switch (spec.type) {
    case 'optionalNumber':
      if (v === null) return null;
      return checkNumber(v, spec, at);
    case 'number':
      return checkNumber(v, spec, at);
    case 'boolean':
      if (typeof v !== 'boolean') throw new ConfigError(at, `expected true or false, got ${JSON.stringify(v)}`);
      return v;
    case 'choice': {
      const c = typeof v === 'string' ? spec.choices.find((x) => fieldKey(x) === fieldKey(v)) : undefined;
      if (c === undefined) throw unknownName(at, 'value', v, spec.choices);
      return c;
    }
    case 'object':
      if (v === null) return null;
      if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(at, `expected an object, got ${JSON.stringify(v)}`);
      return v as Record<string, unknown>;
  }
}

function checkNumber(
  v: unknown,
  spec: { min?: number; exclusiveMin?: boolean; max?: number; below?: number; integer?: boolean },
  at: string,
): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(at, `expected a finite number, got ${JSON.stringify(v)}`);
  if (spec.integer && !Number.isInteger(v)) throw new ConfigError(at, `expected an integer, got ${v}`);
  const { min, max, below } = spec;
  if (min !== undefined && (spec.exclusiveMin ? v <= min : v < min)) {
    const range = below !== undefined ? ` (the range is ${spec.exclusiveMin ? '(' : '['}${min}, ${below}))` : '';
    throw new ConfigError(at, `must be ${spec.exclusiveMin ? '>' : '>='} ${min}${range}, got ${v}`);
  }
  if (max !== undefined && v > max) throw new ConfigError(at, `must be <= ${max}, got ${v}`);
  if (below !== undefined && v >= below) {
    throw new ConfigError(at, `must be < ${below}${min !== undefined ? ` (the range is [${min}, ${below}))` : ''}, got ${v}`);
  }
  return v;
}

/** `path.field`, or `field` at the top level. */
export function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}
