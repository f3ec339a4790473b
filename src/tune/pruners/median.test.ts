// The median pruner: startup trials (finished ones only), warmup, interval (postponed past a missing value),
// minTrials, the median itself (even counts, best-so-far), which trials count, NaNs, Optuna's setting names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Trial, TrialState } from '../trial.js';
import { prunerFrom } from './index.js';
import { medianOf, medianPruner, type MedianSettings } from './median.js';
import type { PruneContext } from './pruner.js';

const EPOCHS = 10;
const defaults: MedianSettings = { startupTrials: 5, warmupEpochs: 0, intervalEpochs: 1, minTrials: 1 };

/** A trial whose value is `level` at every epoch (or the given values). */
function trial(number: number, level: number | (number | null)[], state: TrialState = 'completed'): Trial {
  const intermediate = Array.isArray(level) ? level : Array.from({ length: EPOCHS }, () => level);
  return { number, state, params: {}, value: null, intermediate };
}

/** Others with levels 1..n (median (n + 1) / 2), all completed unless `states` says. */
function others(n: number, states: TrialState[] = []): Trial[] {
  return Array.from({ length: n }, (_, i) => trial(i, i + 1, states[i] ?? 'completed'));
}

/** The steps at which the median pruner prunes a trial with `values` (asked after each epoch that has a value). */
function pruneSteps(settings: Partial<MedianSettings>, values: (number | null)[], trials: Trial[], direction: 'max' | 'min' = 'max'): number[] {
  const pruner = medianPruner({ ...defaults, ...settings });
  const ctx: PruneContext = { direction, trials, maxEpochs: EPOCHS };
  const out: number[] = [];
  values.forEach((v, step) => {
    if (v !== null && pruner.shouldPrune(trial(99, values.slice(0, step + 1), 'running'), step, ctx)) out.push(step);
  });
  return out;
}

const low = (v = 0): number[] => Array.from({ length: EPOCHS }, () => v);
const allButLast = Array.from({ length: EPOCHS - 1 }, (_, i) => i);

