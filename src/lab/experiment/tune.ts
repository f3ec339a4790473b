// The `tune:` section of an experiment file: a hyper-parameter search over field paths of the experiment
// (instead of `study:`, which lists the configs). Reading it checks everything that can be checked without
// data: the space (src/tune/space.ts), the objective, the sampler and pruner by name with their settings, each
// parameter's field path, and the sampler against the space (a grid needs steps). A trial's config is the
// file's with the fixed values and the trial's parameters set (tuneCell), checked as a study cell is.
//
//   tune:
//     objective: { metric: val.accuracy, direction: max, reduce: best }   # or just val.accuracy (the default)
//     sampler: tpe            # random | grid | tpe | gp, or { name: tpe, startupTrials: 10, ... }; default tpe
//     pruner: none            # none | median | asha | hyperband, or { name: asha, minEpochs: 1, reductionFactor: 3 }
//     trials: 30              # the study's total budget (default 10); timeoutS: stop starting trials after that
//     executionsPerTrial: 1   # runs per trial (seeds seed, seed + 1, ...); the trial's value is their mean
//     seed: 0                 # the sampler's seed (default: the experiment's)
//     space:
//       training.optimizer.lr: { type: float, low: 0.00001, high: 0.1, log: true }
//       model.units: { type: choice, values: [[32], [128], [512]] }
import type { Locator, Placed } from './locate.js';
import { isRecord, parsePath, setPath, type Segment } from './paths.js';
import { checkFieldPath } from './validate.js';
import { readSpace, isActive, paramText, gridSize, gridValues, type Params, type Space } from '../../tune/space.js';
import { readObjective, type Objective } from '../../tune/objective.js';
import { samplerFrom } from '../../tune/samplers/index.js';
import { prunerFrom } from '../../tune/pruners/index.js';

export interface TuneSpec {
  objective: Objective;
  /** The sampler and pruner configs as written (a name or { name, ...settings }); made with samplerFrom/prunerFrom. */
  sampler: unknown;
  pruner: unknown;
  trials: number;
  timeoutS: number | null;
  executionsPerTrial: number;
  /** The sampler's seed. */
  seed: number;
  space: Space;
}

/** Sections of the configuration a search may set (seed, repeats and evaluateTest are the experiment's own). */
const VARIABLE = ['data', 'model', 'training'];

/** The field paths a `tune.space` section sets, unchecked (the schema check skips them: the search sets them). */
export function tunePaths(tune: unknown): Segment[][] {
  if (!isRecord(tune) || !isRecord(tune.space)) return [];
  return Object.keys(tune.space).flatMap((p) => {
    try {
      return [parsePath(p)];
    } catch {
      return [];
    }
  });
}

/** The field path of a space parameter, checked: a field of data, model or training. */
export function paramPath(name: string, loc: Locator): Segment[] {
  const where: Segment[] = ['tune', 'space', name];
  const segments = parsePath(name, (problem) => loc.error(where, problem));
  if (typeof segments[0] !== 'string' || !VARIABLE.includes(segments[0])) {
    throw loc.error(where, `a search sets fields of ${VARIABLE.join(', ')}; '${name}' is not one`);
  }
  checkFieldPath(segments, (problem) => loc.error(where, problem));
  return segments;
}

/** The tune section (already matching the schema), checked; `seed` is the experiment's. */
export function readTune(section: Record<string, unknown>, loc: Locator, seed: number): TuneSpec {
  const space = readSpace(section.space as Record<string, unknown>, (segments, problem) => loc.error(segments, problem));
  for (const p of [...space.params, ...space.fixed]) paramPath(p.name, loc);
  const objective = readObjective(section.objective, (field, problem) => loc.error(field === null ? ['tune', 'objective'] : ['tune', 'objective', field], problem));
  const samplerSeed = (section.seed as number | undefined) ?? seed;
  const { definition } = loc.check(() => samplerFrom(section.sampler, samplerSeed, 'tune.sampler'));
  definition.check?.(space, (param, problem) => loc.error(['tune', 'space', param], problem));
  loc.check(() => prunerFrom(section.pruner, 'tune.pruner'));
  return {
    objective,
    sampler: section.sampler ?? 'tpe',
    pruner: section.pruner ?? 'none',
    trials: (section.trials as number | undefined) ?? 10,
    timeoutS: (section.timeoutS as number | undefined) ?? null,
    executionsPerTrial: (section.executionsPerTrial as number | undefined) ?? 1,
    seed: samplerSeed,
    space,
  };
}

