// Losses: values and gradients against PyTorch (extreme logits included), Keras's clamping and weighting,
// shapes, configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { loss, LOSS_NAMES, type LossConfig } from './losses.js';

interface Data {
  shape: number[];
  values: number[];
  dtype?: 'float32' | 'int64';
}
interface Case {
  label: string;
  config: LossConfig;
  x: Data;
  y: Data;
  w?: Data;
  /** PyTorch's value of the batch loss, over x, y (and w). */
  torch: string;
}

const rand = seededRandom(2024);
const N = 6;
const C = 4;
/** Logits with ±100 in the first row(s); the targets below make some of them confidently wrong. */
const logits = (shape: number[]): Data => {
  const values = randomValues(rand, shape.reduce((a, b) => a * b), -4, 4);
  values[0] = 100;
  values[1] = -100;
  if (values.length > 8) values[shape[shape.length - 1] + 2] = -100;
  return { shape, values };
};
const probs = (shape: number[], lo = 0.05, hi = 0.95): Data => ({ shape, values: randomValues(rand, shape.reduce((a, b) => a * b), lo, hi) });
const labels = (n: number, c: number, shape = [n]): Data => ({ shape, values: Array.from({ length: n }, (_, i) => (i * 7 + 3) % c), dtype: 'int64' });
const oneHot = (n: number, c: number): Data => ({
  shape: [n, c],
  values: labels(n, c).values.flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0))),
});
const bits = (shape: number[]): Data => ({ shape, values: Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => (i * 5) % 3 === 0 ? 1 : 0) });
const weights: Data = { shape: [N], values: [1, 0.5, 2, 0, 3, 1.5] };
/** Rows of probabilities that sum to 1. */
const distributions = (n: number, c: number): Data => {
  const raw = probs([n, c], 0.05, 1).values;
  return { shape: [n, c], values: raw.map((v, i) => v / raw.slice(i - (i % c), i - (i % c) + c).reduce((a, b) => a + b)) };
};
/** Keras's normalise-and-clamp of probabilities, written in PyTorch. */
const logq = 'torch.log((x / x.sum(-1, keepdim=True)).clamp(1e-7, 1 - 1e-7))';

