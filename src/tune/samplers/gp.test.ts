// Tests of the Gaussian-process sampler: the kernel, marginal likelihood, its gradient and the posterior
// against values computed here (by hand, by finite differences) and by PyTorch in float64 (the repo's test
// oracle; scikit-learn is not installed); the encoding; the startup phase; optimisation on a 1-D quadratic
// and on Branin; choices and conditional parameters; direction; determinism; parallel (running) trials;
// failed and pruned trials; the settings; and the time of one suggestion with 100 trials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { activeParams, contains, type Params, type Space } from '../space.js';
import type { Direction, Trial } from '../trial.js';
import { runTorch } from '../../testing/torch-oracle.js';
import { samplerFrom } from './index.js';
import { sampleSpace } from './random.js';
import type { Sampler } from './sampler.js';
import {
  conditionGp,
  decode,
  encode,
  encoding,
  erfc,
  kernelMatrix,
  logExpectedImprovement,
  logMarginalLikelihood,
  matern52,
  minimizeInBox,
  predict,
  suggestGp,
  type GpSettings,
} from './gp.js';

// ---- helpers ------------------------------------------------------------------------------------------------

const DEFAULTS: GpSettings = { initialPoints: null, acquisition: 'ucb', beta: 2.6, xi: 0.01, alpha: 1e-4, restarts: 5, candidates: 1000 };

function float(name: string, low: number, high: number, extra: { log?: boolean; step?: number | null } = {}): Space['params'][number] {
  return { name, dist: { kind: 'float', low, high, log: extra.log ?? false, step: extra.step ?? null }, when: [] };
}

function trial(number: number, params: Params, value: number | null, state: Trial['state'] = 'completed'): Trial {
  return { number, state, params, value, intermediate: [] };
}

/** A GP sampler from the registry (so the settings go through engine/fields.ts). */
function gpSampler(seed: number, settings: Record<string, unknown> = {}): Sampler {
  return samplerFrom({ name: 'gp', ...settings }, seed).sampler;
}

/** Runs `count` sequential trials of `f`, each suggestion checked valid; returns the trials. */
function optimise(sampler: Sampler, space: Space, f: (p: Params) => number, count: number, direction: Direction = 'min'): Trial[] {
  const trials: Trial[] = [];
  for (let i = 0; i < count; i++) {
    const params = sampler.suggest(space, { number: i, direction, trials })!;
    assertValid(space, params);
    trials.push(trial(i, params, f(params)));
  }
  return trials;
}

function assertValid(space: Space, params: Params): void {
  const names = activeParams(space, params).map((p) => p.name);
  assert.deepEqual(Object.keys(params).sort(), [...names].sort(), `keys of ${JSON.stringify(params)}`);
  for (const p of activeParams(space, params)) assert.ok(contains(p.dist, params[p.name]), `${p.name}=${JSON.stringify(params[p.name])}`);
}

