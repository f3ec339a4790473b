// The conformance suite every sampler must pass (conformance.test.ts runs it for each): the contract of
// sampler.ts checked from outside, on spaces with every kind of parameter (float, log float, stepped float,
// int, log int, stepped int, choices of lists and objects, bool, conditions two levels deep). Suggestions set
// exactly the active parameters, each a value of its distribution; the same seed and trials give the same
// suggestion (twice, and from a fresh instance) without touching the trials; other seeds give other sequences;
// 30-trial loops on a 1-D and a 3-D objective run in both directions; histories with failed, pruned and running
// trials work; and only a finite sampler (a grid) returns null, only once every point has been tried.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeParams, contains, gridValues, isActive, readSpace, valueKey, type Params, type Space } from '../tune/space.js';
import type { Direction, Trial } from '../tune/trial.js';
import { Rng } from '../tune/rng.js';
import { samplerFrom } from '../tune/samplers/index.js';
import { sampleSpace } from '../tune/samplers/random.js';
import type { Sampler } from '../tune/samplers/sampler.js';

export interface ConformanceOptions {
  /** The sampler takes only discrete spaces (a grid): the suite's spaces give every float a step. */
  discreteOnly?: boolean;
  /** The sampler may return null, and must then have seen every point of the space tried (a grid). */
  finite?: boolean;
  /** Its suggestions do not depend on the seed (a grid in its fixed order): it is checked to give the same sequence for any seed instead. */
  seedFree?: boolean;
}

const fail = (segments: readonly (string | number)[], problem: string): Error => new Error(`${segments.join('.')}: ${problem}`);

/** A space from its `tune.space` section. */
export function space(section: Record<string, unknown>): Space {
  return readSpace(section, fail);
}

/** Every kind of parameter, with conditions two levels deep (act -> mode -> init); floats stepped for `discrete`. */
export function mixedSpace(discrete: boolean): Space {
  const arch = { type: 'choice', values: [[32], [64, 32], { conv: 3, pool: true }] };
  if (discrete) {
    return space({
      dropout: { type: 'float', low: 0, high: 0.5, step: 0.5 },
      units: { type: 'int', low: 1, high: 3, log: true },
      layers: { type: 'int', low: 1, high: 2 },
      batch: { type: 'int', low: 32, high: 64, step: 32 },
      arch,
      bn: { type: 'bool' },
      bnMomentum: { type: 'float', low: 0.9, high: 0.99, step: 0.09, when: { bn: true } },
      act: { type: 'choice', values: ['relu', 'leakyRelu'] },
      alpha: { type: 'float', low: 0.1, high: 0.3, step: 0.1, when: { act: 'leakyRelu' } },
      mode: { type: 'choice', values: ['fixed', 'learned'], when: { act: 'leakyRelu' } },
      init: { type: 'float', low: 0, high: 1, step: 0.5, when: { mode: 'learned' } },
      epochs: 20,
    });
  }
  return space({
    lr: { type: 'float', low: 1e-5, high: 0.1, log: true },
    dropout: { type: 'float', low: 0, high: 0.5 },
    momentum: { type: 'float', low: 0, high: 0.9, step: 0.1 },
    units: { type: 'int', low: 1, high: 512, log: true },
    layers: { type: 'int', low: 1, high: 4 },
    batch: { type: 'int', low: 32, high: 256, step: 32 },
    arch,
    bn: { type: 'bool' },
    bnMomentum: { type: 'float', low: 0.9, high: 0.999, when: { bn: true } },
    act: { type: 'choice', values: ['relu', 'leakyRelu', 'elu'] },
    alpha: { type: 'float', low: 0.01, high: 0.5, log: true, when: { act: ['leakyRelu', 'elu'] } },
    mode: { type: 'choice', values: ['fixed', 'learned'], when: { act: 'leakyRelu' } },
    init: { type: 'float', low: 0, high: 1, step: 0.25, when: { mode: 'learned' } },
    epochs: 20,
  });
}

/** Asserts that `params` sets exactly the parameters active under it, each to a value of its distribution. */
export function assertValid(space: Space, params: Params | null, where = ''): void {
  assert.ok(params !== null && typeof params === 'object', `${where}: expected parameters, got ${String(params)}`);
  const active = activeParams(space, params);
  assert.deepEqual(Object.keys(params).sort(), active.map((p) => p.name).sort(), `${where}: not exactly the active parameters: ${JSON.stringify(params)}`);
  for (const p of active) assert.ok(contains(p.dist, params[p.name]), `${where}: ${p.name} = ${JSON.stringify(params[p.name])} is not a value of ${JSON.stringify(p.dist)}`);
}

/** A deterministic, finite objective of any parameters: smooth in numbers, a fixed score per other value. */
export function anyObjective(params: Params): number {
  let total = 0;
  for (const [name, v] of Object.entries(params)) {
    total += typeof v === 'number' ? Math.sin(3.1 * v + name.length) : (valueKey(v).length % 5) / 5;
  }
  return total;
}

/** A completed trial. */
export function completed(number: number, params: Params, value: number): Trial {
  return { number, state: 'completed', params, value, intermediate: [value] };
}

