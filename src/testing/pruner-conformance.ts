// The conformance suite every pruner must pass (conformance.test.ts runs it for each registered pruner, with
// default and other settings): never at the budget's last epoch; pure (the same answer twice, from a fresh
// instance too, inputs untouched); no pruning without other trials' values; the best trial is never pruned;
// with enough history a trial worse than every other at every epoch is pruned by some epoch (a pruner that
// never prunes says so); max and min mirror each other; nulls and NaNs in intermediate values are tolerated;
// config() reads back through the registry to the same settings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Direction, Trial, TrialState } from '../tune/trial.js';
import { Rng } from '../tune/rng.js';
import { prunerFrom } from '../tune/pruners/index.js';
import type { PruneContext, Pruner } from '../tune/pruners/pruner.js';

/** What the suite expects of a pruner beyond the contract. */
export interface PrunerExpectations {
  /** It prunes a clearly worse trial given enough history (false for 'none'). */
  prunes: boolean;
}

const EPOCHS = 20;
const HISTORY = 30;

/** A learning curve rising towards `level`, the same shape for every trial, so curves of different levels never cross. */
function curve(level: number, epochs = EPOCHS): number[] {
  return Array.from({ length: epochs }, (_, e) => level * (1 - 0.5 * 0.8 ** e));
}

/**
 * A study's history for direction max: HISTORY trials with levels 0.3..0.88 in shuffled number order, most
 * completed, a few pruned (curves cut short) and running (partial), one failed; `nulls` blanks that share
 * of the values at random.
 */
export function history(seed = 1, nulls = 0): Trial[] {
  const rng = new Rng(seed);
  const levels = Array.from({ length: HISTORY }, (_, i) => 0.3 + 0.02 * i);
  for (let i = levels.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [levels[i], levels[j]] = [levels[j], levels[i]];
  }
  return levels.map((level, number) => {
    const state: TrialState = number % 7 === 3 ? 'pruned' : number === HISTORY - 1 ? 'running' : number === 11 ? 'failed' : 'completed';
    const length = state === 'completed' ? EPOCHS : 4 + rng.int(EPOCHS - 4);
    const intermediate: (number | null)[] = curve(level, length).map((v) => (rng.uniform() < nulls ? null : v));
    const finite = intermediate.filter((v): v is number => v !== null);
    return { number, state, params: { x: level }, value: state === 'failed' || state === 'running' ? null : finite.length ? Math.max(...finite) : null, intermediate };
  });
}

/** Trial `number` while running, its values known up to `step`. */
function running(number: number, values: readonly (number | null)[], step: number): Trial {
  return { number, state: 'running', params: {}, value: null, intermediate: values.slice(0, step + 1) };
}

/** The trials with every value negated: the same study for direction min. */
function mirrored(trials: readonly Trial[]): Trial[] {
  return trials.map((t) => ({ ...t, value: t.value === null ? null : -t.value, intermediate: t.intermediate.map((v) => (v === null ? null : -v)) }));
}

/** The steps (below the last) at which `pruner` prunes trial `number` with curve `values` against `trials`. */
function pruneSteps(pruner: Pruner, number: number, values: readonly (number | null)[], trials: readonly Trial[], direction: Direction = 'max'): number[] {
  const ctx: PruneContext = { direction, trials, maxEpochs: EPOCHS };
  const out: number[] = [];
  for (let step = 0; step < values.length; step++) {
    if (values[step] === null) continue;
    if (pruner.shouldPrune(running(number, values, step), step, ctx)) out.push(step);
  }
  return out;
}

