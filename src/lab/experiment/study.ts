// A study: factors combined into cells. Crossed factors give every combination (the first factor varies slowest,
// as nested loops in the order written); zipped factors give the i-th value of every factor together and must
// have lists of the same length (a value may repeat down a zipped column, as rows of a table of trials do).
//
// A factor is a field path with its values, e.g. `training.optimizer.lr: [0.1, 0.01]`. It can vary a template's
// field (model.activation, model.units), a layer's (model.layers[1].rate), a component's parameter
// (training.optimizer.lr) or a whole section (data.subset). Its values are a list, or named levels (a mapping
// from a short name to the value, which labels then show: `training.optimizer: { SGD: { name: sgd, lr: 0.1 } }`).
// One factor can set several paths at once: `activation: { paths: [model.layers.1.activation,
// model.layers.3.activation], values: [sigmoid, relu] }`, named by its key (inside a YAML flow list, write
// indices as .1; `[1]` works in block lists and quoted strings). And a factor's levels can each set fields of
// their own: `regularisation: { set: { none: {}, dropout: { model.dropout: 0.5 }, L2: { model.regularizer: l2 } } }`
// (a level leaves the fields it does not name as the file has them).
//
// The study section also says how its configs are compared: `metric` (a final metric such as val.precision,
// default val.accuracy) and `direction` (max or min, default from the metric's name).
import type { Locator, Placed } from './locate.js';
import { isPrefix, isRecord, parsePath, type Segment } from './paths.js';
import { checkFieldPath } from './validate.js';
import { valueText } from '../../report/format.js';

export interface Factor {
  /** The factor as written: a field path ('model.activation'), or a name for a factor with `paths`. */
  key: string;
  /** The fields it sets (one for a field-path factor). */
  paths: Segment[][];
  values: unknown[];
  /** The level names of named levels (else null): what labels show and runs record. */
  names: string[] | null;
  /** Where its values are written: ['study', 'factors', key], or [..., 'values'], or [..., 'set']. */
  at: Segment[];
  /** What level j sets: each field and its value. */
  sets: { segments: Segment[]; value: unknown }[][];
}

export interface Study {
  mode: 'cross' | 'zip';
  factors: Factor[];
  metric: string | null;
  direction: 'max' | 'min' | null;
}

/** One combination of factor values. */
export interface Cell {
  /** "model.activation=relu, training.optimizer.lr=0.01". */
  label: string;
  /** The factor values as runs record them, by factor key (the level name for named levels). */
  values: Record<string, unknown>;
  /** The level (value index) each factor takes, by factor key. */
  levels: Record<string, number>;
  /** The values as paths into the configuration, each with the line of its value in the study section. */
  placed: Placed[];
}

/** Sections of a run's configuration a factor may vary (seed, repeats and evaluateTest are the study's own). */
const VARIABLE = ['data', 'model', 'training'];

/** The body of a factor: its values, or { paths, values }, or { set: levels }. */
function body(raw: unknown): { paths: unknown[] | null; values: unknown; set: Record<string, unknown> | null } {
  if (isRecord(raw) && isRecord(raw.set)) return { paths: null, values: null, set: raw.set };
  return isRecord(raw) && Array.isArray(raw.paths) ? { paths: raw.paths, values: raw.values, set: null } : { paths: null, values: raw, set: null };
}

/** The factor paths of a study section, without checking them (the schema check skips what they set). */
export function factorPaths(study: unknown): Segment[][] {
  if (!isRecord(study) || !isRecord(study.factors)) return [];
  return Object.entries(study.factors).flatMap(([key, raw]) => {
    const { paths, set } = body(raw);
    const keys = set ? [...new Set(Object.values(set).flatMap((level) => (isRecord(level) ? Object.keys(level) : [])))] : (paths ?? [key]);
    return keys.flatMap((p) => {
      try {
        return typeof p === 'string' ? [parsePath(p)] : [];
      } catch {
        return [];
      }
    });
  });
}

/** The study of an experiment (its section already matches the schema), or null without one. */
export function readStudy(section: unknown, loc: Locator): Study | null {
  if (section === undefined || section === null) return null;
  const s = section as { mode?: 'cross' | 'zip'; factors?: Record<string, unknown>; metric?: string; direction?: 'max' | 'min' };
  const mode = s.mode ?? 'cross';
  if (s.metric !== undefined && !/^(train|val|test)\.\w+$/.test(s.metric)) {
    throw loc.error(['study', 'metric'], `expected <split>.<metric>, such as val.accuracy, val.precision or val.loss; got '${s.metric}'`);
  }
  const factors: Factor[] = Object.entries(s.factors ?? {}).map(([key, raw]) => readFactor(key, raw, mode, loc));
  const all = factors.flatMap((f) => f.paths.map((p, i) => ({ f, p, i })));
  for (const a of all) {
    for (const b of all) {
      if (a === b || !isPrefix(a.p, b.p)) continue;
      const where = [...b.f.at.slice(0, 3), ...(b.f.at.length > 3 ? ['paths', b.i] : [])];
      const what = (x: typeof a) => (x.f.at.length > 3 ? `path '${x.p.join('.')}' of factor '${x.f.key}'` : `factor '${x.f.key}'`);
      throw loc.error(where, `${what(b)} lies inside ${what(a)}; vary one or the other`);
    }
  }
  if (mode === 'zip' && factors.length > 0) {
    const n = factors[0].values.length;
    const odd = factors.find((f) => f.values.length !== n);
    if (odd !== undefined) {
      const lengths = factors.map((f) => `${f.key} has ${f.values.length}`).join(', ');
      throw loc.error(odd.at, `zipped factors need lists of the same length: ${lengths}`);
    }
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const k = JSON.stringify(factors.map((f) => f.values[i]));
      if (seen.has(k)) throw loc.error([...factors[0].at, i], `zipped value ${i + 1} repeats value ${seen.get(k)! + 1} of every factor: the two configs would be the same; use repeats to run a config again`);
      seen.set(k, i);
    }
  }
  return { mode, factors, metric: s.metric ?? null, direction: s.direction ?? null };
}

