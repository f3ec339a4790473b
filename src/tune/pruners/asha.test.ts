// ASHA: the rung epochs, how many trials a rung promotes (synchronously and in arrival order), later rungs
// against the trials that reached them, ties, sparse values, direction min, NaNs, Optuna's setting names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Direction, Trial, TrialState } from '../trial.js';
import { ashaPruner, promoted, rungSteps, type AshaSettings } from './asha.js';
import { prunerFrom } from './index.js';

const defaults: AshaSettings = { minEpochs: 1, reductionFactor: 4, minEarlyStoppingRate: 0 };

function trial(number: number, intermediate: (number | null)[], state: TrialState = 'completed'): Trial {
  return { number, state, params: {}, value: null, intermediate };
}

/** A trial at `level` for `epochs` epochs. */
const flat = (number: number, level: number, epochs: number, state: TrialState = 'completed'): Trial =>
  trial(number, Array.from({ length: epochs }, () => level), state);

/** Whether the pruner prunes trial `number` (values as given, up to `step`) at `step`. */
function prunes(settings: Partial<AshaSettings>, number: number, values: (number | null)[], step: number, trials: Trial[], maxEpochs: number, direction: Direction = 'max'): boolean {
  const pruner = ashaPruner({ ...defaults, ...settings });
  return pruner.shouldPrune(trial(number, values.slice(0, step + 1), 'running'), step, { direction, trials, maxEpochs });
}

/** Every step (below the last) at which it would prune a trial with these values, each asked on its own. */
function pruneSteps(settings: Partial<AshaSettings>, values: (number | null)[], trials: Trial[], maxEpochs: number, direction: Direction = 'max'): number[] {
  const out: number[] = [];
  values.forEach((v, step) => {
    if (v !== null && prunes(settings, 999, values, step, trials, maxEpochs, direction)) out.push(step);
  });
  return out;
}