/** Registers the suite for one pruner; `create` makes a fresh instance with the settings under test. */
export function prunerConformance(title: string, create: () => Pruner, expect: PrunerExpectations): void {
  describe(`Pruner conformance: ${title}`, () => {
    const worst = curve(0.1);
    const best = curve(1);
    const middle = curve(0.59);

    test('never prunes at the last epoch of the budget, even the worst trial', () => {
      const pruner = create();
      const trials = history();
      for (const direction of ['max', 'min'] as const) {
        const values = direction === 'max' ? worst : worst.map((v) => -v);
        const t = running(HISTORY, values, EPOCHS - 1);
        const ctx = { direction, trials: direction === 'max' ? trials : mirrored(trials), maxEpochs: EPOCHS };
        assert.equal(pruner.shouldPrune(t, EPOCHS - 1, ctx), false);
      }
      // A budget of one epoch: its only epoch is the last.
      assert.equal(pruner.shouldPrune(running(HISTORY, worst, 0), 0, { direction: 'max', trials, maxEpochs: 1 }), false);
    });

    test('pure: the same answer twice and from a fresh instance, its inputs untouched', () => {
      const pruner = create();
      const trials = history(2, 0.1);
      const before = structuredClone(trials);
      const rng = new Rng(7);
      const noisy = curve(0.5).map((v) => v + 0.3 * (rng.uniform() - 0.5));
      for (const values of [worst, best, middle, noisy]) {
        const once = pruneSteps(pruner, HISTORY, values, trials);
        assert.deepEqual(pruneSteps(pruner, HISTORY, values, trials), once);
        assert.deepEqual(pruneSteps(create(), HISTORY, values, trials), once);
      }
      // Any trial of the study, asked about in any order, with the others as context.
      for (const t of [...trials].reverse()) {
        const others = trials.filter((o) => o.number !== t.number);
        assert.deepEqual(pruneSteps(pruner, t.number, t.intermediate, others), pruneSteps(create(), t.number, t.intermediate, others));
      }
      assert.deepEqual(trials, before);
    });

    test('never prunes when no other trial has a value', () => {
      const pruner = create();
      const blank = history().map((t) => ({ ...t, intermediate: t.intermediate.map(() => null) }));
      for (const trials of [[], blank]) {
        for (const direction of ['max', 'min'] as const) assert.deepEqual(pruneSteps(pruner, HISTORY, worst, trials, direction), []);
      }
    });

    test('never prunes the trial that is best at every epoch', () => {
      const pruner = create();
      for (const seed of [1, 2, 3]) {
        assert.deepEqual(pruneSteps(pruner, HISTORY, best, history(seed)), []);
        assert.deepEqual(pruneSteps(pruner, HISTORY + seed, best.map((v) => -v), mirrored(history(seed)), 'min'), []);
      }
    });

    test(expect.prunes ? 'prunes a trial worse than all 30 others at every epoch, by some epoch' : 'never prunes, even the worst trial', () => {
      const pruner = create();
      // Several trial numbers, so that a pruner that groups trials by number (Hyperband) is seen in each group.
      for (let number = HISTORY; number < HISTORY + 12; number++) {
        const steps = pruneSteps(pruner, number, worst, history());
        if (expect.prunes) assert.ok(steps.length > 0, `trial ${number} was never pruned`);
        else assert.deepEqual(steps, []);
      }
    });

    test('max and min mirror each other: negated values get the same answers', () => {
      const pruner = create();
      const trials = history(4);
      const rng = new Rng(9);
      for (let k = 0; k < 8; k++) {
        const values = curve(0.1 + 0.1 * k).map((v) => v + 0.1 * (rng.uniform() - 0.5));
        const number = HISTORY + k;
        const max = pruneSteps(pruner, number, values, trials, 'max');
        assert.deepEqual(pruneSteps(pruner, number, values.map((v) => -v), mirrored(trials), 'min'), max);
        if (k === 0 && expect.prunes) assert.ok(max.length > 0);
      }
    });

    test('tolerates nulls and NaNs in the intermediate values, its own and the others', () => {
      const pruner = create();
      const trials = history(5, 0.3);
      trials[0].intermediate[2] = NaN;
      trials[5].intermediate[0] = NaN;
      const rng = new Rng(11);
      for (let number = HISTORY; number < HISTORY + 12; number++) {
        const values = worst.map((v, e) => (e > 0 && e < EPOCHS - 1 && rng.uniform() < 0.3 ? null : v));
        const steps = pruneSteps(pruner, number, values, trials);
        assert.ok(!steps.includes(EPOCHS - 1));
        if (expect.prunes) assert.ok(steps.length > 0, `trial ${number} was never pruned`);
        else assert.deepEqual(steps, []);
        for (const step of pruneSteps(pruner, number, best, trials)) assert.fail(`the best trial was pruned at ${step}`);
      }
    });

    test('config() names it and reads back through the registry to the same settings', () => {
      const config = create().config();
      assert.equal(config.name, create().name);
      assert.deepEqual(JSON.parse(JSON.stringify(config)), config);
      assert.deepEqual(prunerFrom(config).config(), config);
    });
  });
}
