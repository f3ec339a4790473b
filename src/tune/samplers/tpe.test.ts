// The TPE sampler: its arithmetic (the normal CDF in both tails, truncated-normal quantiles, the Parzen
// estimators against values computed with Optuna 3.1's estimator), the ranking and split of trials (pruned and
// running ones included), the startup trials, and its search: it beats random search on a 1-D quadratic, finds
// the best choice, is symmetric in the direction, keeps away from running trials (constant liar), and, joint,
// does better on a correlated 2-D objective.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../rng.js';
import { toInternal, type Params, type Space } from '../space.js';
import type { Direction, Trial } from '../trial.js';
import { completed, loop, space } from '../../testing/sampler-conformance.js';
import { samplerFrom } from './index.js';
import {
  decompose,
  defaultWeights,
  dimension,
  erfc,
  goodCount,
  logGaussMass,
  logNdtr,
  ParzenEstimator,
  scoredTrials,
  splitTrials,
  truncnormQuantile,
  type TpeSettings,
} from './tpe.js';

const DEFAULTS: TpeSettings = {
  startupTrials: 10,
  eiCandidates: 24,
  priorWeight: 1,
  considerPrior: true,
  considerMagicClip: true,
  considerEndpoints: false,
  gamma: 0.1,
  multivariate: false,
  constantLiar: true,
  normalizedKernels: false,
};