const cases: Case[] = [
  { label: 'bce probabilities', config: 'binary_crossentropy', x: probs([N]), y: bits([N]), torch: 'F.binary_cross_entropy(x, y)' },
  { label: 'bce probabilities, soft targets', config: 'binaryCrossentropy', x: probs([N, 1]), y: probs([N, 1], 0, 1), torch: 'F.binary_cross_entropy(x, y)' },
  { label: 'bce probabilities [N, 1] with targets [N]', config: 'binaryCrossentropy', x: probs([N, 1]), y: bits([N]), torch: 'F.binary_cross_entropy(x, y.reshape(-1, 1))' },
  { label: 'bce multi-label [N, 3]', config: 'binaryCrossentropy', x: probs([N, 3]), y: bits([N, 3]), torch: 'F.binary_cross_entropy(x, y)' },
  { label: 'bce logits ±100', config: { name: 'binaryCrossentropy', fromLogits: true }, x: logits([N]), y: { shape: [N], values: [0, 1, 1, 0, 1, 0] }, torch: 'F.binary_cross_entropy_with_logits(x, y)' },
  { label: 'bce logits, weighted', config: { name: 'binaryCrossentropy', from_logits: true }, x: logits([N, 1]), y: { shape: [N, 1], values: [0, 0, 1, 1, 0, 1] }, w: weights, torch: "(F.binary_cross_entropy_with_logits(x, y, reduction='none').flatten() * w).sum() / x.shape[0]" },
  { label: 'cce logits ±100', config: { name: 'categoricalCrossentropy', fromLogits: true }, x: logits([N, C]), y: oneHot(N, C), torch: 'F.cross_entropy(x, y)' },
  { label: 'cce logits, soft targets', config: { name: 'categorical_crossentropy', fromLogits: true }, x: logits([N, C]), y: distributions(N, C), torch: 'F.cross_entropy(x, y)' },
  { label: 'cce probabilities', config: 'categoricalCrossentropy', x: distributions(N, C), y: oneHot(N, C), torch: `-(y * ${logq}).sum(-1).mean()` },
  { label: 'cce probabilities vs nll_loss', config: 'categoricalCrossentropy', x: distributions(N, C), y: oneHot(N, C), torch: 'F.nll_loss(torch.log(x / x.sum(-1, keepdim=True)), y.argmax(-1))' },
  { label: 'sparse logits ±100', config: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, x: logits([N, C]), y: labels(N, C), torch: 'F.cross_entropy(x, y)' },
  { label: 'sparse logits, weighted', config: { name: 'sparse_categorical_crossentropy', fromLogits: true }, x: logits([N, C]), y: labels(N, C), w: weights, torch: "(F.cross_entropy(x, y, reduction='none') * w).sum() / x.shape[0]" },
  { label: 'sparse logits, labels [N, 1] as floats', config: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, x: logits([N, C]), y: { ...labels(N, C), shape: [N, 1], dtype: 'float32' }, torch: 'F.cross_entropy(x, y.long().flatten())' },
  { label: 'sparse logits [2, 3, C] (per-position classes)', config: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, x: logits([2, 3, C]), y: labels(6, C, [2, 3]), torch: 'F.cross_entropy(x.permute(0, 2, 1), y)' },
  { label: 'sparse probabilities', config: 'sparseCategoricalCrossentropy', x: distributions(N, C), y: labels(N, C), torch: `F.nll_loss(${logq}, y)` },
  { label: 'cce logits with class labels (one-hot encoded)', config: { name: 'categoricalCrossentropy', fromLogits: true }, x: logits([N, C]), y: labels(N, C), torch: 'F.cross_entropy(x, y)' },
  { label: 'cce probabilities with class labels [N, 1]', config: 'categoricalCrossentropy', x: distributions(N, C), y: labels(N, C, [N, 1]), torch: `F.nll_loss(${logq}, y.flatten())` },
  { label: 'bce [N, 2] with class labels', config: 'binaryCrossentropy', x: probs([N, 2]), y: labels(N, 2), torch: 'F.binary_cross_entropy(x, F.one_hot(y, 2).float())' },
  { label: 'mse [N, C] with class labels', config: 'mse', x: probs([N, C], 0, 1), y: labels(N, C), torch: 'F.mse_loss(x, F.one_hot(y, 4).float())' },
  { label: 'mse', config: 'meanSquaredError', x: probs([N, 3], -2, 2), y: probs([N, 3], -2, 2), torch: 'F.mse_loss(x, y)' },
  { label: 'mse [N] vs [N, 1], weighted', config: 'mse', x: probs([N], -2, 2), y: probs([N, 1], -2, 2), w: weights, torch: "(F.mse_loss(x, y.flatten(), reduction='none') * w).sum() / x.shape[0]" },
];

const make = (d: Data): Tensor => tensor(Float64Array.from(d.values), d.shape, d.dtype ?? 'float32');

test('losses agree with PyTorch in value and gradient, and stay finite at logits ±100', () => {
  const expected = runTorch<{ loss: number; grad: number[] }[]>(
    `
def make(d):
    return torch.tensor(d['values'], dtype=torch.float64).to(torch.int64 if d.get('dtype') == 'int64' else torch.float32).reshape(d['shape'])
output = []
for c in input:
    x = make(c['x']).requires_grad_(True)
    y = make(c['y'])
    w = make(c['w']) if c.get('w') else None
    l = eval(c['torch'])
    l.backward()
    output.append({'loss': l.item(), 'grad': x.grad.flatten().tolist()})
`,
    cases,
  );
  const before = liveTensors().tensors;
  const failures: string[] = [];
  cases.forEach((c, i) =>
    tidy(() => {
      const x = make(c.x).requiresGrad_();
      const l = loss(c.config).compute(x, make(c.y), c.w && make(c.w));
      assert.deepEqual(l.shape, [], `${c.label}: a scalar`);
      l.backward();
      const grad = x.grad!.toNumbers();
      if (!Number.isFinite(l.item()) || !grad.every(Number.isFinite)) failures.push(`${c.label}: not finite`);
      if (closeness([l.item()], [expected[i].loss], 1e-5, 1e-6) > 1) failures.push(`${c.label}: loss ${l.item()} vs ${expected[i].loss}`);
      const err = closeness(grad, expected[i].grad, 1e-4, 1e-6);
      if (err > 1) failures.push(`${c.label}: gradient (closeness ${err.toFixed(2)})`);
    }),
  );
  assert.deepEqual(failures, []);
  assert.equal(liveTensors().tensors, before);
});