function bestOf(trials: Trial[], direction: Direction = 'min'): Trial {
  return trials.reduce((a, b) => ((direction === 'min' ? b.value! < a.value! : b.value! > a.value!) ? b : a));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol * (1 + Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

const unit: Space = { params: [float('x', 0, 1)], fixed: [] };
const quadratic = (p: Params): number => ((p.x as number) - 0.3) ** 2;

function branin(p: Params): number {
  const x1 = p.x1 as number;
  const x2 = p.x2 as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}
const braninSpace: Space = { params: [float('x1', -5, 10), float('x2', 0, 15)], fixed: [] };

// ---- the model ----------------------------------------------------------------------------------------------

test('matern52: 1 at distance 0, and (1 + √5 r + 5r²/3) e^(−√5 r) at r = 0.5, 1, 2', () => {
  assert.equal(matern52(0), 1);
  // Values from Python's math module.
  close(matern52(0.5), 0.8286491424181253, 1e-14, 'r=0.5');
  close(matern52(1), 0.5239941088318203, 1e-14, 'r=1');
  close(matern52(2), 0.13866021913850426, 1e-14, 'r=2');
  // The kernel matrix: variance times the correlation of the scaled distance, alpha on the diagonal.
  const theta = [Math.log(0.5), Math.log(2), Math.log(3)]; // length scales 0.5 and 2, variance 3
  const k = kernelMatrix(Float64Array.from([0, 0, 0.5, 2]), 2, 2, theta, 0.01);
  close(k[0], 3.01, 1e-15, 'k00');
  close(k[1], 3 * matern52(Math.sqrt(1 + 1)), 1e-14, 'k01'); // (0.5/0.5)² + (2/2)²
  assert.equal(k[1], k[2]);
});

test('a 2-point posterior and its marginal likelihood match the closed form by hand', () => {
  // Points 0 and 1 in 1-D, length scale 0.7, variance 1.5, noise 0.01; y = [1, −0.5].
  const ell = 0.7;
  const s2 = 1.5;
  const a = 0.01;
  const y = [1, -0.5];
  const theta = [Math.log(ell), Math.log(s2)];
  const gp = conditionGp(Float64Array.from([0, 1]), 2, 1, y, theta, a)!;
  const c = s2 * matern52(1 / ell);
  const d = s2 + a;
  const det = d * d - c * c;
  // K⁻¹ = [[d, −c], [−c, d]] / det.
  const kinvY = [(d * y[0] - c * y[1]) / det, (-c * y[0] + d * y[1]) / det];
  for (const z of [0, 0.25, 0.5, 1, 1.7]) {
    const ks = [s2 * matern52(Math.abs(z) / ell), s2 * matern52(Math.abs(z - 1) / ell)];
    const mean = ks[0] * kinvY[0] + ks[1] * kinvY[1];
    const quad = (d * ks[0] * ks[0] - 2 * c * ks[0] * ks[1] + d * ks[1] * ks[1]) / det;
    const p = predict(gp, [z]);
    close(p.mean, mean, 1e-12, `mean at ${z}`);
    close(p.std, Math.sqrt(s2 - quad), 1e-9, `std at ${z}`);
  }
  const lml = -0.5 * (y[0] * kinvY[0] + y[1] * kinvY[1]) - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
  close(logMarginalLikelihood(Float64Array.from([0, 1]), 2, 1, y, theta, a).value, lml, 1e-12, 'log marginal likelihood');
});

test('the marginal likelihood gradient matches central finite differences', () => {
  const rng = new Rng(5);
  const n = 9;
  const dim = 3;
  const x = Float64Array.from({ length: n * dim }, () => rng.uniform());
  const y = Float64Array.from({ length: n }, () => rng.normal());
  const theta = [Math.log(0.4), Math.log(1.3), Math.log(0.2), Math.log(0.8)];
  const { grad } = logMarginalLikelihood(x, n, dim, y, theta, 1e-3);
  for (let j = 0; j <= dim; j++) {
    const h = 1e-5;
    const up = theta.map((t, k) => (k === j ? t + h : t));
    const down = theta.map((t, k) => (k === j ? t - h : t));
    const fd = (logMarginalLikelihood(x, n, dim, y, up, 1e-3, false).value - logMarginalLikelihood(x, n, dim, y, down, 1e-3, false).value) / (2 * h);
    close(grad![j], fd, 1e-6, `d/dtheta[${j}]`);
  }
});

test('kernel, marginal likelihood, its gradient and the posterior match PyTorch (float64, autograd)', () => {
  const rng = new Rng(6);
  const n = 12;
  const dim = 3;
  const x = Array.from({ length: n * dim }, () => rng.uniform());
  const y = Array.from({ length: n }, () => rng.normal());
  const z = Array.from({ length: 5 * dim }, () => rng.uniform());
  const theta = [Math.log(0.3), Math.log(0.9), Math.log(2.5), Math.log(1.7)];
  const alpha = 1e-3;
  const oracle = runTorch<{ k: number[]; lml: number; grad: number[]; mean: number[]; std: number[] }>(
    `
torch.set_default_dtype(torch.float64)
n, dim = input['n'], input['dim']
X = torch.tensor(input['x']).reshape(n, dim)
Z = torch.tensor(input['z']).reshape(-1, dim)
y = torch.tensor(input['y'])
th = torch.tensor(input['theta'], requires_grad=True)
ls, var = torch.exp(th[:dim]), torch.exp(th[dim])
def kern(A, B):
    r2 = (((A[:, None, :] - B[None, :, :]) / ls) ** 2).sum(-1)
    r = torch.sqrt(torch.clamp(r2, min=1e-300))
    a = math.sqrt(5) * r
    return var * (1 + a + a * a / 3) * torch.exp(-a)
K = kern(X, X) + input['alpha'] * torch.eye(n)
L = torch.linalg.cholesky(K)
w = torch.cholesky_solve(y[:, None], L)[:, 0]
lml = -0.5 * (y @ w) - torch.log(torch.diagonal(L)).sum() - 0.5 * n * math.log(2 * math.pi)
lml.backward()
with torch.no_grad():
    Ks = kern(Z, X)
    mean = Ks @ w
    v = torch.linalg.solve_triangular(L, Ks.T, upper=False)
    std = torch.sqrt(var - (v * v).sum(0))
output = {'k': K.detach().flatten().tolist(), 'lml': lml.item(), 'grad': th.grad.tolist(), 'mean': mean.tolist(), 'std': std.tolist()}
`,
    { n, dim, x, y, z, theta, alpha },
  );
  const xa = Float64Array.from(x);
  const k = kernelMatrix(xa, n, dim, theta, alpha);
  oracle.k.forEach((v, i) => close(k[i], v, 1e-12, `K[${i}]`));
  const lik = logMarginalLikelihood(xa, n, dim, y, theta, alpha);
  close(lik.value, oracle.lml, 1e-10, 'log marginal likelihood');
  oracle.grad.forEach((g, j) => close(lik.grad![j], g, 1e-8, `gradient ${j}`));
  const gp = conditionGp(xa, n, dim, y, theta, alpha)!;
  for (let i = 0; i < 5; i++) {
    const p = predict(gp, z.slice(i * dim, (i + 1) * dim));
    close(p.mean, oracle.mean[i], 1e-9, `mean ${i}`);
    close(p.std, oracle.std[i], 1e-7, `std ${i}`);
  }
});

test('minimizeInBox: a quadratic\'s minimum inside the box, and on its face when the free one lies outside', () => {
  // f = ½ xᵀAx − bᵀx, A = [[2, 0.5], [0.5, 1]]: the minimum is A⁻¹b.
  const quadratic2 = (b: number[]) => (x: Float64Array) => ({
    value: 0.5 * (2 * x[0] * x[0] + x[0] * x[1] + x[1] * x[1]) - b[0] * x[0] - b[1] * x[1],
    grad: Float64Array.from([2 * x[0] + 0.5 * x[1] - b[0], 0.5 * x[0] + x[1] - b[1]]),
  });
  const inside = minimizeInBox(quadratic2([1, 0.5]), [0.9, -0.9], [-1, -1], [1, 1], 50);
  close(inside.x[0], 0.75 / 1.75, 1e-6, 'x0');
  close(inside.x[1], 0.5 / 1.75, 1e-6, 'x1');
  // A⁻¹b = (3.14, −0.57) is outside [−1, 1]²: x0 stops at 1, and x1 minimises f(1, x1): x1 = 1 − 0.5.
  const face = minimizeInBox(quadratic2([6, 1]), [0, 0], [-1, -1], [1, 1], 50);
  assert.equal(face.x[0], 1);
  close(face.x[1], 0.5, 1e-6, 'x1 on the face');
});

test('expected improvement: the closed form for moderate z, continuous into its far-tail series', () => {
  // erfc against known values (Abramowitz & Stegun tables).
  close(erfc(0), 1, 1e-7, 'erfc(0)');
  close(erfc(1), 0.157299207050285, 1e-6, 'erfc(1)');
  close(erfc(-1), 1.842700792949715, 1e-7, 'erfc(-1)');
  close(erfc(3), 2.209049699858544e-5, 1e-6, 'erfc(3)');
  // EI = (best − xi − μ) Φ(z) + σ φ(z), by numerical integration of max(gap − σt, 0) φ(t) dt.
  const numeric = (mean: number, std: number, best: number, xi: number): number => {
    let s = 0;
    const h = 1e-4;
    for (let t = -12; t < 12; t += h) s += Math.max(best - xi - (mean + std * t), 0) * Math.exp(-0.5 * t * t) * h;
    return s / Math.sqrt(2 * Math.PI);
  };
  for (const [mean, std] of [[0, 1], [0.5, 0.3], [-0.2, 2], [1.5, 0.4]]) {
    close(Math.exp(logExpectedImprovement(mean, std, 0.1, 0.01)), numeric(mean, std, 0.1, 0.01), 1e-5, `EI(${mean}, ${std})`);
  }
  // Across z = −6 (closed form on one side, series on the other) the log stays continuous and decreasing.
  const at = (z: number): number => logExpectedImprovement(-z, 1, 0, 0);
  assert.ok(Math.abs(at(-6 + 1e-9) - at(-6 - 1e-9)) < 1e-3, `${at(-6 + 1e-9)} vs ${at(-6 - 1e-9)}`);
  assert.ok(at(-10) < at(-6) && at(-30) < at(-10) && Number.isFinite(at(-30)));
  // No uncertainty: the plain improvement, or nothing.
  assert.equal(logExpectedImprovement(-1, 0, 0, 0), 0);
  assert.equal(logExpectedImprovement(1, 0, 0, 0), -Infinity);
});

// ---- the encoding -------------------------------------------------------------------------------------------

const mixed: Space = {
  params: [
    { name: 'kind', dist: { kind: 'choice', values: ['a', 'b', 'c'] }, when: [] },
    { name: 'x', dist: { kind: 'float', low: 0, high: 1, log: false, step: null }, when: [{ param: 'kind', values: ['a'] }] },
    { name: 'n', dist: { kind: 'int', low: 1, high: 10, log: false, step: 1 }, when: [{ param: 'kind', values: ['b'] }] },
    { name: 'lr', dist: { kind: 'float', low: 1e-4, high: 1e-1, log: true, step: null }, when: [] },
    { name: 'drop', dist: { kind: 'float', low: 0, high: 0.5, log: false, step: 0.1 }, when: [] },
  ],
  fixed: [],
};

test('encoding: one-hot choices, log and widened bounds in [0, 1], inactive parameters at fixed values; decode inverts it', () => {
  const enc = encoding(mixed);
  assert.equal(enc.dim, 3 + 1 + 1 + 1 + 1);
  const z = encode(enc, { kind: 'b', n: 1, lr: 1e-4, drop: 0.5 });
  // kind = b; x inactive at 0.5; n = 1 half a step in from the widened low end: 0.5 / 10; lr at its low end;
  // drop = 0.5 half a step in from the widened high end.
  const expected = [0, 1, 0, 0.5, 0.05, 0, 1 - 0.05 / 0.6];
  expected.forEach((e, i) => close(z[i], e, 1e-12, `z[${i}]`));
  for (const p of [{ kind: 'a', x: 0.37, lr: 0.003, drop: 0.2 }, { kind: 'b', n: 7, lr: 0.05, drop: 0 }, { kind: 'c', lr: 1e-4, drop: 0.5 }]) {
    const back = decode(enc, encode(enc, p));
    assert.deepEqual(Object.keys(back).sort(), Object.keys(p).sort());
    for (const [k, v] of Object.entries(p)) {
      if (typeof v === 'number') close(back[k] as number, v, 1e-12, k);
      else assert.equal(back[k], v);
    }
  }
  // Decoding applies the conditions: x only under a, n only under b; numbers are rounded to their distribution.
  const d = decode(enc, [0.1, 0.2, 0.9, 0.66, 0.33, 0.5, 0.52]);
  assert.deepEqual(Object.keys(d).sort(), ['drop', 'kind', 'lr']);
  assert.equal(d.kind, 'c');
  assertValid(mixed, d);
});

// ---- the sampler --------------------------------------------------------------------------------------------

test('startup: until initialPoints trials have finished, suggestions are the random sampler\'s', () => {
  const space: Space = { params: [float('x', 0, 1), float('y', -2, 2)], fixed: [] }; // 6 random trials by default
  const trials: Trial[] = [];
  for (let i = 0; i < 5; i++) {
    const p = sampleSpace(space, new Rng(17, i));
    assert.deepEqual(suggestGp(space, { number: i, direction: 'min', trials }, DEFAULTS, 17), p, `trial ${i}`);
    trials.push(trial(i, p, (p.x as number) + (p.y as number)));
  }
  // Failed and running trials, and pruned trials without a value, do not count as finished.
  const extra = [trial(5, { x: 0.1, y: 0.1 }, null, 'failed'), trial(6, { x: 0.2, y: 0.2 }, null, 'running'), trial(7, { x: 0.3, y: 0.3 }, null, 'pruned')];
  assert.deepEqual(suggestGp(space, { number: 8, direction: 'min', trials: [...trials, ...extra] }, DEFAULTS, 17), sampleSpace(space, new Rng(17, 8)));
  // The sixth finished trial (here a pruned one with a value) hands over to the GP.
  const sixth = [...trials, trial(5, { x: 0.5, y: 0 }, 0.5, 'pruned')];
  assert.notDeepEqual(suggestGp(space, { number: 6, direction: 'min', trials: sixth }, DEFAULTS, 17), sampleSpace(space, new Rng(17, 6)));
  // initialPoints as set.
  const two = suggestGp(space, { number: 5, direction: 'min', trials }, { ...DEFAULTS, initialPoints: 2 }, 17);
  assert.notDeepEqual(two, sampleSpace(space, new Rng(17, 5)));
});

test('1-D quadratic, 20 trials: the best is within 0.02 of 0.3 for most seeds, and beats random search', () => {
  const gpBest: number[] = [];
  const randomBest: number[] = [];
  let near = 0;
  for (let seed = 0; seed < 5; seed++) {
    const trials = optimise(gpSampler(seed), unit, quadratic, 20);
    const best = bestOf(trials);
    if (Math.abs((best.params.x as number) - 0.3) < 0.02) near++;
    gpBest.push(best.value!);
    randomBest.push(Math.min(...Array.from({ length: 20 }, (_, i) => quadratic(sampleSpace(unit, new Rng(seed, i))))));
  }
  assert.ok(near >= 4, `${near} of 5 seeds within 0.02 (best values ${gpBest.map((v) => v.toExponential(2)).join(', ')})`);
  assert.ok(median(gpBest) < median(randomBest) / 10, `GP median best ${median(gpBest)} vs random ${median(randomBest)}`);
});

test('1-D quadratic with expected improvement: the best is within 0.02 of 0.3 for most seeds', () => {
  let near = 0;
  for (let seed = 0; seed < 5; seed++) {
    const best = bestOf(optimise(gpSampler(seed, { acquisition: 'ei' }), unit, quadratic, 20));
    if (Math.abs((best.params.x as number) - 0.3) < 0.02) near++;
  }
  assert.ok(near >= 4, `${near} of 5 seeds within 0.02`);
});

test('Branin (2-D), 30 trials: the median best over 3 seeds is below 0.6 (the optimum is 0.398)', (t) => {
  const bests = [0, 1, 2].map((seed) => bestOf(optimise(gpSampler(seed), braninSpace, branin, 30)).value!);
  t.diagnostic(`Branin best per seed: ${bests.map((b) => b.toFixed(4)).join(', ')}`);
  assert.ok(median(bests) < 0.6, `median best ${median(bests)} (${bests.join(', ')})`);
  assert.ok(Math.min(...bests) >= 0.3978, 'no value below the optimum');
});

test('choices and conditional parameters: every suggestion valid, and the best branch found', () => {
  const f = (p: Params): number => {
    const lr = Math.log10(p.lr as number) + 2; // best at 0.01
    const drop = (p.drop as number) - 0.2;
    if (p.kind === 'a') return ((p.x as number) - 0.7) ** 2 + 0.1 * lr * lr + drop * drop;
    if (p.kind === 'b') return 0.3 + 0.05 * Math.abs((p.n as number) - 3) + 0.1 * lr * lr;
    return 1;
  };
  for (const seed of [0, 1]) {
    const trials = optimise(gpSampler(seed), mixed, f, 40);
    const best = bestOf(trials);
    assert.equal(best.params.kind, 'a', `seed ${seed}: ${JSON.stringify(best.params)}`);
    assert.ok(best.value! < 0.02, `seed ${seed}: best ${best.value} at ${JSON.stringify(best.params)}`);
    // The GP explored the other branches too, with their own parameters.
    assert.ok(trials.some((t) => t.params.kind === 'b' && typeof t.params.n === 'number'));
  }
});

test('direction max: the same suggestion as minimising the negated objective, and the maximum found', () => {
  const trials = optimise(gpSampler(3), unit, (p) => -quadratic(p), 20, 'max');
  const best = bestOf(trials, 'max');
  assert.ok(Math.abs((best.params.x as number) - 0.3) < 0.02, `best x ${best.params.x}`);
  const negated = trials.map((t) => ({ ...t, value: -t.value! }));
  const sampler = gpSampler(3);
  assert.deepEqual(sampler.suggest(unit, { number: 20, direction: 'max', trials }), sampler.suggest(unit, { number: 20, direction: 'min', trials: negated }));
});

test('deterministic: the same seed and trials (in any order) give the same suggestion; another seed another', () => {
  const trials = optimise(gpSampler(4), braninSpace, branin, 12);
  const ctx = { number: 12, direction: 'min' as const, trials };
  const a = gpSampler(4).suggest(braninSpace, ctx);
  assert.deepEqual(gpSampler(4).suggest(braninSpace, ctx), a);
  assert.deepEqual(gpSampler(4).suggest(braninSpace, { ...ctx, trials: [...trials].reverse() }), a);
  assert.notDeepEqual(gpSampler(5).suggest(braninSpace, ctx), a);
});

test('parallel workers: a batch proposed with the others running spreads out, and taken values are never proposed', () => {
  const trials = optimise(gpSampler(0), braninSpace, branin, 10);
  const sampler = gpSampler(0);
  const batch: Trial[] = [];
  for (let w = 0; w < 4; w++) {
    const params = sampler.suggest(braninSpace, { number: 10 + w, direction: 'min', trials: [...trials, ...batch] })!;
    batch.push(trial(10 + w, params, null, 'running'));
  }
  // Each pair at least 5% of the ranges apart (both ranges are 15 wide).
  for (let i = 0; i < batch.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [batch[i].params, batch[j].params] as Record<string, number>[];
      const d = Math.hypot(a.x1 - b.x1, a.x2 - b.x2) / 15;
      assert.ok(d > 0.05, `workers ${j} and ${i}: ${JSON.stringify(b)} and ${JSON.stringify(a)}`);
    }
  }

  // A small discrete space: the best value is running, so another one is proposed; taken values never are.
  const ints: Space = { params: [{ name: 'k', dist: { kind: 'int', low: 0, high: 20, log: false, step: 1 } , when: [] }], fixed: [] };
  const g = (p: Params): number => ((p.k as number) - 7) ** 2;
  const done = [0, 3, 10, 14, 20, 5].map((k, i) => trial(i, { k }, g({ k })));
  const pick = sampler.suggest(ints, { number: 6, direction: 'min', trials: done })!;
  assert.ok(!done.some((t) => t.params.k === pick.k), `proposed a taken value ${pick.k}`);
  const withRunning = [...done, trial(6, pick, null, 'running')];
  const next = sampler.suggest(ints, { number: 7, direction: 'min', trials: withRunning })!;
  assert.ok(!withRunning.some((t) => t.params.k === next.k), `proposed a taken value ${next.k}`);
});

test('failed trials count for nothing; a pruned trial counts by its value', () => {
  const trials = optimise(gpSampler(6), braninSpace, branin, 10);
  const sampler = gpSampler(6);
  const base = sampler.suggest(braninSpace, { number: 12, direction: 'min', trials });
  const failed = [trial(10, { x1: 1, x2: 2 }, null, 'failed'), trial(11, { x1: 3, x2: 4 }, Number.NaN, 'completed')];
  assert.deepEqual(sampler.suggest(braninSpace, { number: 12, direction: 'min', trials: [...trials, ...failed] }), base);
  // A pruned trial with a value is an observation like a completed one: one beside the suggestion moves it.
  const near = { x1: (base!.x1 as number) * 0.98, x2: (base!.x2 as number) * 0.98 };
  const pruned = trial(10, near, 0.5, 'pruned');
  const withPruned = sampler.suggest(braninSpace, { number: 12, direction: 'min', trials: [...trials, pruned] });
  assert.deepEqual(withPruned, sampler.suggest(braninSpace, { number: 12, direction: 'min', trials: [...trials, { ...pruned, state: 'completed' }] }));
  assert.notDeepEqual(withPruned, base);
});

test('objectives too large to standardise: a valid random suggestion instead of the GP\'s', () => {
  const trials = [0.1, 0.5, 0.9, 0.3].map((x, i) => trial(i, { x }, (i % 2 ? 1 : -1) * 1.7e308));
  const params = gpSampler(1).suggest(unit, { number: 4, direction: 'min', trials })!;
  assertValid(unit, params);
});

test('settings: defaults, any spelling, and the config the study records', () => {
  assert.deepEqual(gpSampler(9).config(), { name: 'gp', seed: 9, ...DEFAULTS });
  const s = samplerFrom({ name: 'gp', num_initial_points: 4, acquisition: 'EI', n_restarts_optimizer: 3, candidates: 200, seed: 1 }, 9).sampler;
  assert.deepEqual(s.config(), { ...DEFAULTS, name: 'gp', seed: 1, initialPoints: 4, acquisition: 'ei', restarts: 3, candidates: 200 });
  assert.throws(() => samplerFrom({ name: 'gp', acquisition: 'pi' }, 0), /acquisition/);
  assert.throws(() => samplerFrom({ name: 'gp', beta: -1 }, 0), /beta/);
  // A space without parameters: nothing to choose.
  assert.deepEqual(gpSampler(0).suggest({ params: [], fixed: [] }, { number: 0, direction: 'min', trials: [] }), {});
});

test('time: one suggestion with 100 finished trials of 5 parameters', (t) => {
  const space: Space = { params: [0, 1, 2, 3, 4].map((i) => float(`p${i}`, 0, 1)), fixed: [] };
  const rng = new Rng(8);
  const f = (p: Params): number => Object.values(p).reduce<number>((s, v, i) => s + ((v as number) - 0.1 * (i + 1)) ** 2 + 0.1 * Math.sin(7 * (v as number)), 0);
  const trials = Array.from({ length: 100 }, (_, i) => {
    const p = sampleSpace(space, rng);
    return trial(i, p, f(p));
  });
  const sampler = gpSampler(1);
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    assertValid(space, sampler.suggest(space, { number: 100 + r, direction: 'min', trials })!);
    times.push(performance.now() - start);
  }
  t.diagnostic(`ms per suggestion at 100 trials, 5 parameters: ${times.map((x) => x.toFixed(0)).join(', ')}`);
  // Generous, for a loaded machine: it measures about 0.12 s.
  assert.ok(median(times) < 1500, `median ${median(times)} ms`);
});