/** "model.initializer.stddev=0.03697, model.units=[800]": a trial's label. */
export function paramsLabel(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${paramText(v)}`)
    .join(', ');
}

/**
 * The experiment as a trial configures it: the fixed values, then the trial's parameters in the space's order,
 * set on a copy of `raw`. Returns the copy and where each value came from, for errors.
 */
export function applyParams(raw: Record<string, unknown>, tune: TuneSpec, params: Params, loc: Locator, defaults: (s: readonly Segment[]) => unknown): { raw: Record<string, unknown>; placed: Placed[] } {
  const out = structuredClone(raw);
  delete out.tune;
  const placed: Placed[] = [];
  const set = (name: string, value: unknown, note: string) => {
    const segments = parsePath(name);
    const { line } = loc.at(['tune', 'space', name]);
    placed.push({ path: segments, origin: { line, note } });
    loc.with(placed).check(() => setPath(out, segments, structuredClone(value), name, defaults));
  };
  for (const f of tune.space.fixed) set(f.name, f.value, `(tune.space ${f.name}, fixed)`);
  for (const p of tune.space.params) {
    if (!Object.hasOwn(params, p.name)) continue;
    set(p.name, params[p.name], `(tune.space ${p.name} = ${paramText(params[p.name])})`);
  }
  return { raw: out, placed };
}

/**
 * Parameter sets that reach every corner of the space, for checking configs before any trial: a base (every
 * active parameter at its first value: low, or a choice's first), then each parameter at each of its corner
 * values (low and high; every value of a choice or small grid, up to 12) with the others at the base,
 * conditional parameters following their conditions. Distinct sets only.
 */
export function cornerParams(space: Space): Params[] {
  const corners = (p: Space['params'][number]): unknown[] => {
    if (p.dist.kind === 'choice') return p.dist.values.slice(0, 12);
    // The size first: listing the values of an int from 1 to 2e9 would take the memory of the process.
    const size = gridSize(p.dist);
    if (size !== null && size <= 12) return gridValues(p.dist)!;
    return [p.dist.low, p.dist.high];
  };
  const complete = (fixed: Params): Params => {
    const out: Params = {};
    for (const p of space.params) {
      if (!isActive(p, out)) continue;
      out[p.name] = Object.hasOwn(fixed, p.name) ? fixed[p.name] : corners(p)[0];
    }
    return out;
  };
  const seen = new Map<string, Params>();
  const add = (params: Params) => seen.set(JSON.stringify(params), params);
  add(complete({}));
  for (const p of space.params) {
    for (const v of corners(p)) {
      // Reach p: the base with p's conditions met by the first value that meets them.
      const needs: Params = { [p.name]: v };
      for (const c of p.when) needs[c.param] = c.values[0];
      add(complete(needs));
    }
  }
  return [...seen.values()];
}

/** An experiment cannot have both a study and a search, nor repeats with a search. */
export function checkTuneAlone(raw: Record<string, unknown>, loc: Locator): void {
  if (raw.study !== undefined && raw.study !== null) {
    throw loc.error(['tune'], 'an experiment has either study (configurations you list) or tune (a search over a space), not both');
  }
  if (raw.repeats !== undefined) {
    throw loc.error(['repeats'], 'a search repeats each trial with tune.executionsPerTrial (its value is the mean over them); remove repeats');
  }
  if (raw.evaluateTest === 'all') {
    throw loc.error(['evaluateTest'], "a search evaluates only its best trial on the test set (true, the default for a search) or none (false); 'all' would score every trial on it");
  }
}

