// A study: factors (a field path with a list of values each) combined into cells. Crossed factors give every
// combination (the first factor varies slowest, as nested loops in the order written); zipped factors give the
// i-th value of every factor together and must have lists of the same length. A factor path is a field of a
// run's configuration as written, so it can vary a template's field (model.activation, model.units), a layer's
// (model.layers[1].rate), a component's parameter (training.optimizer.lr) or a whole section (data.subset).
import type { Locator, Placed } from './locate.js';
import { isPrefix, isRecord, parsePath, type Segment } from './paths.js';
import { checkFieldPath } from './validate.js';

export interface Factor {
  /** The factor as written: 'model.activation'. */
  key: string;
  segments: Segment[];
  values: unknown[];
}

export interface Study {
  mode: 'cross' | 'zip';
  factors: Factor[];
}

/** One combination of factor values. */
export interface Cell {
  /** "model.activation=relu, training.optimizer.lr=0.01". */
  label: string;
  values: Record<string, unknown>;
  /** The values as paths into the configuration, each with the line of its value in the study section. */
  placed: Placed[];
}

/** Sections of a run's configuration a factor may vary (seed and repeats are the study's own). */
const VARIABLE = ['data', 'model', 'training', 'evaluateTest'];

/** The factor paths of a study section, without checking them (the schema check skips what they set). */
export function factorPaths(study: unknown): Segment[][] {
  if (!isRecord(study) || !isRecord(study.factors)) return [];
  return Object.keys(study.factors).flatMap((k) => {
    try {
      return [parsePath(k)];
    } catch {
      return [];
    }
  });
}

/** The study of an experiment (its section already matches the schema), or null without one. */
export function readStudy(section: unknown, loc: Locator): Study | null {
  if (section === undefined || section === null) return null;
  const s = section as { mode?: 'cross' | 'zip'; factors: Record<string, unknown[]> };
  const mode = s.mode ?? 'cross';
  const factors: Factor[] = Object.entries(s.factors).map(([key, values]) => {
    const at = ['study', 'factors', key];
    const segments = parsePath(key, (problem) => loc.error(at, problem));
    if (typeof segments[0] !== 'string' || !VARIABLE.includes(segments[0])) {
      throw loc.error(at, `a study factor varies a field of ${VARIABLE.join(', ')}; '${key}' is not one`);
    }
    checkFieldPath(segments, (problem) => loc.error(at, problem));
    const seen = new Map<string, number>();
    values.forEach((v, j) => {
      const k = JSON.stringify(v);
      if (seen.has(k)) throw loc.error([...at, j], `value ${k} is listed twice (also value ${seen.get(k)! + 1})`);
      seen.set(k, j);
    });
    return { key, segments, values };
  });
  factors.forEach((a, i) =>
    factors.forEach((b, j) => {
      if (i !== j && isPrefix(a.segments, b.segments)) {
        throw loc.error(['study', 'factors', b.key], `factor '${b.key}' lies inside factor '${a.key}'; vary one or the other`);
      }
    }),
  );
  if (mode === 'zip') {
    const n = factors[0].values.length;
    const odd = factors.find((f) => f.values.length !== n);
    if (odd !== undefined) {
      const lengths = factors.map((f) => `${f.key} has ${f.values.length}`).join(', ');
      throw loc.error(['study', 'factors', odd.key], `zipped factors need lists of the same length: ${lengths}`);
    }
  }
  return { mode, factors };
}

/** The value in a label: strings bare, anything else as compact JSON. */
function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The cells of a study, in order; `loc` gives each value its line. */
export function studyCells(study: Study, loc: Locator): Cell[] {
  const { factors } = study;
  const picks: number[][] = [];
  if (study.mode === 'zip') {
    for (let i = 0; i < factors[0].values.length; i++) picks.push(factors.map(() => i));
  } else {
    const count = factors.reduce((n, f) => n * f.values.length, 1);
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
    const placed: Placed[] = [];
    factors.forEach((f, k) => {
      const j = pick[k];
      values[f.key] = f.values[j];
      const { line, note } = loc.at(['study', 'factors', f.key, j]);
      const from = `(study factor ${f.key}, value ${j + 1}${note ? `; ${note.slice(1, -1)}` : ''})`;
      placed.push({ path: f.segments, origin: { line, note: from } });
    });
    const label = factors.map((f) => `${f.key}=${show(values[f.key])}`).join(', ');
    return { label, values, placed };
  });
}