function close(actual: number, expected: number, tolerance: number, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} is not ${expected}`);
}

/** The best value of completed trials. */
function best(trials: readonly Trial[], direction: Direction = 'min'): number {
  const values = trials.filter((t) => t.state === 'completed').map((t) => t.value!);
  return direction === 'min' ? Math.min(...values) : Math.max(...values);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const sampler = (config: string | Record<string, unknown>, seed: number) => samplerFrom(config, seed).sampler;

describe('TPE arithmetic', () => {
  test('erfc and log Phi, far into both tails', () => {
    close(erfc(0.5), 0.4795001221869535, 1e-14, 'erfc(0.5)');
    close(erfc(1), 0.15729920705028513, 1e-14, 'erfc(1)');
    close(erfc(3), 2.209049699858544e-5, 1e-13, 'erfc(3)');
    close(erfc(10) / 2.088487583762545e-45, 1, 1e-13, 'erfc(10)');
    close(erfc(-1), 1.8427007929497148, 1e-14, 'erfc(-1)');
    close(logNdtr(0), Math.log(0.5), 1e-15, 'log Phi(0)');
    close(logNdtr(-40), -804.6084420137538, 1e-13, 'log Phi(-40)');
    close(logNdtr(5), -2.866516129637636e-7, 1e-12, 'log Phi(5)');
    close(Math.exp(logGaussMass(-1, 1)), 0.6826894921370859, 1e-14, 'mass in [-1, 1]');
    close(logGaussMass(30, 31), logGaussMass(-31, -30), 1e-14, 'mass in the right tail');
    assert.equal(logGaussMass(2, 2), -Infinity);
  });

  test('truncated-normal quantiles: inside the bounds, the normal ones when untruncated, monotone', () => {
    close(truncnormQuantile(0.975, -50, 50), 1.959963984540054, 1e-12, 'untruncated 97.5%');
    close(truncnormQuantile(0.5, -1, 1), 0, 1e-12, 'median of a symmetric cut');
    assert.equal(truncnormQuantile(0, -1, 2), -1);
    assert.equal(truncnormQuantile(1, -1, 2), 2);
    let previous = -Infinity;
    for (const u of [1e-9, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-9]) {
      for (const [a, b] of [[-40, -39], [5, 6], [-0.01, 0.01]]) {
        const x = truncnormQuantile(u, a, b);
        assert.ok(x >= a && x <= b, `quantile ${u} of [${a}, ${b}] is ${x}`);
      }
      const x = truncnormQuantile(u, 3, 40);
      assert.ok(x > previous);
      previous = x;
    }
  });

  test("Optuna's default gamma and weights", () => {
    assert.deepEqual([1, 9, 10, 11, 30, 100, 300].map((n) => goodCount(n, 0.1)), [1, 1, 1, 2, 3, 10, 25]);
    assert.equal(goodCount(40, 0.25), 10);
    assert.deepEqual(defaultWeights(0), []);
    assert.deepEqual(defaultWeights(24), new Array(24).fill(1));
    const w = defaultWeights(30);
    assert.equal(w.length, 30);
    [1 / 30, 0.275, 0.516666666667, 0.758333333333, 1].forEach((x, i) => close(w[i], x, 1e-12, `weight ${i}`));
    assert.deepEqual(w.slice(5), new Array(25).fill(1));
  });

  // Reference values: Optuna 3.1's _ParzenEstimator.log_pdf on the same observations and points, with its
  // tie-breaking sort made stable; as Optuna 3.1 has it (the default), and with the continuous density's
  // 1/width factor that Optuna 3.5 added (normalizedKernels).
  test("Parzen estimators' log densities match Optuna's", () => {
    const optuna31: { section: Record<string, unknown>; obs: Params[]; points: Params[]; settings?: Partial<TpeSettings>; expected: number[] }[] = [
      { section: { x: { type: 'float', low: 0, high: 1 } }, obs: [0.1, 0.5, 0.52, 0.9].map((x) => ({ x })), points: [0, 0.3, 0.51, 1].map((x) => ({ x })), expected: [-0.8946657178235587, -0.6248765745877436, -0.5665367089913591, -0.8797534565643121] },
      {
        section: { x: { type: 'float', low: 0, high: 1 } },
        obs: [0.2, 0.25, 0.8].map((x) => ({ x })),
        points: [0, 0.22, 0.5].map((x) => ({ x })),
        settings: { considerPrior: false, considerMagicClip: false, considerEndpoints: true },
        expected: [-0.9658909274312454, -0.6601871345695092, -0.7845119374455459],
      },
    ];
    const normalized: typeof optuna31 = [
      { section: { x: { type: 'float', low: 0, high: 1 } }, obs: [0.1, 0.5, 0.52, 0.9].map((x) => ({ x })), points: [0, 0.3, 0.51, 1].map((x) => ({ x })), expected: [-0.284779507009, 0.046863254745, 0.121816433755, -0.243006524043] },
      { section: { n: { type: 'int', low: 1, high: 10 } }, obs: [2, 2, 7].map((n) => ({ n })), points: [1, 2, 5, 10].map((n) => ({ n })), expected: [-2.103361322155, -2.010999112607, -2.219320496611, -3.126552035383] },
      { section: { c: { type: 'choice', values: ['a', 'b', 'c'] } }, obs: ['a', 'a', 'c'].map((c) => ({ c })), points: ['a', 'b', 'c'].map((c) => ({ c })), expected: [-0.741937344729, -1.658228076604, -1.098612288668] },
      {
        section: { x: { type: 'float', low: 0, high: 1 } },
        obs: [0.2, 0.25, 0.8].map((x) => ({ x })),
        points: [0, 0.22, 0.5].map((x) => ({ x })),
        settings: { considerPrior: false, considerMagicClip: false, considerEndpoints: true },
        expected: [-0.002882536326, 0.364625281248, -0.007034194521],
      },
      {
        section: { x: { type: 'float', low: 1e-3, high: 1, log: true }, n: { type: 'int', low: 1, high: 5 }, c: { type: 'choice', values: ['a', 'b'] } },
        obs: [{ x: 0.01, n: 1, c: 'a' }, { x: 0.5, n: 3, c: 'b' }, { x: 0.02, n: 5, c: 'a' }],
        points: [{ x: 0.015, n: 1, c: 'a' }, { x: 0.9, n: 4, c: 'b' }],
        settings: { multivariate: true },
        expected: [-3.2916993662, -3.774397598823],
      },
      {
        section: { u: { type: 'int', low: 1, high: 1000, log: true }, s: { type: 'float', low: 0, high: 1, step: 0.25 } },
        obs: [{ u: 10, s: 0.25 }, { u: 100, s: 1 }],
        points: [{ u: 1, s: 0 }, { u: 10, s: 0.25 }, { u: 1000, s: 1 }],
        settings: { multivariate: true, priorWeight: 2 },
        expected: [-3.956629010886, -3.365332315933, -3.681182801675],
      },
    ];
    const cases = [...optuna31, ...normalized.map((c) => ({ ...c, settings: { ...c.settings, normalizedKernels: true } }))];
    for (const c of cases) {
      const s = space(c.section);
      const internal = (p: Params) => s.params.map((q) => (q.dist.kind === 'choice' ? q.dist.values.indexOf(p[q.name]) : toInternal(q.dist, p[q.name] as number)));
      const estimator = new ParzenEstimator(s.params.map(dimension), c.obs.map(internal), { ...DEFAULTS, ...c.settings });
      c.points.forEach((p, i) => close(estimator.logPdf(internal(p)), c.expected[i], 1e-9, `${Object.keys(c.section)} at ${JSON.stringify(p)}`));
    }
  });

  test('estimator draws are values of their parameters, concentrated near the observations', () => {
    const s = space({ x: { type: 'float', low: 0, high: 10 }, k: { type: 'int', low: 0, high: 100, step: 5 } });
    const obs = [[2, 20], [2.1, 25], [1.9, 20]];
    const draws = new ParzenEstimator(s.params.map(dimension), obs, { ...DEFAULTS, multivariate: true }).sample(new Rng(1), 400);
    assert.ok(draws.every(([x, k]) => x >= 0 && x <= 10 && k >= 0 && k <= 100 && k % 5 === 0));
    const near = draws.filter(([x]) => Math.abs(x - 2) < 1.5).length / draws.length;
    assert.ok(near > 0.55, `${near} of the draws near the observations`); // the prior is 1 component of 4
  });
});

describe('TPE ranking', () => {
  const t = (number: number, state: Trial['state'], value: number | null, intermediate: (number | null)[] = []): Trial => ({ number, state, params: { x: number / 10 }, value, intermediate });
  const history = [
    t(0, 'completed', 5),
    t(1, 'pruned', 0.1, [0.3, 0.1, null]), // last epoch with a value: 1
    t(2, 'failed', null, [9]),
    t(3, 'completed', 2),
    t(4, 'running', null, [0]),
    t(5, 'pruned', 7, [9, 8, 7]), // 3 epochs: ranked before the pruned trial with 2
    t(6, 'pruned', null, []),
    t(7, 'completed', NaN),
  ];

  test('completed by value, then pruned (more epochs first, then the value at the last one), running last, failed out', () => {
    // The rank order: the trial that each larger good group adds.
    const order = (direction: Direction, liar: boolean) => {
      const scored = scoredTrials(history, direction, liar);
      const out: number[] = [];
      for (let k = 1; k <= scored.length; k++) out.push(splitTrials(scored, k).good.map((s) => s.trial.number).find((n) => !out.includes(n))!);
      return out;
    };
    assert.deepEqual(order('min', true), [3, 0, 5, 1, 6, 4]);
    assert.deepEqual(order('max', true), [0, 3, 5, 1, 6, 4]);
    assert.deepEqual(order('min', false), [3, 0, 5, 1, 6]);
  });

  test('the split: the best into the good group, each group oldest first; running trials are bad', () => {
    const scored = scoredTrials(history, 'min', true);
    const numbers = (n: number) => {
      const { good, bad } = splitTrials(scored, n);
      return [good.map((s) => s.trial.number), bad.map((s) => s.trial.number)];
    };
    assert.deepEqual(numbers(1), [[3], [0, 1, 4, 5, 6]]);
    assert.deepEqual(numbers(3), [[0, 3, 5], [1, 4, 6]]);
    assert.deepEqual(numbers(5), [[0, 1, 3, 5, 6], [4]]);
  });

  test('groups for multivariate TPE: parameters always active together in the finished trials', () => {
    const s = space({
      opt: { type: 'choice', values: ['sgd', 'adam'] },
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
      momentum: { type: 'float', low: 0, high: 0.9, when: { opt: 'sgd' } },
      nesterov: { type: 'bool', when: { opt: 'sgd' } },
      beta: { type: 'float', low: 0.8, high: 0.99, when: { opt: 'adam' } },
      one: { type: 'choice', values: ['only'] },
      never: { type: 'float', low: 0, high: 1, when: { opt: 'adam' } },
    });
    const trials = [
      completed(0, { opt: 'sgd', lr: 0.1, momentum: 0.5, nesterov: true, one: 'only' }, 1),
      completed(1, { opt: 'adam', lr: 0.01, beta: 0.9, one: 'only' }, 1),
    ];
    const names = (groups: { name: string }[][]) => groups.map((g) => g.map((p) => p.name));
    assert.deepEqual(names(decompose(s, trials)), [['opt', 'lr'], ['momentum', 'nesterov'], ['beta']]);
    assert.deepEqual(names(decompose(s, trials.slice(0, 1))), [['opt', 'lr', 'momentum', 'nesterov']]);
    assert.deepEqual(decompose(s, []), []);
  });
});

describe('TPE search', () => {
  const unit = space({ x: { type: 'float', low: 0, high: 1 } });
  const quadratic = (p: Params) => ((p.x as number) - 0.3) ** 2;

  test('the startup trials are the random sampler\'s; running trials do not count towards them', () => {
    const random = loop(sampler('random', 5), unit, quadratic, 12, 'min').suggestions;
    const tpe = loop(sampler({ name: 'tpe', n_startup_trials: 10 }, 5), unit, quadratic, 12, 'min');
    assert.deepEqual(tpe.suggestions.slice(0, 10), random.slice(0, 10));
    assert.notDeepEqual(tpe.suggestions.slice(10), random.slice(10));
    const nine = tpe.trials.slice(0, 9);
    const running = [9, 10, 11].map((number): Trial => ({ number, state: 'running', params: { x: 0.5 }, value: null, intermediate: [] }));
    const ctx = { number: 12, direction: 'min' as const, trials: [...nine, ...running] };
    assert.deepEqual(sampler('tpe', 5).suggest(unit, ctx), sampler('random', 5).suggest(unit, ctx));
  });

  test("settings in Optuna's spellings, recorded with the defaults and the seed", () => {
    assert.deepEqual(sampler('tpe', 5).config(), { name: 'tpe', ...DEFAULTS, seed: 5 });
    const optuna = { name: 'TPE', n_startup_trials: 3, n_ei_candidates: 8, prior_weight: 2, consider_magic_clip: false, constant_liar: false, seed: 11 };
    const expected = { ...DEFAULTS, startupTrials: 3, eiCandidates: 8, priorWeight: 2, considerMagicClip: false, constantLiar: false };
    assert.deepEqual(sampler(optuna, 5).config(), { name: 'tpe', ...expected, seed: 11 });
    assert.throws(() => sampler({ name: 'tpe', gamma: 0 }, 5), /gamma: must be > 0/);
  });

  test('beats random search on a 1-D quadratic (minimum at 0.3): the median best of 40 trials over 5 seeds', () => {
    const bests = (config: string) => [1, 2, 3, 4, 5].map((seed) => best(loop(sampler(config, seed), unit, quadratic, 40, 'min').trials));
    const tpe = median(bests('tpe'));
    const random = median(bests('random'));
    assert.ok(tpe < random, `TPE's median best ${tpe} is not below random search's ${random}`);
  });

  test('finds the best of four choices and picks it most of the time after the startup trials', () => {
    const s = space({ opt: { type: 'choice', values: ['sgd', 'adam', 'rmsprop', 'adagrad'] }, x: { type: 'float', low: 0, high: 1 } });
    const objective = (p: Params) => (p.opt === 'adam' ? 0 : 1) + 0.1 * (p.x as number);
    for (const seed of [1, 2, 3]) {
      const after = loop(sampler('tpe', seed), s, objective, 40, 'min').suggestions.slice(10);
      const adam = after.filter((p) => p!.opt === 'adam').length;
      assert.ok(adam >= 18, `seed ${seed}: adam in ${adam} of the 30 trials after the startup`);
    }
  });

  test("direction max is min's mirror: maximising -f suggests exactly what minimising f does", () => {
    for (const config of ['tpe', { name: 'tpe', multivariate: true }]) {
      const min = loop(sampler(config, 9), unit, quadratic, 25, 'min');
      const max = loop(sampler(config, 9), unit, (p) => -quadratic(p), 25, 'max');
      assert.deepEqual(max.suggestions, min.suggestions);
      assert.ok(best(max.trials, 'max') > -1e-3);
    }
  });

  test('constant liar: with 5 running trials at its suggestion, the next suggestion is elsewhere', () => {
    for (const s of [unit, space({ x: { type: 'int', low: 0, high: 100 } })]) {
      const objective = s === unit ? quadratic : (p: Params) => ((p.x as number) - 30) ** 2;
      const history = loop(sampler('tpe', 3), s, objective, 20, 'min').trials;
      const ctx = { number: 25, direction: 'min' as const, trials: history };
      const first = sampler('tpe', 3).suggest(s, ctx)!;
      const running = [20, 21, 22, 23, 24].map((number): Trial => ({ number, state: 'running', params: first, value: null, intermediate: [] }));
      const next = sampler('tpe', 3).suggest(s, { ...ctx, trials: [...history, ...running] })!;
      assert.notEqual(next.x, first.x, `the next suggestion is again ${JSON.stringify(first)}`);
      // Without the liar, running trials are not seen: the same point again.
      const blind = sampler({ name: 'tpe', constantLiar: false }, 3);
      assert.deepEqual(blind.suggest(s, { ...ctx, trials: [...history, ...running] }), blind.suggest(s, ctx));
    }
  });

  // (Which of the two is ahead on this valley depends on the seeds and the kernels' normalisation: bench/tune.ts
  // compares them with Optuna's over 20 seeds.)
  test('multivariate and independent TPE both find a correlated 2-D valley far better than random search', () => {
    const s = space({ x: { type: 'float', low: -1, high: 1 }, y: { type: 'float', low: -1, high: 1 } });
    const valley = (p: Params) => 20 * ((p.x as number) - (p.y as number)) ** 2 + ((p.x as number) + (p.y as number) - 0.5) ** 2;
    const medianBest = (config: string | Record<string, unknown>) => median([1, 2, 3, 4, 5].map((seed) => best(loop(sampler(config, seed), s, valley, 40, 'min').trials)));
    const joint = medianBest({ name: 'tpe', multivariate: true });
    const independent = medianBest('tpe');
    const random = medianBest('random');
    assert.ok(joint < random / 5 && independent < random / 5, `median bests: multivariate ${joint}, independent ${independent}, random ${random}`);
  });

  test('conditional parameters: each fit on the trials where it was active, the better branch found', () => {
    const s: Space = space({
      opt: { type: 'choice', values: ['sgd', 'adam'] },
      momentum: { type: 'float', low: 0, high: 1, when: { opt: 'sgd' } },
      beta: { type: 'float', low: 0, high: 1, when: { opt: 'adam' } },
    });
    const objective = (p: Params) => (p.opt === 'sgd' ? ((p.momentum as number) - 0.9) ** 2 : 0.5 + ((p.beta as number) - 0.5) ** 2);
    for (const config of ['tpe', { name: 'tpe', multivariate: true }]) {
      const { trials } = loop(sampler(config, 4), s, objective, 40, 'min');
      const late = trials.slice(20);
      assert.ok(late.filter((t) => t.params.opt === 'sgd').length >= 12, `${JSON.stringify(config)}: sgd in ${late.filter((t) => t.params.opt === 'sgd').length} of 20`);
      assert.ok(best(trials) < 0.01, `${JSON.stringify(config)}: best ${best(trials)}`);
    }
  });
});
