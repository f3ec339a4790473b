// A search space: the parameters a tuner may set, each a field path of the experiment with a distribution,
// as the `tune.space` section of an experiment file writes them (KerasTuner's and Optuna's kinds):
//
//   training.optimizer.lr:   { type: float, low: 0.00001, high: 0.1, log: true }   # log-uniform
//   model.dropout:           { type: float, low: 0, high: 0.5, step: 0.1 }          # 0, 0.1, ..., 0.5
//   training.batchSize:      { type: int, low: 32, high: 256, step: 32 }            # bounds included
//   model.units:             { type: choice, values: [[32], [128], [512]] }         # any JSON values
//   model.batchNorm:         { type: bool }                                         # false or true
//   training.epochs:         { type: fixed, value: 20 }                             # or just: 20
//   model.activation.alpha:  { type: float, low: 0.01, high: 0.5, when: { model.activation.name: leakyRelu } }
//
// `when` makes a parameter conditional: it is active only while each named parameter (a choice or bool written
// before it) takes one of the given values (one value, or a list). An inactive parameter has no value in a
// trial, and the field keeps what the file has. Samplers see parameters through the helpers below: a float or int
// in its *internal* scale (the log of the value for `log`), a choice by the index of its value.
/** A step of a field path: a key or a list index (as lab/experiment/paths.ts writes them). */
export type Segment = string | number;

export type Distribution =
  | { kind: 'float'; low: number; high: number; log: boolean; step: number | null }
  | { kind: 'int'; low: number; high: number; log: boolean; step: number }
  | { kind: 'choice'; values: unknown[] };

/** A parameter is active when every condition holds: the named parameter's value is one of `values`. */
export interface Condition {
  param: string;
  values: unknown[];
}

export interface Param {
  /** The field path as written ('training.optimizer.lr'): the parameter's name in trials, reports and JSON. */
  name: string;
  dist: Distribution;
  when: Condition[];
}

export interface FixedValue {
  name: string;
  value: unknown;
}

export interface Space {
  /** In the order written; a condition names only parameters before its own. */
  params: Param[];
  /** Values every trial sets (the file's value for that field is replaced). */
  fixed: FixedValue[];
}

/** A trial's parameter values by name: exactly its active parameters. */
export type Params = Record<string, unknown>;

/** The lookup key of a value (values are JSON data: lists and objects compare by content). */
export function valueKey(v: unknown): string {
  return JSON.stringify(v);
}

/** The index of `value` among a choice's values, or -1. */
export function choiceIndex(dist: Extract<Distribution, { kind: 'choice' }>, value: unknown): number {
  const k = valueKey(value);
  return dist.values.findIndex((v) => valueKey(v) === k);
}

/** Whether every condition of `param` holds under `params` (a parameter that is not set fails its conditions). */
export function isActive(param: Param, params: Params): boolean {
  return param.when.every((c) => Object.hasOwn(params, c.param) && c.values.some((v) => valueKey(v) === valueKey(params[c.param])));
}

/** The parameters active under `params` (in order), e.g. to check a suggestion or to list a trial's columns. */
export function activeParams(space: Space, params: Params): Param[] {
  return space.params.filter((p) => isActive(p, params));
}

/** Whether `value` is a value of `dist` (within bounds, on its step, an integer for int, one of a choice's values). */
export function contains(dist: Distribution, value: unknown): boolean {
  if (dist.kind === 'choice') return choiceIndex(dist, value) >= 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  const tol = 1e-9 * Math.max(1, Math.abs(dist.high - dist.low));
  if (value < dist.low - tol || value > dist.high + tol) return false;
  if (dist.kind === 'int' && !Number.isInteger(value)) return false;
  if (dist.step !== null) {
    const k = (value - dist.low) / dist.step;
    if (Math.abs(k - Math.round(k)) > 1e-6) return false;
  }
  return true;
}

/** The internal bounds of a float or int (logs for `log`; an int or stepped float's bounds are its first and last values). */
export function internalBounds(dist: Exclude<Distribution, { kind: 'choice' }>): [number, number] {
  return dist.log ? [Math.log(dist.low), Math.log(dist.high)] : [dist.low, dist.high];
}

/** A float or int value in the internal scale (its log for `log`). */
export function toInternal(dist: Exclude<Distribution, { kind: 'choice' }>, value: number): number {
  return dist.log ? Math.log(value) : value;
}

/**
 * A point of the internal scale back to a value of `dist`: exp for log, then rounded to the step (an int to
 * an integer) and clamped into the bounds. Every sampler ends here, so suggestions are always valid values.
 */
export function fromInternal(dist: Exclude<Distribution, { kind: 'choice' }>, x: number): number {
  let v = dist.log ? Math.exp(x) : x;
  if (dist.step !== null) {
    const k = Math.round((v - dist.low) / dist.step);
    const last = Math.floor((dist.high - dist.low) / dist.step + 1e-9);
    v = dist.low + Math.min(Math.max(k, 0), last) * dist.step;
    // Keep decimal steps tidy: 0.1 * 3 is 0.30000000000000004.
    v = Number(v.toPrecision(12));
  }
  if (dist.kind === 'int') v = Math.round(v);
  return Math.min(dist.high, Math.max(dist.low, v));
}