/** A field path a factor sets, checked: it must lead to a field of data, model or training. */
function fieldPath(p: unknown, where: Segment[], loc: Locator): Segment[] {
  const segments = parsePath(String(p), (problem) => loc.error(where, problem));
  if (typeof segments[0] !== 'string' || !VARIABLE.includes(segments[0])) {
    throw loc.error(where, `a study factor varies a field of ${VARIABLE.join(', ')}; '${String(p)}' is not one`);
  }
  checkFieldPath(segments, (problem) => loc.error(where, problem));
  return segments;
}

function readFactor(key: string, raw: unknown, mode: 'cross' | 'zip', loc: Locator): Factor {
  const { paths: given, values: written, set } = body(raw);
  const base: Segment[] = ['study', 'factors', key];
  if (set !== null) return readSetFactor(key, set, mode, loc);
  const at = given === null ? base : [...base, 'values'];
  const paths = (given ?? [key]).map((p, i) => fieldPath(p, given === null ? base : [...base, 'paths', i], loc));
  const named = isRecord(written);
  const names = named ? Object.keys(written) : null;
  const values = named ? Object.values(written) : (written as unknown[]);
  if (mode === 'cross') distinct(values, names, at, loc);
  return { key, paths, values, names, at, sets: values.map((value) => paths.map((segments) => ({ segments, value }))) };
}

/** A factor whose levels each set fields of their own: { set: { level name: { field path: value, ... } } }. */
function readSetFactor(key: string, set: Record<string, unknown>, mode: 'cross' | 'zip', loc: Locator): Factor {
  const at: Segment[] = ['study', 'factors', key, 'set'];
  const names = Object.keys(set);
  const values = Object.values(set);
  const sets = names.map((name, j) => {
    const level = values[j];
    if (!isRecord(level)) throw loc.error([...at, name], `a level of a 'set' factor maps field paths to values, e.g. { model.dropout: 0.5 }; got ${JSON.stringify(level)}`);
    return Object.entries(level).map(([p, value]) => ({ segments: fieldPath(p, [...at, name, p], loc), value }));
  });
  const seen = new Map<string, Segment[]>();
  for (const s of sets.flat()) seen.set(JSON.stringify(s.segments), s.segments);
  if (mode === 'cross') distinct(values, names, at, loc);
  return { key, paths: [...seen.values()], values, names, at, sets };
}

/** Crossed factors need distinct values: a repeated one would run a config twice under two labels. */
function distinct(values: unknown[], names: string[] | null, at: Segment[], loc: Locator): void {
  const seen = new Map<string, number>();
  values.forEach((v, j) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) throw loc.error([...at, names ? names[j] : j], `value ${k} is listed twice (also value ${seen.get(k)! + 1}); crossed factors need distinct values`);
    seen.set(k, j);
  });
}

/**
 * The most configurations a study may cross its factors into: each is checked as the file is read (some
 * milliseconds each) and trained, so eight factors of ten values (a hundred million) would never finish
 * reading. A larger space is a search's (tune:), which samples it.
 */
export const MAX_STUDY_CELLS = 10_000;

/** The cells of a study, in order; `loc` gives each value its line. */
export function studyCells(study: Study, loc: Locator): Cell[] {
  const { factors } = study;
  if (factors.length === 0) return [{ label: '', values: {}, levels: {}, placed: [] }];
  const picks: number[][] = [];
  if (study.mode === 'zip') {
    for (let i = 0; i < factors[0].values.length; i++) picks.push(factors.map(() => i));
  } else {
    const count = factors.reduce((n, f) => n * f.values.length, 1);
    if (count > MAX_STUDY_CELLS) {
      const sizes = factors.map((f) => f.values.length).join(' x ');
      throw loc.error(['study', 'factors'], `the factors cross into ${count.toLocaleString('en-US')} configurations (${sizes}), more than the ${MAX_STUDY_CELLS.toLocaleString('en-US')} a study takes; use fewer values, or a search (tune:) to sample the space`);
    }
    for (let c = 0; c < count; c++) {
      // Mixed radix, last factor fastest.
      const pick: number[] = [];
      let rest = c;
      for (let k = factors.length - 1; k >= 0; k--) {
        pick[k] = rest % factors[k].values.length;
        rest = Math.floor(rest / factors[k].values.length);
      }
      picks.push(pick);
    }
  }
  return picks.map((pick) => {
    const values: Record<string, unknown> = {};
    const levels: Record<string, number> = {};
    const placed: Placed[] = [];
    factors.forEach((f, k) => {
      const j = pick[k];
      levels[f.key] = j;
      values[f.key] = f.names ? f.names[j] : f.values[j];
      const { line, note } = loc.at([...f.at, f.names ? f.names[j] : j]);
      const from = `(study factor ${f.key}, value ${j + 1}${f.names ? ` '${f.names[j]}'` : ''}${note ? `; ${note.slice(1, -1)}` : ''})`;
      for (const { segments } of f.sets[j]) placed.push({ path: segments, origin: { line, note: from } });
    });
    const label = factors.map((f) => `${f.key}=${valueText(values[f.key])}`).join(', ');
    return { label, values, levels, placed };
  });
}
