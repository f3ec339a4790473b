// Hyperband: the number of brackets, their budgets, how trial numbers spread over them (3000 numbers), each
// bracket's rungs, comparisons within a bracket only, maxEpochs auto or given, Optuna's setting names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Trial, TrialState } from '../trial.js';
import { bracketBudgets, bracketCount, bracketOf, hyperbandPruner, type HyperbandSettings } from './hyperband.js';
import { prunerFrom } from './index.js';

const defaults: HyperbandSettings = { minEpochs: 1, maxEpochs: null, reductionFactor: 3 };

const flat = (number: number, level: number, epochs: number, state: TrialState = 'completed'): Trial => ({
  number,
  state,
  params: {},
  value: level,
  intermediate: Array.from({ length: epochs }, () => level),
});

/** The first `count` trial numbers from `from` on that fall in `bracket`. */
function numbersIn(bracket: number, budgets: number[], count: number, from = 0): number[] {
  const out: number[] = [];
  for (let n = from; out.length < count; n++) if (bracketOf(n, budgets) === bracket) out.push(n);
  return out;
}

/** Every step (below the last) at which trial `number` with `values` would be pruned, each asked on its own. */
function pruneSteps(settings: Partial<HyperbandSettings>, number: number, values: number[], trials: Trial[], maxEpochs: number): number[] {
  const pruner = hyperbandPruner({ ...defaults, ...settings });
  const out: number[] = [];
  for (let step = 0; step < values.length; step++) {
    const t = { number, state: 'running' as const, params: {}, value: null, intermediate: values.slice(0, step + 1) };
    if (pruner.shouldPrune(t, step, { direction: 'max', trials, maxEpochs })) out.push(step);
  }
  return out;
}

describe('Hyperband pruner', () => {
  test('floor(log_rf(max / min)) + 1 brackets, counted exactly', () => {
    assert.equal(bracketCount(1, 27, 3), 4);
    assert.equal(bracketCount(1, 26, 3), 3);
    assert.equal(bracketCount(1, 81, 3), 5);
    assert.equal(bracketCount(1, 1000, 10), 4); // Math.log(1000) / Math.log(10) is 2.9999999999999996
    assert.equal(bracketCount(2, 18, 3), 3);
    assert.equal(bracketCount(1, 100, 4), 4);
    assert.equal(bracketCount(1, 1, 3), 1);
    assert.equal(bracketCount(5, 3, 3), 1); // a budget below minEpochs: one bracket
  });

  test('bracket budgets ceil(n * rf^s / (s + 1)), s = n - 1 - i', () => {
    assert.deepEqual(bracketBudgets(4, 3), [27, 12, 6, 4]);
    assert.deepEqual(bracketBudgets(3, 3), [9, 5, 3]);
    assert.deepEqual(bracketBudgets(5, 2), [16, 10, 7, 5, 5]);
    assert.deepEqual(bracketBudgets(1, 3), [1]);
  });

  test('3000 trial numbers spread over the brackets in proportion to their budgets, deterministically', () => {
    for (const budgets of [[27, 12, 6, 4], [9, 5, 3], [16, 10, 7, 5, 5]]) {
      const total = budgets.reduce((a, b) => a + b, 0);
      const counts = budgets.map(() => 0);
      for (let n = 0; n < 3000; n++) counts[bracketOf(n, budgets)]++;
      budgets.forEach((b, i) => {
        const share = counts[i] / 3000;
        assert.ok(Math.abs(share - b / total) < 0.025, `bracket ${i}: ${share.toFixed(3)} of the trials, budget share ${(b / total).toFixed(3)}`);
      });
      for (let n = 0; n < 50; n++) assert.equal(bracketOf(n, budgets), bracketOf(n, [...budgets]));
    }
    assert.equal(bracketOf(123, [1]), 0);
  });

  test('bracket i is ASHA with minEarlyStoppingRate i: its rungs, within a budget of 27 epochs', () => {
    const budgets = bracketBudgets(4, 3);
    const expected = [[0, 2, 8], [2, 8], [8], []]; // epochs 3^i * (1, 3, 9, ...) below the 27th
    const worst = Array(27).fill(0);
    for (let bracket = 0; bracket < 4; bracket++) {
      const mates = numbersIn(bracket, budgets, 10).map((n, i) => flat(n, 1 + i, 27));
      for (const number of numbersIn(bracket, budgets, 3, 1000)) {
        assert.deepEqual(pruneSteps({}, number, worst, mates, 27), expected[bracket], `bracket ${bracket}, trial ${number}`);
      }
    }
  });

  test('a trial is compared only with the trials of its own bracket', () => {
    const budgets = bracketBudgets(4, 3);
    const [mine, ...mates] = numbersIn(0, budgets, 9, 100);
    const strangers = [1, 2, 3].flatMap((b) => numbersIn(b, budgets, 8));
    // Worse than every stranger, better than every mate: kept.
    const trials = [...mates.map((n) => flat(n, 1, 27)), ...strangers.map((n) => flat(n, 100, 27))];
    assert.deepEqual(pruneSteps({}, mine, Array(27).fill(50), trials, 27), []);
    // Better than every stranger, worse than every mate: pruned at its first rung.
    const flipped = [...mates.map((n) => flat(n, 100, 27)), ...strangers.map((n) => flat(n, 1, 27))];
    assert.deepEqual(pruneSteps({}, mine, Array(27).fill(50), flipped, 27), [0, 2, 8]);
  });

  test('maxEpochs: auto is the study\'s epoch budget; a given one fixes the brackets', () => {
    // With 27 epochs, auto gives 4 brackets; maxEpochs 9 gives 3 (budgets 9, 5, 3), so other brackets and rungs.
    const [inBracket2] = numbersIn(2, bracketBudgets(3, 3), 1);
    const mates = numbersIn(2, bracketBudgets(3, 3), 6, 1).map((n, i) => flat(n, 1 + i, 27));
    assert.deepEqual(pruneSteps({ maxEpochs: 9 }, inBracket2, Array(27).fill(0), mates, 27), [8]);
    assert.deepEqual(pruneSteps({ maxEpochs: 27 }, 5, Array(27).fill(0), mates, 27), pruneSteps({}, 5, Array(27).fill(0), mates, 27));
  });

  test('reads Optuna\'s names and auto, and records its settings', () => {
    assert.deepEqual(prunerFrom('hyperband').config(), { name: 'hyperband', minEpochs: 1, maxEpochs: 'auto', reductionFactor: 3 });
    const p = prunerFrom({ name: 'Hyperband', min_resource: 2, max_resource: 'auto', reduction_factor: 2 });
    assert.deepEqual(p.config(), { name: 'hyperband', minEpochs: 2, maxEpochs: 'auto', reductionFactor: 2 });
    assert.deepEqual(prunerFrom({ name: 'hyperband', maxEpochs: 'AUTO' }).config().maxEpochs, 'auto');
    assert.deepEqual(prunerFrom({ name: 'hyperband', maxEpochs: 81 }).config().maxEpochs, 81);
    assert.throws(() => prunerFrom({ name: 'hyperband', maxEpochs: 'lots' }), /maxEpochs: expected an integer >= 1/);
    assert.throws(() => prunerFrom({ name: 'hyperband', maxEpochs: 0 }), /maxEpochs/);
    assert.throws(() => prunerFrom({ name: 'hyperband', reductionFactor: 'auto' }), /reductionFactor: expected a finite number/);
  });
});
