// Initializers: same seed -> same numbers as torch.nn.init where the distribution is the same; statistics of
// large draws where it is not (the truncated normals); fans, shapes, reproducibility, orthogonality, configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tidy, type Tensor } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { closeness, runTorch } from '../testing/torch-oracle.js';
import { computeFans, initializer, INITIALIZER_NAMES, type InitializerConfig } from './initializers.js';

/** Mean, unbiased std, min and max of a tensor, computed in float64. */
function stats(w: Tensor): { n: number; mean: number; std: number; min: number; max: number } {
  return tidy(() => {
    const d = w.to('float64').flatten(0, -1);
    return { n: d.size, mean: ops.mean(d).item(), std: ops.std(d, [0]).item(), min: ops.min(d).item(), max: ops.max(d).item() };
  });
}

/**
 * Asserts that a sample's mean and std match within 5 standard errors for its size: SE(mean) = σ/√n and
 * SE(std) ≈ σ·√((κ−1)/(4n)), with the kurtosis κ = 3 of the normal (the largest of the distributions here).
 */
function assertMoments(label: string, s: ReturnType<typeof stats>, mean: number, std: number): void {
  const seMean = std / Math.sqrt(s.n);
  const seStd = std * Math.sqrt(2 / (4 * s.n));
  assert.ok(Math.abs(s.mean - mean) <= 5 * seMean, `${label}: mean ${s.mean} vs ${mean} (±${5 * seMean})`);
  assert.ok(Math.abs(s.std - std) <= 5 * seStd, `${label}: std ${s.std} vs ${std} (±${5 * seStd})`);
}

const DENSE = [300, 400];
const CONV = [64, 32, 3, 3];

test('fans follow torch.nn.init for dense and conv weights in PyTorch layout', () => {
  const shapes = [[20, 50], [8, 3, 3, 3], [16, 4, 5, 2], [7, 1]];
  const torchFans = runTorch<number[][]>(
    'output = [list(torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(s))) for s in input]',
    shapes,
  );
  shapes.forEach((s, i) => {
    const { fanIn, fanOut } = computeFans(s);
    assert.deepEqual([fanIn, fanOut], torchFans[i], `shape [${s}]`);
  });
  assert.deepEqual(computeFans([20, 50]), { fanIn: 50, fanOut: 20 });
  assert.deepEqual(computeFans([5]), { fanIn: 5, fanOut: 5 });
  assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1 });
});

test('with the same seed, draws equal torch.nn.init where the distribution is the same', () => {
  const cases: { config: InitializerConfig; shape: number[]; torch: string }[] = [
    { config: 'glorotUniform', shape: DENSE, torch: 'torch.nn.init.xavier_uniform_(w)' },
    { config: 'xavier_uniform', shape: CONV, torch: 'torch.nn.init.xavier_uniform_(w)' },
    { config: 'heUniform', shape: CONV, torch: "torch.nn.init.kaiming_uniform_(w, nonlinearity='relu')" },
    { config: 'lecunUniform', shape: DENSE, torch: "torch.nn.init.kaiming_uniform_(w, nonlinearity='linear')" },
    { config: { name: 'varianceScaling', scale: 1, mode: 'fan_avg', distribution: 'untruncated_normal' }, shape: CONV, torch: 'torch.nn.init.xavier_normal_(w)' },
    { config: { name: 'variance_scaling', scale: 2, mode: 'fanOut', distribution: 'untruncatedNormal' }, shape: CONV, torch: "torch.nn.init.kaiming_normal_(w, mode='fan_out', nonlinearity='relu')" },
    { config: { name: 'randomNormal', mean: 0.5, stddev: 2 }, shape: DENSE, torch: 'torch.nn.init.normal_(w, 0.5, 2.0)' },
    { config: { name: 'randomUniform', minval: -3, maxval: 1 }, shape: [1000], torch: 'torch.nn.init.uniform_(w, -3.0, 1.0)' },
    { config: { name: 'orthogonal', gain: 1.5 }, shape: [40, 25], torch: 'torch.nn.init.orthogonal_(w, 1.5)' },
    { config: 'orthogonal', shape: [6, 3, 2, 2], torch: 'torch.nn.init.orthogonal_(w)' },
  ];
  const expected = runTorch<number[][]>(
    `
output = []
for c in input:
    torch.manual_seed(c['seed'])
    w = torch.empty(c['shape'])
    eval(c['expr'])
    output.append(w.flatten().tolist())
`,
    cases.map((c, i) => ({ seed: 100 + i, shape: c.shape, expr: c.torch })),
  );
  cases.forEach((c, i) =>
    tidy(() => {
      manualSeed(100 + i);
      const w = initializer(c.config).init(c.shape);
      assert.deepEqual(w.shape, c.shape);
      assert.equal(w.dtype, 'float32');
      const err = closeness(w.toNumbers(), expected[i], 1e-5, 1e-6);
      assert.ok(err <= 1, `${JSON.stringify(c.config)} on [${c.shape}]: closeness ${err}`);
    }),
  );
});