/**
 * How many values gridValues would list, without listing them (an int from 1 to 2e9 has 2e9); null for a
 * continuous float.
 */
export function gridSize(dist: Distribution): number | null {
  if (dist.kind === 'choice') return dist.values.length;
  if (dist.step === null) return null;
  return Math.floor((dist.high - dist.low) / dist.step + 1e-9) + 1;
}

/** The values of a discrete distribution (a choice, an int, a float with a step), in order; null for a continuous float. */
export function gridValues(dist: Distribution): unknown[] | null {
  if (dist.kind === 'choice') return dist.values;
  if (dist.step === null) return null;
  const n = gridSize(dist)!;
  if (dist.kind === 'int' && dist.log) {
    const out: number[] = [];
    for (let v = dist.low; v <= dist.high; v++) out.push(v);
    return out;
  }
  return Array.from({ length: n }, (_, i) => Number((dist.low + i * dist.step!).toPrecision(12)));
}

/**
 * A value drawn uniformly in the internal scale (log-uniform for `log`, a choice uniformly) from a uniform draw
 * source. Ints and stepped floats draw on an interval widened by half a step each side (for a log int, by
 * 0.5 before the log), so that the first and last values are as likely as the others.
 */
export function sampleUniform(dist: Distribution, uniform: () => number): unknown {
  if (dist.kind === 'choice') return dist.values[Math.min(dist.values.length - 1, Math.floor(uniform() * dist.values.length))];
  const [lo, hi] = widenedBounds(dist);
  return fromInternal(dist, lo + (hi - lo) * uniform());
}

/** The internal bounds of a float or int widened by half a step each side for discrete ones (see sampleUniform). */
export function widenedBounds(dist: Exclude<Distribution, { kind: 'choice' }>): [number, number] {
  if (dist.step === null) return internalBounds(dist);
  if (dist.log) return [Math.log(dist.low - 0.5), Math.log(dist.high + 0.5)];
  return [dist.low - dist.step / 2, dist.high + dist.step / 2];
}

