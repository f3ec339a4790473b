// Reading a layer's config: the shared field reader for plain fields, plus `component` fields that hold the
// config of an activation, initializer or regularizer (a name or `{ name, ...params }`), which their own
// factories check, and `size` fields (a positive integer or a pair: kernel sizes, strides).
import { ConfigError, unknownName } from '../../engine/errors.js';
import { join, nameKey, readFields, type FieldSpec } from '../../engine/fields.js';

export type LayerFieldSpec =
  | FieldSpec
  | { type: 'component'; default?: string | null; aliases?: string[] }
  | { type: 'size'; default?: number | null; aliases?: string[] };

export type LayerSpec = Record<string, LayerFieldSpec>;

/** Every field of `spec` from `config` (with defaults); `type` and `name` are the model's and skipped here. */
export function readLayer(config: Record<string, unknown>, spec: LayerSpec, path: string, owner: string): Record<string, unknown> {
  const plain: Record<string, FieldSpec> = {};
  const out: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (k !== 'type' && k !== 'name') rest[k] = v;
  // Component and size fields in any spelling (kernel_initializer); an unknown field lists every valid one.
  const known = new Map(Object.entries(spec).flatMap(([field, s]) => [field, ...(('aliases' in s && s.aliases) || [])].map((n) => [nameKey(n), field] as const)));
  for (const k of Object.keys(rest)) {
    const field = known.get(nameKey(k));
    if (field === undefined) throw unknownName(join(path, k), `field of ${owner}`, k, Object.keys(spec));
    const s = spec[field];
    if (field !== k && (s.type === 'component' || s.type === 'size')) {
      if (field in rest) throw new ConfigError(join(path, k), `field '${field}' of ${owner} is given twice`);
      rest[field] = rest[k];
      delete rest[k];
    }
  }
  for (const [field, s] of Object.entries(spec)) {
    if (s.type === 'component' || s.type === 'size') {
      const given = rest[field];
      delete rest[field];
      if (given === undefined) {
        if (s.default === undefined) throw new ConfigError(join(path, field), `${owner} needs '${field}'`);
        out[field] = s.default;
      } else if (s.type === 'size') {
        out[field] = readSize(given, join(path, field));
      } else {
        out[field] = given;
      }
    } else {
      plain[field] = s;
    }
  }
  const read = readFields({ ...rest }, plain, path, owner);
  for (const [field, s] of Object.entries(plain)) {
    // Optional number fields (a padding index, PyTorch's input_size) may be left out: they read as null.
    const optional = s.type === 'optionalInteger' || s.type === 'optionalNumber';
    if (read[field] === null && !('default' in s) && !optional) throw new ConfigError(join(path, field), `${owner} needs '${field}'`);
  }
  return { ...out, ...read };
}

/** A positive integer, or a pair of them. */
function readSize(value: unknown, at: string): number | [number, number] {
  const ok = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1;
  if (ok(value)) return value as number;
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
  throw new ConfigError(at, `expected a positive integer or a pair of them, got ${JSON.stringify(value)}`);
}