test("truncated normals: Keras's redraw beyond 2 stddev, with the variance of torch's formulas", () => {
  // The std each initializer must have, from torch.nn.init's own formulas for the same shape.
  const torchStd = runTorch<Record<string, number>>(
    `
def fans(s):
    return torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(s))
fi, fo = fans(input['conv'])
di, do = fans(input['dense'])
output = {
    'glorotNormal': torch.nn.init.calculate_gain('linear') * math.sqrt(2.0 / (fi + fo)),
    'heNormal': torch.nn.init.calculate_gain('relu') / math.sqrt(di),
    'lecunNormal': torch.nn.init.calculate_gain('linear') / math.sqrt(fi),
    'fanOut3': math.sqrt(3.0 / do),
}
`,
    { conv: CONV, dense: DENSE },
  );
  const cases: { config: InitializerConfig; shape: number[]; mean: number; std: number }[] = [
    { config: { name: 'truncatedNormal', mean: 1, stddev: 0.5 }, shape: [200_000], mean: 1, std: 0.5 },
    { config: 'glorotNormal', shape: CONV, mean: 0, std: torchStd.glorotNormal },
    { config: 'kaiming_normal', shape: DENSE, mean: 0, std: torchStd.heNormal },
    { config: 'lecunNormal', shape: CONV, mean: 0, std: torchStd.lecunNormal },
    { config: { name: 'varianceScaling', scale: 3, mode: 'fanOut' }, shape: DENSE, mean: 0, std: torchStd.fanOut3 },
  ];
  manualSeed(3);
  for (const c of cases) {
    const label = JSON.stringify(c.config);
    const s = tidy(() => stats(initializer(c.config).init(c.shape)));
    // truncatedNormal(mean, stddev) is N(mean, stddev) cut at ±2 stddev: its std is 0.8796·stddev. The
    // variance-scaling ones widen the normal by 1/0.8796 first, so their std is the formula's.
    const sigma = c.config === cases[0].config ? c.std * 0.87962566103423978 : c.std;
    const cut = c.config === cases[0].config ? 2 * c.std : (2 * c.std) / 0.87962566103423978;
    assertMoments(label, s, c.mean, sigma);
    assert.ok(s.min >= c.mean - cut - 1e-6 && s.max <= c.mean + cut + 1e-6, `${label}: within ±2 stddev`);
    assert.ok(s.max > c.mean + 0.98 * cut && s.min < c.mean - 0.98 * cut, `${label}: reaches the cut (not narrower)`);
  }
});

test('uniform and normal draws have the moments and bounds asked for', () => {
  manualSeed(11);
  const n = 100_000;
  const cases: { config: InitializerConfig; shape: number[]; mean: number; std: number; bound?: [number, number] }[] = [
    { config: 'randomUniform', shape: [n], mean: 0, std: 0.1 / Math.sqrt(12), bound: [-0.05, 0.05] },
    { config: { name: 'random_uniform', minval: 2, maxval: 5 }, shape: [n], mean: 3.5, std: 3 / Math.sqrt(12), bound: [2, 5] },
    { config: 'randomNormal', shape: [n], mean: 0, std: 0.05 },
    { config: 'glorot_uniform', shape: DENSE, mean: 0, std: Math.sqrt(2 / 700), bound: [-Math.sqrt(6 / 700), Math.sqrt(6 / 700)] },
    { config: 'he_uniform', shape: CONV, mean: 0, std: Math.sqrt(2 / 288), bound: [-Math.sqrt(6 / 288), Math.sqrt(6 / 288)] },
  ];
  for (const c of cases) {
    const label = JSON.stringify(c.config);
    const s = tidy(() => stats(initializer(c.config).init(c.shape)));
    assertMoments(label, s, c.mean, c.std);
    if (c.bound) {
      const [lo, hi] = c.bound;
      const w = hi - lo;
      assert.ok(s.min >= lo - 1e-6 && s.max <= hi + 1e-6, `${label}: within [${lo}, ${hi}]`);
      assert.ok(s.min < lo + 0.001 * w && s.max > hi - 0.001 * w, `${label}: fills [${lo}, ${hi}]`);
    }
  }
});