describe('median pruner', () => {
  test('prunes below the median of the others at each epoch, never at the last', () => {
    assert.deepEqual(pruneSteps({}, low(), others(5)), allButLast);
    assert.deepEqual(pruneSteps({}, low(2.9), others(5)), allButLast); // median 3
    assert.deepEqual(pruneSteps({}, low(3), others(5)), []); // equal to the median: kept
    assert.deepEqual(pruneSteps({}, low(6), others(5), 'min'), allButLast);
    assert.deepEqual(pruneSteps({}, low(3), others(5), 'min'), []);
  });

  test('an even count takes the mean of the two middle values', () => {
    assert.equal(medianOf([4, 1, 3, 2]), 2.5);
    assert.equal(medianOf([5]), 5);
    assert.deepEqual(pruneSteps({ startupTrials: 4 }, low(2.4), others(4)), allButLast);
    assert.deepEqual(pruneSteps({ startupTrials: 4 }, low(2.5), others(4)), []);
  });

  test('the trial counts by its best value so far, not its latest', () => {
    const values = [5, 1, 1, 1, 1, 1, 1, 1, 1, 1]; // one good epoch, then bad ones
    assert.deepEqual(pruneSteps({}, values, others(5)), []);
    const later = [1, 1, 1, 5, 1, 1, 1, 1, 1, 1];
    assert.deepEqual(pruneSteps({}, later, others(5)), [0, 1, 2]);
    assert.deepEqual(pruneSteps({}, later.map((v) => -v), others(5).map((t) => ({ ...t, intermediate: t.intermediate.map((v) => -v!) })), 'min'), [0, 1, 2]);
  });

  test('startupTrials: no pruning until that many other trials finished (completed or pruned)', () => {
    assert.deepEqual(pruneSteps({}, low(), others(4)), []);
    assert.deepEqual(pruneSteps({}, low(), others(5, ['pruned', 'pruned', 'completed', 'pruned', 'pruned'])), allButLast);
    // Running and failed trials do not count towards the startup trials...
    const unfinished = others(8, ['completed', 'completed', 'completed', 'completed', 'running', 'failed', 'running', 'running']);
    assert.deepEqual(pruneSteps({}, low(), unfinished), []);
    // ...but once enough have finished, their values count towards the median (pruner.ts: every state).
    const mixed = [...others(5), trial(5, 100, 'running'), trial(6, 100, 'running'), trial(7, 100, 'failed')];
    // 1..5, 100, 100, 100: median 4.5.
    assert.deepEqual(pruneSteps({}, low(4.4), mixed), allButLast);
    assert.deepEqual(pruneSteps({}, low(4.5), mixed), []);
    assert.deepEqual(pruneSteps({ startupTrials: 0 }, low(), others(1)), allButLast);
    assert.deepEqual(pruneSteps({ startupTrials: 2 }, low(), others(2)), allButLast);
  });

  test('warmupEpochs: no pruning before that epoch (0-based)', () => {
    assert.deepEqual(pruneSteps({ warmupEpochs: 3 }, low(), others(5)), [3, 4, 5, 6, 7, 8]);
    assert.deepEqual(pruneSteps({ warmupEpochs: 9 }, low(), others(5)), []); // epoch 9 is the last
  });

  test('intervalEpochs: checks at warmup + k * interval, a missing value postpones the check to the next one', () => {
    assert.deepEqual(pruneSteps({ intervalEpochs: 3 }, low(), others(5)), [0, 3, 6]);
    assert.deepEqual(pruneSteps({ warmupEpochs: 2, intervalEpochs: 3 }, low(), others(5)), [2, 5, 8]);
    const sparse = [0, 0, null, null, 0, 0, 0, null, 0, 0];
    // Checks at 2 (missing: postponed to 4), 5, 8.
    assert.deepEqual(pruneSteps({ warmupEpochs: 2, intervalEpochs: 3 }, sparse, others(5)), [4, 5, 8]);
  });

  test('minTrials: no pruning at an epoch where fewer other trials have a value there', () => {
    const gappy = [trial(0, [1, 1, null, null, 1, 1, 1, 1, 1, 1]), trial(1, [2, 2, 2, null, 2, 2, 2, 2, 2, 2]), trial(2, [3, 3, null, null, null, 3, 3, 3, 3, 3])];
    const finished = [...gappy, trial(3, [], 'pruned'), trial(4, [], 'pruned')];
    assert.deepEqual(pruneSteps({ minTrials: 1 }, low(), finished), [0, 1, 2, 4, 5, 6, 7, 8]);
    assert.deepEqual(pruneSteps({ minTrials: 2 }, low(), finished), [0, 1, 4, 5, 6, 7, 8]);
    assert.deepEqual(pruneSteps({ minTrials: 3 }, low(), finished), [0, 1, 5, 6, 7, 8]);
    assert.deepEqual(pruneSteps({ minTrials: 4 }, low(), finished), []);
  });

  test('NaNs: the others\' are no value; a trial with only NaNs so far is pruned', () => {
    const withNaN = [...others(5), trial(5, NaN), trial(6, NaN)];
    assert.deepEqual(pruneSteps({}, low(2.9), withNaN), allButLast); // median still 3
    assert.deepEqual(pruneSteps({}, low(NaN), others(5)), allButLast);
    assert.deepEqual(pruneSteps({}, [NaN, 10, 10, 10, 10, 10, 10, 10, 10, 10], others(5)), [0]);
  });

  test('reads its settings in any spelling, Optuna\'s names included, and records them', () => {
    const p = prunerFrom({ name: 'Median', n_startup_trials: 2, n_warmup_steps: 4, interval_steps: 2, n_min_trials: 3 });
    assert.deepEqual(p.config(), { name: 'median', startupTrials: 2, warmupEpochs: 4, intervalEpochs: 2, minTrials: 3 });
    assert.deepEqual(prunerFrom('median').config(), { name: 'median', ...defaults });
    assert.throws(() => prunerFrom({ name: 'median', intervalEpochs: 0 }), /intervalEpochs: must be >= 1/);
    assert.throws(() => prunerFrom({ name: 'median', percentile: 25 }), /unknown parameter/);
  });
});
