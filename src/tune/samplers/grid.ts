// The grid sampler: every combination of the discrete values of the space (space.ts: gridValues), as Optuna's
// GridSampler and KerasTuner's GridSearch do. Conditional parameters make the grid a tree: a parameter
// multiplies only the branches where it is active. Points come in a fixed order, the first parameter changing
// slowest (or in an order shuffled by the seed, with `shuffle: true`), and trial n gets the first point that no
// trial of the study has taken, in any state, so parallel workers and resumed studies do not repeat points.
// When every point is taken, suggest() returns null. A grid needs every float to have a step, and at most
// MAX_GRID_POINTS points: check() says so before any trial runs (and suggest() throws the same).
import { Rng } from '../rng.js';
import { choiceIndex, contains, gridSize, gridValues, isActive, valueKey, type Param, type Params, type Space } from '../space.js';
import type { SamplerDefinition } from './index.js';
import type { Sampler } from './sampler.js';
import { samplerSeed } from './random.js';

/** The most points a grid may have. */
export const MAX_GRID_POINTS = 100_000;

/** The points of the grid of `space`, in order (the first parameter slowest). Throws for a float without a step. */
export function gridPoints(space: Space): Params[] {
  const values = space.params.map((p) => {
    const v = gridValues(p.dist);
    if (v === null) throw new Error(`${p.name}: ${continuousProblem(p)}`);
    return v;
  });
  const out: Params[] = [];
  const walk = (i: number, params: Params): void => {
    if (i === space.params.length) {
      out.push({ ...params });
      return;
    }
    const p = space.params[i];
    if (!isActive(p, params)) return walk(i + 1, params);
    for (const v of values[i]) {
      params[p.name] = v;
      walk(i + 1, params);
    }
    delete params[p.name];
  };
  walk(0, {});
  return out;
}

/**
 * The number of points of the grid of `space`, counted without listing them or any parameter's values (so a
 * huge grid is cheap to refuse): a parameter that no condition names multiplies the count of the rest, one that a condition names
 * sums the counts of its branches. Infinity when a float has no step.
 */
export function countPoints(space: Space): number {
  const sizes = space.params.map((p) => gridSize(p.dist) ?? Infinity);
  const named = new Set(space.params.flatMap((p) => p.when.map((c) => c.param)));
  const count = (i: number, params: Params): number => {
    if (i === space.params.length) return 1;
    const p = space.params[i];
    if (!isActive(p, params)) return count(i + 1, params);
    // Only choices and bools are named by conditions: their values are listed in the file already.
    if (!named.has(p.name)) return sizes[i] * count(i + 1, params);
    let total = 0;
    for (const v of gridValues(p.dist)!) total += count(i + 1, { ...params, [p.name]: v });
    return total;
  };
  return count(0, {});
}

/** What keeps `space` from being a grid (a float without a step, too many points), with the parameter to name. */
function gridProblem(space: Space): { param: string; problem: string } | null {
  const continuous = space.params.find((p) => gridSize(p.dist) === null);
  if (continuous !== undefined) return { param: continuous.name, problem: continuousProblem(continuous) };
  const count = countPoints(space);
  if (count <= MAX_GRID_POINTS) return null;
  const size = (p: Param): number => gridSize(p.dist)!;
  const widest = space.params.reduce((a, b) => (size(b) > size(a) ? b : a));
  const exact = count <= Number.MAX_SAFE_INTEGER ? String(count) : `about ${count.toPrecision(3)}`;
  return {
    param: widest.name,
    problem: `the grid has ${exact} points, more than the ${MAX_GRID_POINTS} a grid may have: give '${widest.name}' (${size(widest)} values) or other parameters fewer values, or use another sampler (random, tpe)`,
  };
}

function continuousProblem(p: Param): string {
  return `the grid sampler needs a step for every float parameter: add a step to '${p.name}' (its values are then low, low + step, ..., high), or make it a choice`;
}

/**
 * A function giving the identity of a point of `space`: each parameter that the point sets, with the index of
 * its value (so 0.30000000000000004 and 0.3 are one point), in the order of the space. Values that are not
 * values of their distribution, and names that are not parameters, keep their JSON and so match no grid point.
 */
function pointKeys(space: Space): (params: Params) => string {
  const names = new Set(space.params.map((p) => p.name));
  return (params) => {
    const parts: unknown[] = [];
    for (const p of space.params) {
      if (Object.hasOwn(params, p.name)) parts.push(p.name, valueIndex(p, params[p.name]) ?? valueKey(params[p.name]));
    }
    for (const name of Object.keys(params).sort()) {
      if (!names.has(name)) parts.push(name, valueKey(params[name]));
    }
    return JSON.stringify(parts);
  };
}

/** The index of `value` among the grid values of `p`, or null when it is not one of them. */
function valueIndex(p: Param, value: unknown): number | null {
  if (p.dist.kind === 'choice') {
    const i = choiceIndex(p.dist, value);
    return i < 0 ? null : i;
  }
  if (p.dist.step === null || !contains(p.dist, value)) return null;
  return Math.round(((value as number) - p.dist.low) / p.dist.step);
}

/** `points` in an order shuffled by `seed` (Fisher-Yates). */
function shuffled<T>(points: readonly T[], seed: number): T[] {
  const rng = new Rng(seed, 0x67726964);
  const out = [...points];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const grid: SamplerDefinition = {
  params: {
    shuffle: { type: 'boolean', default: false },
    seed: { type: 'optionalInteger', min: 0 },
  },
  create(params, studySeed): Sampler {
    const shuffle = params.shuffle === true;
    const seed = samplerSeed(params.seed, studySeed);
    return {
      name: 'grid',
      suggest(space, ctx) {
        const problem = gridProblem(space);
        if (problem !== null) throw new Error(`${problem.param}: ${problem.problem}`);
        const key = pointKeys(space);
        const taken = new Set(ctx.trials.map((t) => key(t.params)));
        const points = gridPoints(space);
        return (shuffle ? shuffled(points, seed) : points).find((p) => !taken.has(key(p))) ?? null;
      },
      config: () => ({ name: 'grid', shuffle, seed }),
    };
  },
  check(space, fail) {
    const problem = gridProblem(space);
    if (problem !== null) throw fail(problem.param, problem.problem);
  },
};