test('orthogonal: WᵀW = gain²·I for tall weights, WWᵀ = gain²·I for wide ones (conv weights flattened)', () => {
  manualSeed(5);
  const cases = [
    { shape: [30, 12], gain: 1 },
    { shape: [5, 20], gain: 2 },
    { shape: [8, 4, 3, 3], gain: Math.SQRT2 },
    { shape: [40, 2, 2, 2], gain: 0.5 },
  ];
  for (const { shape, gain } of cases) {
    tidy(() => {
      const w = initializer({ name: 'orthogonal', gain }).init(shape);
      assert.deepEqual(w.shape, shape);
      const m = ops.reshape(w, [shape[0], -1]).to('float64');
      const small = ops.mm(m.size / shape[0] <= shape[0] ? ops.t(m) : m, m.size / shape[0] <= shape[0] ? m : ops.t(m));
      const k = small.shape[0];
      const eye = ops.mul(ops.eye(k, 'float64'), gain * gain);
      const err = ops.max(ops.abs(ops.sub(small, eye))).item();
      assert.ok(err < 1e-5 * gain * gain, `orthogonal [${shape}] gain ${gain}: max |G - gain²I| = ${err}`);
    });
  }
  assert.throws(() => initializer('orthogonal').init([7]), ShapeError);
});

test('zeros, ones, constant; exact shapes and dtypes; same seed, same draws; no tensors left behind', () => {
  tidy(() => {
    assert.deepEqual(initializer('zeros').init([2, 3]).toNumbers(), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(initializer('Ones').init([3]).toNumbers(), [1, 1, 1]);
    assert.deepEqual(initializer({ name: 'constant', value: 0.25 }).init([2, 1, 2]).toNumbers(), [0.25, 0.25, 0.25, 0.25]);
    assert.equal(initializer('heNormal').init([4, 3], 'float64').dtype, 'float64');
    assert.deepEqual(initializer('heNormal').init([4, 3, 2, 1]).shape, [4, 3, 2, 1]);
    assert.deepEqual(initializer('glorotUniform').init([0, 3]).shape, [0, 3]);
  });
  const before = liveTensors().tensors;
  for (const name of INITIALIZER_NAMES) {
    const shape = [6, 5, 2, 2];
    const [a, b, c] = tidy(() => {
      manualSeed(42);
      const a = initializer(name).init(shape).toNumbers();
      manualSeed(42);
      const b = initializer(name).init(shape).toNumbers();
      manualSeed(43);
      const c = initializer(name).init(shape).toNumbers();
      return [a, b, c];
    });
    assert.deepEqual(a, b, `${name}: same seed, same draws`);
    const random = !['zeros', 'ones', 'constant'].includes(name);
    assert.equal(a.some((v, i) => v !== c[i]), random, `${name}: another seed ${random ? 'changes' : 'keeps'} the draws`);
  }
  assert.equal(liveTensors().tensors, before);
  const w = initializer('truncatedNormal').init([50_000]);
  assert.equal(liveTensors().tensors, before + 1);
  w.dispose();
  assert.equal(liveTensors().tensors, before);
});

test('initializer configs: Keras and PyTorch names, round trips, errors naming the field', () => {
  assert.equal(initializer('glorot_uniform').name, 'glorotUniform');
  assert.equal(initializer('GlorotNormal').name, 'glorotNormal');
  assert.equal(initializer('xavierNormal').name, 'glorotNormal');
  assert.equal(initializer('kaiming_uniform').name, 'heUniform');
  assert.equal(initializer('he_normal').name, 'heNormal');
  assert.deepEqual(initializer({ name: 'variance_scaling', mode: 'fan_avg', distribution: 'uniform' }).getConfig(), {
    name: 'varianceScaling',
    scale: 1,
    mode: 'fanAvg',
    distribution: 'uniform',
  });
  assert.deepEqual(initializer('truncated_normal').getConfig(), { name: 'truncatedNormal', mean: 0, stddev: 0.05 });
  for (const name of INITIALIZER_NAMES) {
    const c = initializer(name).getConfig();
    assert.deepEqual(initializer(JSON.parse(JSON.stringify(c))).getConfig(), c);
  }
  assert.throws(
    () => initializer('glorot_unifrom', 'model.layers[0].kernelInitializer'),
    (e: unknown) => e instanceof ConfigError && /^model\.layers\[0\]\.kernelInitializer: unknown initializer 'glorot_unifrom' \(did you mean 'glorotUniform'\?\); valid: zeros, ones/.test(e.message),
  );
  assert.throws(() => initializer({ name: 'varianceScaling', mode: 'fan_sum' }, 'k'), /k\.mode: unknown value 'fan_sum'.*valid: fanIn, fanOut, fanAvg/);
  assert.throws(() => initializer({ name: 'varianceScaling', scale: 0 }, 'k'), /k\.scale: must be > 0/);
  assert.throws(() => initializer({ name: 'randomNormal', stddev: -1 }, 'k'), /k\.stddev: must be >= 0/);
  assert.throws(() => initializer({ name: 'randomUniform', minval: 1, maxval: 0 }, 'k'), /k\.minval: minval \(1\) must not exceed maxval \(0\)/);
  assert.throws(() => initializer({ name: 'glorotUniform', seed: 1 }, 'k'), /k\.seed: unknown parameter of initializer 'glorotUniform'/);
  assert.throws(() => initializer('zeros').init([2, -1]), ShapeError);
});
