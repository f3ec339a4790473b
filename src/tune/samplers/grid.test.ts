// The grid sampler: the exact points and their order (the first parameter slowest, conditional parameters as a
// tree), points taken by trials in any state skipped, null once every point is taken, the seeded shuffle, and
// check()'s refusals (a float without a step, a grid over 100000 points).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Params, Space } from '../space.js';
import type { Trial } from '../trial.js';
import { completed, loop, space } from '../../testing/sampler-conformance.js';
import { countPoints, grid, gridPoints, MAX_GRID_POINTS } from './grid.js';
import { samplerFrom } from './index.js';

const tree = space({
  opt: { type: 'choice', values: ['sgd', 'adam'] },
  momentum: { type: 'float', low: 0, high: 0.9, step: 0.45, when: { opt: 'sgd' } },
  nesterov: { type: 'bool', when: { opt: 'sgd' } },
  units: { type: 'int', low: 16, high: 32, step: 16 },
  epochs: 5,
});

/** The whole sequence of the grid sampler on `s`, each trial completed before the next. */
function sequence(s: Space, settings: Record<string, unknown> = {}, seed = 1): (Params | null)[] {
  return loop(samplerFrom({ name: 'grid', ...settings }, seed).sampler, s, () => 0, 1000, 'min').suggestions;
}

const fail = (param: string, problem: string) => new Error(`${param}: ${problem}`);

test('every point of a conditional tree, in order: the first parameter slowest, a branch only where active, then null', () => {
  const sgd = (momentum: number, nesterov: boolean, units: number) => ({ opt: 'sgd', momentum, nesterov, units });
  const expected = [
    sgd(0, false, 16), sgd(0, false, 32), sgd(0, true, 16), sgd(0, true, 32),
    sgd(0.45, false, 16), sgd(0.45, false, 32), sgd(0.45, true, 16), sgd(0.45, true, 32),
    sgd(0.9, false, 16), sgd(0.9, false, 32), sgd(0.9, true, 16), sgd(0.9, true, 32),
    { opt: 'adam', units: 16 }, { opt: 'adam', units: 32 },
  ];
  assert.deepEqual(gridPoints(tree), expected);
  assert.equal(countPoints(tree), 14);
  assert.deepEqual(sequence(tree), [...expected, null]);
});

test('counts of deeper trees, ints with log, and a space of fixed values only', () => {
  const deep = space({
    act: { type: 'choice', values: ['relu', 'leaky', 'elu'] },
    alpha: { type: 'float', low: 0.1, high: 0.3, step: 0.1, when: { act: ['leaky', 'elu'] } },
    mode: { type: 'choice', values: ['fixed', 'learned'], when: { act: 'leaky' } },
    init: { type: 'int', low: 1, high: 4, log: true, when: { mode: 'learned' } },
    bn: { type: 'bool' },
  });
  // relu: 1; leaky: 3 alphas x (fixed 1 + learned 4); elu: 3 alphas; each times 2 for bn.
  assert.equal(countPoints(deep), (1 + 3 * 5 + 3) * 2);
  assert.equal(gridPoints(deep).length, countPoints(deep));
  assert.equal(new Set(gridPoints(deep).map((p) => JSON.stringify(p))).size, 38);
  assert.deepEqual(sequence(space({ epochs: 3 })), [{}, null]);
});

test('skips points taken by trials in any state (running, failed, pruned), comparing values, not spellings', () => {
  const s = space({ lr: { type: 'choice', values: [0.1, 0.01] }, drop: { type: 'float', low: 0, high: 0.3, step: 0.1 } });
  const sampler = samplerFrom('grid', 1).sampler;
  const taken = (state: Trial['state'], number: number, params: Params): Trial => ({ number, state, params, value: null, intermediate: [] });
  const trials = [
    taken('running', 0, { lr: 0.1, drop: 0 }),
    taken('failed', 1, { lr: 0.1, drop: 0.1 }),
    taken('pruned', 2, { lr: 0.1, drop: 0.1 + 0.2 }), // 0.30000000000000004 is the point 0.3
    completed(3, { lr: 0.01, drop: 0.2, stale: true }, 1), // a stale parameter: not a point of this grid
  ];
  assert.deepEqual(sampler.suggest(s, { number: 4, direction: 'min', trials }), { lr: 0.1, drop: 0.2 });
  const all = gridPoints(s).map((params, number) => taken('running', number, params));
  assert.equal(sampler.suggest(s, { number: 8, direction: 'max', trials: all }), null);
  assert.deepEqual(sampler.suggest(s, { number: 8, direction: 'max', trials: all.filter((t) => t.params.drop !== 0.3) }), { lr: 0.1, drop: 0.3 });
});

test('shuffle: a permutation of the grid, fixed by the seed; the default order ignores the seed', () => {
  const ordered = gridPoints(tree).map((p) => JSON.stringify(p));
  const shuffled = (seed: number) => sequence(tree, { shuffle: true }, seed).slice(0, -1).map((p) => JSON.stringify(p));
  assert.deepEqual([...shuffled(1)].sort(), [...ordered].sort());
  assert.notDeepEqual(shuffled(1), ordered);
  assert.deepEqual(shuffled(1), shuffled(1));
  assert.notDeepEqual(shuffled(1), shuffled(2));
  assert.deepEqual(sequence(tree, {}, 1), sequence(tree, {}, 2));
  assert.deepEqual(samplerFrom({ name: 'grid', shuffle: true }, 4).sampler.config(), { name: 'grid', shuffle: true, seed: 4 });
});

test('check() refuses a float without a step, naming it, and a grid of more than 100000 points', () => {
  grid.check!(tree, fail);
  const continuous = space({ units: { type: 'int', low: 1, high: 3 }, lr: { type: 'float', low: 0.001, high: 0.1, log: true } });
  assert.throws(() => grid.check!(continuous, fail), (e: Error) => {
    assert.match(e.message, /^lr: /);
    assert.match(e.message, /add a step to 'lr'/);
    assert.match(e.message, /make it a choice/);
    return true;
  });
  const wide = (n: number) => space({ a: { type: 'int', low: 1, high: n }, b: { type: 'int', low: 1, high: 1000 }, c: { type: 'bool' } });
  grid.check!(wide(50), fail); // exactly 100000 points
  assert.equal(countPoints(wide(50)), MAX_GRID_POINTS);
  assert.throws(() => grid.check!(wide(51), fail), /b: the grid has 102000 points, more than the 100000 a grid may have: give 'b' \(1000 values\)/);
  const huge = space(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, { type: 'int', low: 1, high: 100 }])));
  assert.throws(() => grid.check!(huge, fail), /the grid has about 1\.00e\+24 points/);
  // suggest() refuses the same spaces.
  const sampler = samplerFrom('grid', 1).sampler;
  assert.throws(() => sampler.suggest(continuous, { number: 0, direction: 'min', trials: [] }), /add a step to 'lr'/);
  assert.throws(() => sampler.suggest(wide(51), { number: 0, direction: 'min', trials: [] }), /more than the 100000/);
});

test('a grid over an int range of two billion values is refused at once, without listing them (it ran out of memory)', () => {
  const vast = space({ batchSize: { type: 'int', low: 1, high: 2_000_000_000 }, act: { type: 'choice', values: ['relu', 'tanh'] } });
  assert.equal(countPoints(vast), 4_000_000_000);
  assert.throws(() => grid.check!(vast, fail), /batchSize: the grid has 4000000000 points, more than the 100000 a grid may have: give 'batchSize' \(2000000000 values\)/);
});