test("probabilities at exactly 0 and 1 are clamped by Keras's epsilon: finite loss and gradient", () => {
  tidy(() => {
    const p = tensor([0, 1, 1, 0]).requiresGrad_();
    const l = loss('binaryCrossentropy').compute(p, tensor([1, 0, 1, 0]));
    l.backward();
    // Wrong and certain: −log(1e-7) = 16.118 for p = 0, −log(1 − float32(1 − 1e-7)) = 15.942 for p = 1; right: ~0.
    assert.ok(Math.abs(l.item() - (16.118 + 15.942) / 4) < 0.01, `bce ${l.item()}`);
    assert.ok(p.grad!.toNumbers().every(Number.isFinite));
    const q = tensor([[1, 0, 0], [0, 0, 1]]).requiresGrad_();
    const s = loss('sparseCategoricalCrossentropy').compute(q, tensor([1, 2], undefined, 'int64'));
    s.backward();
    assert.ok(Math.abs(s.item() - -Math.log(1e-7) / 2) < 0.01, `sparse ${s.item()}`);
    assert.ok(q.grad!.toNumbers().every(Number.isFinite));
  });
});

test("sample weights follow Keras: Σ wᵢ·lossᵢ / N, not renormalised by Σw", () => {
  tidy(() => {
    const mse = loss('mse');
    // Losses 1 and 9; weights 1 and 0.5: (1 + 4.5) / 2 (PyTorch's weighted mean would give 5.5 / 1.5).
    assert.equal(mse.compute(tensor([1, 3]), tensor([0, 0]), tensor([1, 0.5])).item(), 2.75);
    assert.equal(mse.compute(tensor([1, 3]), tensor([0, 0])).item(), 5);
    assert.equal(mse.compute(tensor([1, 3]), tensor([0, 0]), tensor([[1], [1]])).item(), 5);
  });
});

test('shapes that do not fit are ShapeErrors naming the loss and both shapes', () => {
  tidy(() => {
    assert.throws(() => loss('mse').compute(tensor([[1, 2]]), tensor([[1, 2, 3]])), (e: unknown) => e instanceof ShapeError && /meanSquaredError: predictions \[1, 2\] and targets \[1, 3\]/.test(e.message));
    assert.throws(() => loss('sparseCategoricalCrossentropy').compute(tensor([[0.5, 0.5]]), tensor([[1, 0]])), /sparseCategoricalCrossentropy: predictions \[1, 2\] need integer labels \[1\], got \[1, 2\]/);
    assert.throws(() => loss('categoricalCrossentropy').compute(tensor([0.5, 0.5]), tensor([1, 0])), /categoricalCrossentropy: predictions need a class axis, got \[2\]/);
    assert.throws(() => loss('categoricalCrossentropy').compute(tensor([[0.5, 0.5]]), tensor([2], undefined, 'int64')), /categoricalCrossentropy: targets \[1\] are not class labels in \[0, 2\) for predictions \[1, 2\]/);
    assert.throws(() => loss('mse').compute(tensor([[0.5, 0.5, 0]]), tensor([-1], undefined, 'int64')), /meanSquaredError: targets \[1\] are not class labels in \[0, 3\)/);
    assert.throws(() => loss('binaryCrossentropy').compute(tensor([0.5, 0.5]), tensor([1, 0]), tensor([1, 1, 1])), /sample weights \[3\] do not fit a batch of 2/);
  });
});

test('loss configs round-trip; bad ones name the field', () => {
  for (const name of LOSS_NAMES) {
    const c = loss(name).getConfig();
    assert.deepEqual(loss(JSON.parse(JSON.stringify(c))).getConfig(), c);
  }
  assert.deepEqual(loss({ name: 'sparse_categorical_crossentropy', from_logits: true }).getConfig(), { name: 'sparseCategoricalCrossentropy', fromLogits: true });
  assert.equal(loss('mean_squared_error').name, 'meanSquaredError');
  assert.equal(loss('BinaryCrossEntropy').name, 'binaryCrossentropy');
  assert.throws(
    () => loss('categorical_crossentropyy', 'training.loss'),
    (e: unknown) => e instanceof ConfigError && /^training\.loss: unknown loss 'categorical_crossentropyy' \(did you mean 'categoricalCrossentropy'\?\); valid: binaryCrossentropy, /.test(e.message),
  );
  assert.throws(() => loss({ name: 'mse', fromLogits: true }, 'training.loss'), /training\.loss\.fromLogits: unknown parameter of loss 'meanSquaredError'/);
  assert.throws(() => loss({ name: 'binaryCrossentropy', fromLogits: 1 }, 'training.loss'), /training\.loss\.fromLogits: expected true or false/);
});
