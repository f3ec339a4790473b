// The random sampler: uniform in each parameter's internal scale (a log float's log, each value of an int,
// stepped float or choice equally likely, both ends of an int range reached), conditional parameters drawn
// only where active, and suggestions that depend only on (seed, trial number).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Params } from '../space.js';
import { completed, space } from '../../testing/sampler-conformance.js';
import { samplerFrom } from './index.js';

/** `n` suggestions for trials 0..n-1 with no history (a random sampler needs none). */
function draws(section: Record<string, unknown>, n: number, seed = 1): Params[] {
  const { sampler } = samplerFrom('random', seed);
  const s = space(section);
  return Array.from({ length: n }, (_, number) => sampler.suggest(s, { number, direction: 'min', trials: [] })!);
}

/** Pearson's chi-square statistic of `counts` against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
}

/** How many of `values` fall in each of `bins` equal bins of [low, high). */
function histogram(values: number[], low: number, high: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v - low) / (high - low)) * bins))]++;
  return counts;
}

// Critical values of chi-square at p = 0.001 (9 and 5 degrees of freedom); the draws are seeded, so a pass is a pass.
const CHI2_9 = 27.88;
const CHI2_5 = 20.52;

test('a log float is log-uniform: its log10 falls evenly in ten bins, and stays inside the bounds', () => {
  const xs = draws({ lr: { type: 'float', low: 1e-5, high: 1e-1, log: true } }, 3000).map((p) => p.lr as number);
  assert.ok(xs.every((x) => x >= 1e-5 && x <= 1e-1));
  const counts = histogram(xs.map(Math.log10), -5, -1, 10);
  assert.ok(chiSquare(counts) < CHI2_9, `log10 bins ${counts}`);
  // Uniform on the value itself would put 90% above 0.01; log-uniform puts a quarter there.
  const above = xs.filter((x) => x > 0.01).length / xs.length;
  assert.ok(Math.abs(above - 0.25) < 0.03, `fraction above 0.01: ${above}`);
});

test('a float is uniform, a stepped float and a stepped int give each value equally often (the ends too)', () => {
  const ps = draws({ x: { type: 'float', low: -2, high: 3 }, s: { type: 'float', low: 0, high: 0.5, step: 0.1 }, b: { type: 'int', low: 32, high: 192, step: 32 } }, 3000);
  assert.ok(chiSquare(histogram(ps.map((p) => p.x as number), -2, 3, 10)) < CHI2_9);
  const stepped = [0, 0.1, 0.2, 0.3, 0.4, 0.5].map((v) => ps.filter((p) => p.s === v).length);
  assert.equal(stepped.reduce((a, b) => a + b, 0), 3000, 'every stepped value is exactly one of low + k * step');
  assert.ok(chiSquare(stepped) < CHI2_5, `stepped float counts ${stepped}`);
  const batches = [32, 64, 96, 128, 160, 192].map((v) => ps.filter((p) => p.b === v).length);
  assert.equal(batches.reduce((a, b) => a + b, 0), 3000);
  assert.ok(chiSquare(batches) < CHI2_5, `stepped int counts ${batches}`);
});

test('an int reaches both bounds, each value equally often; a log int is uniform in the log of its widened range', () => {
  const ps = draws({ n: { type: 'int', low: 1, high: 6 }, u: { type: 'int', low: 1, high: 32, log: true } }, 3000);
  const counts = [1, 2, 3, 4, 5, 6].map((v) => ps.filter((p) => p.n === v).length);
  assert.equal(counts.reduce((a, b) => a + b, 0), 3000);
  assert.ok(counts[0] > 0 && counts[5] > 0);
  assert.ok(chiSquare(counts) < CHI2_5, `int counts ${counts}`);
  const us = ps.map((p) => p.u as number);
  assert.ok(us.every((u) => Number.isInteger(u) && u >= 1 && u <= 32));
  assert.ok(us.includes(1) && us.includes(32), 'both bounds of the log int reached');
  // P(u = 1) = log(1.5 / 0.5) / log(32.5 / 0.5) = 0.263: far more than a plain int's 1/32.
  const ones = us.filter((u) => u === 1).length / us.length;
  assert.ok(Math.abs(ones - Math.log(3) / Math.log(65)) < 0.03, `P(u = 1) = ${ones}`);
});

test('choices (lists and objects) and bools: every value equally often', () => {
  const values = [[32], [64, 32], { conv: 3 }, 'none'];
  const ps = draws({ arch: { type: 'choice', values }, bn: { type: 'bool' } }, 2000);
  const counts = values.map((v) => ps.filter((p) => JSON.stringify(p.arch) === JSON.stringify(v)).length);
  assert.equal(counts.reduce((a, b) => a + b, 0), 2000);
  assert.ok(chiSquare(counts) < 16.27, `choice counts ${counts}`); // 3 degrees of freedom
  const trues = ps.filter((p) => p.bn === true).length;
  assert.ok(Math.abs(trues - 1000) < 100, `true ${trues} of 2000`);
});

test('conditional parameters are drawn only where their conditions hold, two levels deep', () => {
  const ps = draws(
    {
      act: { type: 'choice', values: ['relu', 'leakyRelu', 'elu'] },
      alpha: { type: 'float', low: 0.01, high: 0.5, when: { act: ['leakyRelu', 'elu'] } },
      mode: { type: 'choice', values: ['fixed', 'learned'], when: { act: 'leakyRelu' } },
      init: { type: 'float', low: 0, high: 1, when: { mode: 'learned' } },
    },
    1200,
  );
  for (const p of ps) {
    assert.equal('alpha' in p, p.act !== 'relu');
    assert.equal('mode' in p, p.act === 'leakyRelu');
    assert.equal('init' in p, p.mode === 'learned');
  }
  const deep = ps.filter((p) => 'init' in p).length / ps.length;
  assert.ok(Math.abs(deep - 1 / 6) < 0.04, `init active in ${deep} of the trials`);
});

test('a suggestion depends only on the seed and the trial number', () => {
  const s = space({ x: { type: 'float', low: 0, high: 1 }, c: { type: 'choice', values: ['a', 'b', 'c'] } });
  const a = samplerFrom('random', 7).sampler;
  const history = [completed(0, { x: 0.5, c: 'a' }, 1), completed(1, { x: 0.1, c: 'b' }, 0)];
  const at = (sampler: typeof a, number: number, trials = history) => sampler.suggest(s, { number, direction: 'min', trials });
  assert.deepEqual(at(a, 2), at(a, 2, []));
  assert.deepEqual(at(a, 2), samplerFrom({ name: 'random' }, 7).sampler.suggest(s, { number: 2, direction: 'max', trials: [] }));
  assert.notDeepEqual(at(a, 2), at(a, 3));
  assert.notDeepEqual(at(a, 2), at(samplerFrom('random', 8).sampler, 2));
  // A `seed` setting replaces the study's seed.
  assert.deepEqual(at(samplerFrom({ name: 'random', seed: 7 }, 123).sampler, 2), at(a, 2));
  assert.deepEqual(a.config(), { name: 'random', seed: 7 });
});