/** Runs `n` trials of `objective` with `sampler`, each completed before the next; stops at a null suggestion. */
export function loop(
  sampler: Sampler,
  space: Space,
  objective: (p: Params) => number,
  n: number,
  direction: Direction,
  history: Trial[] = [],
): { trials: Trial[]; suggestions: (Params | null)[] } {
  const trials = [...history];
  const suggestions: (Params | null)[] = [];
  for (let i = 0; i < n; i++) {
    const number = trials.length;
    const params = sampler.suggest(space, { number, direction, trials });
    suggestions.push(params);
    if (params === null) break;
    trials.push(completed(number, params, objective(params)));
  }
  return { trials, suggestions };
}

/**
 * A history of every state on `space` (params drawn at random): completed trials, failed ones, pruned ones
 * (with epochs, with a missing epoch, with a NaN, with none), running ones, and a stale parameter name.
 */
export function messyHistory(space: Space, completedCount: number, seed = 99): Trial[] {
  const rng = new Rng(seed);
  const trials: Trial[] = [];
  const add = (state: Trial['state'], value: number | null, intermediate: (number | null)[]): void => {
    const params = sampleSpace(space, rng);
    trials.push({ number: trials.length, state, params, value, intermediate });
  };
  for (let i = 0; i < completedCount; i++) {
    const params = sampleSpace(space, rng);
    const value = anyObjective(params);
    trials.push({ number: trials.length, state: 'completed', params, value, intermediate: [value + 1, null, value] });
    if (i % 4 === 1) add('failed', null, [0.5]);
    if (i % 4 === 2) add('running', null, [0.7]);
  }
  add('pruned', 0.9, [1.2, 0.9, 1.1]);
  add('pruned', 0.4, [0.4, null]);
  add('pruned', null, [NaN]);
  add('pruned', null, []);
  add('failed', null, []);
  add('running', null, []);
  trials[0] = { ...trials[0], params: { ...trials[0].params, removedParam: 3 } };
  return trials;
}

/** Freezes trials deeply, so a sampler that writes to them throws. */
function frozen(trials: Trial[]): Trial[] {
  const freeze = (t: Trial): Trial => Object.freeze({ ...t, params: Object.freeze({ ...t.params }), intermediate: Object.freeze([...t.intermediate]) as (number | null)[] });
  return Object.freeze(trials.map(freeze)) as Trial[];
}

/** The number of points of a discrete space (each combination of active parameters' values). */
function pointCount(space: Space): number {
  const walk = (i: number, params: Params): number => {
    if (i === space.params.length) return 1;
    const p = space.params[i];
    if (!isActive(p, params)) return walk(i + 1, params);
    const values = gridValues(p.dist);
    assert.ok(values !== null, `${p.name}: a discrete space has no float without a step`);
    return values.reduce((sum: number, v) => sum + walk(i + 1, { ...params, [p.name]: v }), 0);
  };
  return walk(0, {});
}

/** A short label of a sampler config for test names. */
function label(config: string | Record<string, unknown>): string {
  if (typeof config === 'string') return config;
  const { name, ...settings } = config;
  return Object.keys(settings).length ? `${String(name)} ${JSON.stringify(settings)}` : String(name);
}

