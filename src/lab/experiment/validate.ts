// Checking an experiment against its JSON Schema (schema.ts) with Ajv, and turning Ajv's findings into one
// ConfigError that names the file, the line and the field path, in words: an unknown field with a did-you-mean,
// a value of the wrong type, out of range, or not one of the choices. Also checks that a field path (a study
// factor, a --set override) leads somewhere the schema knows.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest } from '../../engine/errors.js';
import { formatPath, getPath, isPrefix, type Segment } from './paths.js';
import { EXPERIMENT_SCHEMA } from './schema.js';
import type { Locator } from './locate.js';

type Schema = Record<string, unknown>;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true }).compile(EXPERIMENT_SCHEMA);
  return compiled;
}

/**
 * Throws the first problem of `data` (an experiment as plain data) as a ConfigError located by `loc`.
 * Problems with fields inside the `skip` paths are left out (study factors set them later).
 */
export function validateExperiment(data: unknown, loc: Locator, skip: readonly Segment[][] = []): void {
  const validate = validator();
  if (validate(data)) return;
  const all = (validate.errors ?? []).map((e) => ({ e, segments: pointerToPath(e.instancePath, data) }));
  // Structural errors ('must match the then schema') only accompany the real ones, unless there are none.
  const real = all.filter(({ e }) => rank(e) < 3);
  const errors = (real.length > 0 ? real : all).filter(({ e, segments }) => !skip.some((s) => isPrefix(s, target(e, segments))));
  if (errors.length === 0) return;
  const first = errors
    .map((x) => ({ ...x, line: loc.at(target(x.e, x.segments)).line ?? 0 }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.line - b.line || b.segments.length - a.segments.length)[0];
  const same = all.filter((x) => x.e.keyword === first.e.keyword && x.e.instancePath === first.e.instancePath).map((x) => x.e);
  throw loc.error(target(first.e, first.segments), describe(first.e, same, first.segments));
}

/** Unknown fields first (they come with a suggestion), then wrong values, then missing fields; 3: structural noise. */
function rank(e: ErrorObject): number {
  if (e.keyword === 'additionalProperties') return 0;
  if (e.keyword === 'required') return 2;
  if (e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf') return 3;
  return 1;
}

/** The field an error is about: the unknown or missing field itself, else the value's path. */
function target(e: ErrorObject, segments: Segment[]): Segment[] {
  if (e.keyword === 'additionalProperties') return [...segments, (e.params as { additionalProperty: string }).additionalProperty];
  if (e.keyword === 'required') return [...segments, (e.params as { missingProperty: string }).missingProperty];
  return segments;
}

/** '/model/layers/0/units' -> ['model', 'layers', 0, 'units'] (list indices as numbers). */
function pointerToPath(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out.push(Array.isArray(getPath(data, out)) ? Number(key) : key);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function words(list: readonly string[]): string {
  return list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

function choice(given: unknown, valid: readonly unknown[]): string {
  const names = valid.map(String);
  const near = typeof given === 'string' ? closest(given, names) : null;
  const what = typeof given === 'string' ? `unknown value '${given}'` : `expected one of ${names.join(', ')}, got ${JSON.stringify(given)}`;
  return `${what}${near ? ` (did you mean '${near}'?)` : ''}${typeof given === 'string' ? `; valid: ${names.join(', ')}` : ''}`;
}

/** One error in words; `same` are the errors of the same kind at the same place (from other schema branches). */
function describe(e: ErrorObject, same: ErrorObject[], segments: Segment[]): string {
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Schema;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = p.additionalProperty as string;
      const valid = [...new Set(same.flatMap((s) => Object.keys(((s.parentSchema ?? {}) as Schema).properties ?? {})))].filter((k) => k !== '$schema');
      if (valid.length === 0) return `'${key}' is not allowed here${parent.patternProperties ? ' (keys are class indices: 0, 1, ...)' : ''}`;
      const near = closest(key, valid);
      return `unknown field '${key}'${near ? ` (did you mean '${near}'?)` : ''}; valid: ${valid.join(', ')}`;
    }
    case 'required': {
      const missing = p.missingProperty as string;
      if (missing === 'layers') return "the model needs 'layers' (a list of layer configs) or 'template' (mlp or cnn)";
      return `${formatPath(segments) || 'the experiment'} needs '${missing}'`;
    }
    case 'type': {
      const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')) as string[];
      return `expected ${words(types.map((t) => TYPE_WORDS[t] ?? t))}, got ${JSON.stringify(e.data)}`;
    }
    case 'enum':
      return choice(e.data, p.allowedValues as unknown[]);
    case 'const':
      return choice(e.data, [p.allowedValue]);
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(p.comparison)} ${String(p.limit)}, got ${JSON.stringify(e.data)}`;
    case 'minItems':
    case 'maxItems':
      if (parent.minItems === parent.maxItems) return `expected a list of ${String(p.limit)} values, got ${JSON.stringify(e.data)}`;
      return e.keyword === 'minItems' ? `needs at least ${String(p.limit)} value${p.limit === 1 ? '' : 's'}` : `takes at most ${String(p.limit)} values`;
    case 'minProperties':
    case 'maxProperties':
      if (parent.minProperties === 1 && parent.maxProperties === 1) {
        return `give exactly one of ${Object.keys((parent.properties ?? {}) as Schema).join(', ')}, got ${JSON.stringify(e.data)}`;
      }
      return e.keyword === 'minProperties' ? `needs at least ${String(p.limit)} entr${p.limit === 1 ? 'y' : 'ies'}` : `takes at most ${String(p.limit)} entries`;
    case 'uniqueItems':
      return `lists ${JSON.stringify((e.data as unknown[])[p.j as number])} twice`;
    case 'minLength':
      return 'must not be empty';
    default:
      return `${e.message ?? 'is not valid'}, got ${JSON.stringify(e.data)}`;
  }
}

// ---- field paths against the schema ------------------------------------------------------------------------

function resolve(s: Schema): Schema {
  const ref = s.$ref as string | undefined;
  if (ref === undefined) return s;
  return resolve((EXPERIMENT_SCHEMA.definitions as Record<string, Schema>)[ref.replace('#/definitions/', '')]);
}

/** The alternatives a schema stands for: its own, or those of its then/else branches. */
function alternatives(s: Schema): Schema[] {
  const r = resolve(s);
  if (r.if === undefined) return [r];
  return [...(r.then ? alternatives(r.then as Schema) : []), ...(r.else ? alternatives(r.else as Schema) : [])];
}

const allows = (s: Schema, type: string) => (Array.isArray(s.type) ? s.type.includes(type) : s.type === type);

/**
 * Checks that `segments` names a field the schema knows, as far as it can tell: fields inside a component
 * config ({ name, ...parameters }) or a layer config are left to their factories. Throws, via `fail`, a
 * problem that names the closest known field when it does not.
 */
export function checkFieldPath(segments: readonly Segment[], fail: (problem: string) => Error): void {
  let level: Schema[] = [EXPERIMENT_SCHEMA];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const next: Schema[] = [];
    const names = new Set<string>();
    let open = false;
    for (const s of level.flatMap(alternatives)) {
      if (typeof seg === 'number' && allows(s, 'array') && s.items) next.push(s.items as Schema);
      if (!allows(s, 'object') && s.properties === undefined) continue;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const k of Object.keys(props)) if (k !== '$schema') names.add(k);
      const key = String(seg);
      const pattern = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>).find(([re]) => new RegExp(re).test(key));
      if (Object.hasOwn(props, key)) next.push(props[key]);
      else if (pattern !== undefined) next.push(pattern[1]);
      else if (typeof s.additionalProperties === 'object') next.push(s.additionalProperties as Schema);
      else if (s.additionalProperties === undefined) open = true;
    }
    if (next.length > 0) {
      level = next;
      continue;
    }
    if (open) return;
    const here = formatPath(segments.slice(0, i));
    const near = typeof seg === 'string' ? closest(seg, [...names]) : null;
    const suggestion = near === null ? '' : ` (did you mean '${formatPath([...segments.slice(0, i), near, ...segments.slice(i + 1)])}'?)`;
    const known = names.size > 0 ? `; its fields: ${[...names].join(', ')}` : '';
    throw fail(`'${formatPath(segments)}' is not a field of the experiment: ${here || 'the experiment'} has no field '${String(seg)}'${suggestion}${known}`);
  }
}