/** A short text for a value: numbers to 4 significant digits, lists and objects as compact JSON. */
export function paramText(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

// ---- reading the tune.space section -------------------------------------------------------------------------

type Fail = (segments: Segment[], problem: string) => Error;

const TYPES = ['float', 'int', 'choice', 'bool', 'fixed'] as const;
const FIELDS: Record<(typeof TYPES)[number], string[]> = {
  float: ['type', 'low', 'high', 'log', 'step', 'when'],
  int: ['type', 'low', 'high', 'log', 'step', 'when'],
  choice: ['type', 'values', 'when'],
  bool: ['type', 'when'],
  fixed: ['type', 'value'],
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * The space of a `tune.space` section (its shape already matches the schema: an object of parameters). Every
 * problem is thrown as `fail([...'tune', 'space', name, field], problem)`: empty or inverted ranges, `log`
 * with a bound <= 0, `log` with a step, a step that does not divide the range, a choice without values or
 * with a value twice, a condition on a parameter that is not a choice or bool written before it, or on a value
 * it cannot take. A parameter given as a plain value (not `{ type, ... }`) is fixed to it.
 */
export function readSpace(section: Record<string, unknown>, fail: Fail): Space {
  const params: Param[] = [];
  const fixed: FixedValue[] = [];
  for (const [name, raw] of Object.entries(section)) {
    const at = (...rest: Segment[]): Segment[] => ['tune', 'space', name, ...rest];
    if (!isRecord(raw) || !('type' in raw)) {
      if (isRecord(raw)) throw fail(at(), `a parameter is { type: float | int | choice | bool | fixed, ... }; to fix a field to an object, write { type: fixed, value: ${JSON.stringify(raw)} }`);
      fixed.push({ name, value: raw });
      continue;
    }
    const type = raw.type;
    if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
      const near = typeof type === 'string' ? TYPES.find((t) => t.startsWith(type.slice(0, 2).toLowerCase()) || type.toLowerCase().includes(t)) : undefined;
      const alias = type === 'categorical' || type === 'Choice' ? 'choice' : type === 'boolean' || type === 'Boolean' ? 'bool' : type === 'Float' ? 'float' : type === 'Int' || type === 'integer' ? 'int' : near;
      throw fail(at('type'), `unknown parameter type ${JSON.stringify(type)}${alias ? ` (did you mean '${alias}'?)` : ''}; valid: ${TYPES.join(', ')}`);
    }
    const t = type as (typeof TYPES)[number];
    for (const k of Object.keys(raw)) {
      if (!FIELDS[t].includes(k)) throw fail(at(k), `a ${t} parameter has no field '${k}'; its fields: ${FIELDS[t].join(', ')}`);
    }
    if (t === 'fixed') {
      if (!('value' in raw)) throw fail(at(), "a fixed parameter needs 'value'");
      fixed.push({ name, value: raw.value });
      continue;
    }
    const when = readWhen(raw.when, params, at, fail);
    params.push({ name, dist: readDistribution(t, raw, at, fail), when });
  }
  return { params, fixed };
}

function num(raw: Record<string, unknown>, field: string, at: (...r: Segment[]) => Segment[], fail: Fail, integer: boolean): number {
  const v = raw[field];
  if (v === undefined) throw fail(at(), `a ${integer ? 'int' : 'float'} parameter needs '${field}'`);
  // An int bound must be exact in a double: 1e300 is an integer to JavaScript, but no field takes it.
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) {
    const tooLarge = typeof v === 'number' && Number.isInteger(v);
    throw fail(at(field), `expected ${integer ? 'an integer' : 'a number'}${tooLarge ? ` of at most ${Number.MAX_SAFE_INTEGER}` : ''}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function readDistribution(t: 'float' | 'int' | 'choice' | 'bool', raw: Record<string, unknown>, at: (...r: Segment[]) => Segment[], fail: Fail): Distribution {
  if (t === 'bool') return { kind: 'choice', values: [false, true] };
  if (t === 'choice') {
    const values = raw.values;
    if (values === undefined) throw fail(at(), "a choice parameter needs 'values': a list of at least one value");
    if (!Array.isArray(values) || values.length === 0) throw fail(at('values'), `expected a list of at least one value, got ${JSON.stringify(values)}`);
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      const k = valueKey(v);
      if (seen.has(k)) throw fail(at('values', i), `value ${k} is listed twice (also value ${seen.get(k)! + 1})`);
      seen.set(k, i);
    });
    return { kind: 'choice', values: structuredClone(values) };
  }
  const integer = t === 'int';
  const low = num(raw, 'low', at, fail, integer);
  const high = num(raw, 'high', at, fail, integer);
  if (raw.log !== undefined && typeof raw.log !== 'boolean') throw fail(at('log'), `expected true or false, got ${JSON.stringify(raw.log)}`);
  const log = raw.log === true;
  if (high < low) throw fail(at('high'), `the range is inverted: high ${high} is below low ${low}`);
  if (high === low) throw fail(at('high'), `the range is empty: low and high are both ${low}; to fix the field, write ${low} or { type: fixed, value: ${low} }`);
  if (log && low <= 0) throw fail(at('low'), `a log-scaled parameter needs low > 0, got ${low}`);
  let step: number | null = null;
  if (raw.step !== undefined && raw.step !== null) {
    const s = raw.step;
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0 || (integer && !Number.isInteger(s))) {
      throw fail(at('step'), `expected a ${integer ? 'positive integer' : 'positive number'}, got ${JSON.stringify(s)}`);
    }
    if (log && !(integer && s === 1)) throw fail(at('step'), 'log and step cannot be used together (a log scale has no fixed step)');
    const k = (high - low) / s;
    // With a tolerance: 0.99 - 0.9 is 0.08999999999999997, and a step of 0.09 fits it once.
    if (k < 1 - 1e-9) throw fail(at('step'), `the step ${s} is larger than the range ${low}..${high}`);
    if (Math.abs(k - Math.round(k)) > 1e-9 * Math.max(1, k)) throw fail(at('step'), `the step ${s} does not divide the range ${low}..${high}; the values are low, low + step, ..., high`);
    step = s;
  }
  return integer ? { kind: 'int', low, high, log, step: step ?? 1 } : { kind: 'float', low, high, log, step };
}

function readWhen(raw: unknown, before: readonly Param[], at: (...r: Segment[]) => Segment[], fail: Fail): Condition[] {
  if (raw === undefined || raw === null) return [];
  if (!isRecord(raw) || Object.keys(raw).length === 0) throw fail(at('when'), `expected { <parameter>: value or [values] }, e.g. { model.activation: relu }, got ${JSON.stringify(raw)}`);
  return Object.entries(raw).map(([name, v]) => {
    const parent = before.find((p) => p.name === name);
    if (parent === undefined) {
      const later = `; a condition names a choice or bool parameter written before this one`;
      throw fail(at('when', name), `'${name}' is not a parameter of the space${later}${before.length ? ` (${before.map((p) => p.name).join(', ')})` : ''}`);
    }
    if (parent.dist.kind !== 'choice') throw fail(at('when', name), `'${name}' is a ${parent.dist.kind} parameter; a condition names a choice or bool parameter`);
    const values = Array.isArray(v) && !parent.dist.values.some((x) => valueKey(x) === valueKey(v)) ? v : [v];
    if (values.length === 0) throw fail(at('when', name), `an empty list of values would make this parameter never active; give one or more values of '${name}'`);
    for (const x of values) {
      if (choiceIndex(parent.dist, x) < 0) throw fail(at('when', name), `${valueKey(x)} is not a value of '${name}' (${parent.dist.values.map(valueKey).join(', ')})`);
    }
    return { param: name, values };
  });
}