/** Registers the suite for the sampler that `config` (a name, or { name, ...settings }) makes. */
export function samplerConformance(config: string | Record<string, unknown>, options: ConformanceOptions = {}): void {
  const make = (seed: number): Sampler => samplerFrom(config, seed).sampler;
  const discrete = options.discreteOnly === true;
  const mixed = mixedSpace(discrete);
  const oneD = space({ x: discrete ? { type: 'int', low: -5, high: 5 } : { type: 'float', low: -5, high: 5 } });
  const threeD = space({
    x: discrete ? { type: 'float', low: -2, high: 2, step: 0.5 } : { type: 'float', low: -2, high: 2 },
    y: discrete ? { type: 'int', low: 1, high: 64, log: true } : { type: 'float', low: 1e-3, high: 1, log: true },
    z: { type: 'choice', values: ['a', 'b', 'c'] },
  });
  const objective1 = (p: Params): number => ((p.x as number) - 1) ** 2;
  const objective3 = (p: Params): number => (p.x as number) ** 2 + Math.log10(p.y as number) ** 2 + (p.z === 'b' ? 0 : 1);

  /** Asserts that a null suggestion comes only from a finite sampler, after every point was tried. */
  const checkNull = (space: Space, trials: readonly Trial[], where: string): void => {
    assert.ok(options.finite, `${where}: only a finite sampler (a grid) may return null`);
    const taken = new Set(trials.map((t) => JSON.stringify(space.params.filter((p) => Object.hasOwn(t.params, p.name)).map((p) => [p.name, valueKey(t.params[p.name])]))));
    assert.equal(taken.size, pointCount(space), `${where}: null before every point of the space was tried`);
  };

  describe(`Sampler conformance: ${label(config)}`, () => {
    test('its name and config: the registry name, settings as plain JSON data', () => {
      const sampler = make(5);
      const name = typeof config === 'string' ? config : String(config.name);
      assert.equal(sampler.name, name);
      const recorded = sampler.config();
      assert.equal(recorded.name, name);
      assert.deepEqual(JSON.parse(JSON.stringify(recorded)), recorded);
    });

    test('30 trials on every kind of parameter: exactly the active ones, each a value of its distribution', () => {
      for (const direction of ['min', 'max'] as const) {
        const { trials, suggestions } = loop(make(11), mixed, anyObjective, 30, direction);
        suggestions.forEach((s, i) => (s === null ? checkNull(mixed, trials, `trial ${i}`) : assertValid(mixed, s, `${direction} trial ${i}`)));
      }
    });

    test('the same seed and trials give the same suggestion, twice and from a fresh instance, leaving the trials as they were', () => {
      const history = frozen(messyHistory(mixed, 14));
      const copy = structuredClone(history);
      const ctx = { number: history.length, direction: 'min' as const, trials: history };
      const sampler = make(3);
      const first = sampler.suggest(mixed, ctx);
      assertValid(mixed, first, 'first');
      assert.deepEqual(sampler.suggest(mixed, ctx), first);
      assert.deepEqual(make(3).suggest(mixed, ctx), first);
      assert.deepEqual(make(3).suggest(mixed, { ...ctx, trials: structuredClone(copy) }), first);
      assert.deepEqual(structuredClone(history), copy);
      const fresh = loop(make(8), mixed, anyObjective, 15, 'min');
      assert.deepEqual(loop(make(8), mixed, anyObjective, 15, 'min').suggestions, fresh.suggestions);
    });

    if (options.seedFree) {
      test('its order does not depend on the seed: the same sequence for any seed', () => {
        const sequence = (seed: number) => JSON.stringify(loop(make(seed), mixed, anyObjective, 12, 'min').suggestions);
        assert.equal(sequence(1), sequence(2));
        assert.equal(sequence(1), sequence(1000));
      });
    } else {
      test('different seeds give different sequences', () => {
        const sequence = (seed: number) => JSON.stringify(loop(make(seed), mixed, anyObjective, 12, 'min').suggestions);
        assert.notEqual(sequence(1), sequence(2));
        assert.notEqual(sequence(1), sequence(1000));
      });
    }

    test('a 30-trial loop on a 1-D objective, minimised and maximised', () => {
      for (const direction of ['min', 'max'] as const) {
        const { trials, suggestions } = loop(make(21), oneD, objective1, 30, direction);
        suggestions.forEach((s, i) => (s === null ? checkNull(oneD, trials, `trial ${i}`) : assertValid(oneD, s, `trial ${i}`)));
        if (!options.finite) assert.equal(trials.length, 30);
        assert.ok(trials.every((t) => Number.isFinite(t.value)));
      }
    });

    test('a 30-trial loop on a 3-D objective (float, log, choice), minimised and maximised', () => {
      for (const direction of ['min', 'max'] as const) {
        const { trials, suggestions } = loop(make(22), threeD, objective3, 30, direction);
        suggestions.forEach((s, i) => (s === null ? checkNull(threeD, trials, `trial ${i}`) : assertValid(threeD, s, `trial ${i}`)));
        assert.equal(trials.length, 30);
      }
    });

    test('null only once every point is tried: a finite sampler then returns null, any other goes on', () => {
      const tiny = space({ flag: { type: 'bool' } });
      const states: Trial['state'][] = ['failed', 'running'];
      const trials: Trial[] = [false, true].map((flag, i) => ({ number: i, state: states[i], params: { flag }, value: null, intermediate: [] }));
      for (const direction of ['min', 'max'] as const) {
        const next = make(4).suggest(tiny, { number: 2, direction, trials });
        if (options.finite) assert.equal(next, null);
        else assertValid(tiny, next, direction);
      }
      assertValid(tiny, make(4).suggest(tiny, { number: 1, direction: 'min', trials: trials.slice(0, 1) }), 'one point left');
      const empty = space({ epochs: 20 });
      assert.deepEqual(make(4).suggest(empty, { number: 0, direction: 'min', trials: [] }), {});
    });

    test('histories with failed, pruned and running trials (and a stale parameter), in both directions', () => {
      for (const [count, what] of [[14, 'enough finished trials to learn from'], [2, 'few finished trials']] as const) {
        const history = frozen(messyHistory(mixed, count));
        for (const direction of ['min', 'max'] as const) {
          const next = make(6).suggest(mixed, { number: history.length, direction, trials: history });
          if (next === null) checkNull(mixed, history, what);
          else assertValid(mixed, next, `${what}, ${direction}`);
        }
      }
      for (const state of ['failed', 'running', 'pruned'] as const) {
        const rng = new Rng(state.length);
        const only = Array.from({ length: 12 }, (_, number): Trial => ({ number, state, params: sampleSpace(mixed, rng), value: null, intermediate: state === 'pruned' ? [0.5] : [] }));
        assertValid(mixed, make(6).suggest(mixed, { number: only.length, direction: 'max', trials: only }), `only ${state} trials`);
      }
    });
  });
}