describe('ASHA pruner', () => {
  test('rungs end after minEpochs * rf^(rate + k) epochs: 0-based steps, those before the last epoch', () => {
    assert.deepEqual(rungSteps(defaults, 100), [0, 3, 15, 63]);
    assert.deepEqual(rungSteps(defaults, 64), [0, 3, 15]); // 64 epochs: the rung at epoch 64 is the last epoch
    assert.deepEqual(rungSteps({ minEpochs: 2, reductionFactor: 3, minEarlyStoppingRate: 1 }, 100), [5, 17, 53]);
    assert.deepEqual(rungSteps({ minEpochs: 3, reductionFactor: 2, minEarlyStoppingRate: 0 }, 30), [2, 5, 11, 23]);
    assert.deepEqual(rungSteps(defaults, 1), []);
    // The worst trial, asked at every epoch, is pruned exactly at the rungs.
    const others = Array.from({ length: 8 }, (_, i) => flat(i, i + 1, 100));
    assert.deepEqual(pruneSteps({}, Array(100).fill(0), others, 100), [0, 3, 15, 63]);
    assert.deepEqual(pruneSteps({ minEpochs: 2, reductionFactor: 3, minEarlyStoppingRate: 1 }, Array(100).fill(0), others, 100), [5, 17, 53]);
  });

  test('with 16 trials at rung 0 and rf 4, the top quarter pass (17: still 4; fewer than rf: only the best)', () => {
    for (const n of [16, 17]) {
      const all = Array.from({ length: n }, (_, i) => flat(i, i + 1, 1, 'pruned'));
      const passed = all.filter((t) => !prunes({}, t.number, t.intermediate, 0, all.filter((o) => o !== t), 10));
      assert.deepEqual(passed.map((t) => t.intermediate[0]), [n - 3, n - 2, n - 1, n]);
    }
    const three = [flat(0, 1, 1), flat(1, 2, 1), flat(2, 3, 1)];
    assert.deepEqual(three.map((t) => prunes({}, t.number, t.intermediate, 0, three.filter((o) => o !== t), 10)), [true, true, false]);
    assert.equal(promoted(7, [7, 8, 9, 10, 11, 12, 13, 14], 2, 'max'), false);
    assert.equal(promoted(11, [7, 8, 9, 10, 11, 12, 13, 14], 2, 'max'), true);
    assert.equal(promoted(10, [7, 8, 9, 10, 11, 12, 13, 14], 2, 'min'), true);
    assert.equal(promoted(11, [7, 8, 9, 10, 11, 12, 13, 14], 2, 'min'), false);
  });

  test('asynchronous: each trial is judged against the trials that reached the rung before it', () => {
    /** Which of `values`, arriving at rung 0 in this order, go on (each judged against those before it). */
    const arrive = (values: number[]): number[] => {
      const seen: Trial[] = [];
      const passed: number[] = [];
      values.forEach((v, i) => {
        const pruned = prunes({}, i, [v], 0, seen, 10);
        if (!pruned) passed.push(v);
        seen.push(flat(i, v, pruned ? 1 : 2, pruned ? 'pruned' : 'running'));
      });
      return passed;
    };
    const ascending = Array.from({ length: 16 }, (_, i) => i + 1);
    assert.deepEqual(arrive(ascending), ascending); // each newcomer is the best so far
    assert.deepEqual(arrive([...ascending].reverse()), [16]); // the first is never beaten
    // 10 alone; 5, 8 behind it; 12 best of 4; 1 no; 16 best; 3 no; 14 second of 8 (top 2 pass).
    assert.deepEqual(arrive([10, 5, 8, 12, 1, 16, 3, 14]), [10, 12, 16, 14]);
    assert.deepEqual(arrive([10, 5, 8, 12, 1, 16, 3, 11]), [10, 12, 16]); // 11 is third of 8
  });

  test('a later rung compares only with the trials that reached it', () => {
    // Two trials reached rung 1 (step 3) at 5 and 6; six others have just ended epoch 0, at 10..15.
    const trials = [...[10, 11, 12, 13, 14, 15].map((v, i) => flat(i, v, 1, 'running')), flat(6, 5, 4, 'running'), flat(7, 6, 4, 'running')];
    // At rung 1 there are 3 values, fewer than rf, so only the best passes: 6 beats 5.5.
    assert.equal(prunes({}, 99, [20, 20, 20, 5.5], 3, trials, 50), true);
    assert.equal(prunes({}, 99, [20, 20, 20, 6], 3, trials, 50), false); // a tie with the best passes
    // 6.5 passes; had the six at rung 0 counted, it would need to be second of 9 (>= 14).
    assert.equal(prunes({}, 99, [20, 20, 20, 6.5], 3, trials, 50), false);
    // Between rungs nothing is judged, however bad.
    assert.equal(prunes({}, 99, [9, 0, 0], 2, trials, 50), false);
    assert.equal(prunes({}, 99, [9, 0, 0, 0, 0], 4, trials, 50), false);
  });

  test('ties pass: equal trials are never pruned', () => {
    const same = Array.from({ length: 20 }, (_, i) => flat(i, 0.5, 20));
    assert.deepEqual(pruneSteps({}, Array(20).fill(0.5), same, 20), []);
  });

  test('sparse values: a trial is judged at its first value at or after a rung, for every rung it passed', () => {
    const others = Array.from({ length: 8 }, (_, i) => flat(i, i + 1, 30));
    const everyOther = Array.from({ length: 30 }, (_, e) => (e % 2 === 1 ? 0 : null)); // values at steps 1, 3, 5, ...
    assert.deepEqual(pruneSteps({}, everyOther, others, 30), [1, 3, 15]);
    const late = Array.from({ length: 30 }, (_, e) => (e >= 5 ? 100 : null)); // first value at step 5: past rungs 0 and 1
    assert.deepEqual(pruneSteps({}, late, others, 30), []);
    const lateBad = late.map((v) => (v === null ? null : 0));
    assert.deepEqual(pruneSteps({}, lateBad, others, 30), [5, 15]);
    // Others with sparse values count by their first value past the rung too.
    const sparseOthers = others.map((t) => ({ ...t, intermediate: t.intermediate.map((v, e) => (e % 2 === 1 ? v : null)) }));
    assert.equal(prunes({}, 99, [0], 0, sparseOthers, 30), true);
    assert.equal(prunes({}, 99, [9], 0, sparseOthers, 30), false);
  });

  test('direction min: lower is better', () => {
    const others = Array.from({ length: 8 }, (_, i) => flat(i, i + 1, 20));
    assert.deepEqual(pruneSteps({}, Array(20).fill(9), others, 20, 'min'), [0, 3, 15]);
    assert.deepEqual(pruneSteps({}, Array(20).fill(1), others, 20, 'min'), []);
    assert.deepEqual(pruneSteps({}, Array(20).fill(1), others, 20, 'max'), [0, 3, 15]);
  });

  test('NaN at a rung prunes; the others\' NaNs are no value', () => {
    const others = [flat(0, NaN, 20), flat(1, NaN, 20), flat(2, 1, 20)];
    assert.equal(prunes({}, 99, [NaN], 0, others, 20), true);
    assert.equal(prunes({}, 99, [2], 0, others, 20), false);
    assert.equal(prunes({}, 99, [0.5], 0, others, 20), true);
    assert.equal(prunes({}, 99, [NaN, 5], 1, others, 20), false); // not a rung
  });

  test('reads Optuna\'s names, answers to successiveHalving, rejects a reduction factor below 2', () => {
    const p = prunerFrom({ name: 'successive_halving', min_resource: 2, reduction_factor: 3, min_early_stopping_rate: 1 });
    assert.equal(p.name, 'asha');
    assert.deepEqual(p.config(), { name: 'asha', minEpochs: 2, reductionFactor: 3, minEarlyStoppingRate: 1 });
    assert.deepEqual(prunerFrom('SuccessiveHalving').config(), { name: 'asha', ...defaults });
    assert.deepEqual(prunerFrom('asha').config(), { name: 'asha', ...defaults });
    assert.throws(() => prunerFrom({ name: 'asha', reductionFactor: 1 }), /reductionFactor: must be >= 2/);
    assert.throws(() => prunerFrom({ name: 'asha', minEpochs: 1.5 }), /expected an integer/);
  });
});
