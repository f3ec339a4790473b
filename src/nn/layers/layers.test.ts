// Layers against PyTorch (same weights, same batch, same numbers), build-time shape errors, configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { closeness, randomValues, runTorch, seededRandom } from '../../testing/torch-oracle.js';
import { Sequential, type ModelConfig } from '../model.js';
import { formatSummary } from '../summary.js';
import type { LayerConfig } from './layer.js';

const cnn: ModelConfig = {
  inputShape: [3, 12, 12],
  layers: [
    { type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 5, kernelSize: 2, strides: 2, useBias: false, padding: 'same' },
    { type: 'avgPool2d', poolSize: 2, strides: 1, padding: 1 },
    { type: 'activation', activation: { name: 'leakyRelu', alpha: 0.1 } },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 3, activation: 'softmax' },
  ],
};

// The same network in PyTorch, from the nnlab state dict; 'same' padding of the even kernel is F.pad(0,1,0,1).
const torchCnn = `
sd = {k: torch.tensor(v['values'], dtype=torch.float32).reshape(v['shape']) for k, v in input['state'].items()}
x = torch.tensor(input['x']).reshape(input['xShape'])
def forward(x, training):
    y = F.relu(F.conv2d(x, sd['0.weight'], sd['0.bias'], padding=1))
    y = F.batch_norm(y, sd['1.running_mean'], sd['1.running_var'], sd['1.weight'], sd['1.bias'], training, 0.1, 1e-5)
    y = F.max_pool2d(y, 2)
    y = F.conv2d(F.pad(y, (0, 1, 0, 1)), sd['3.weight'], None, stride=2)
    y = F.avg_pool2d(y, 2, 1, 1, count_include_pad=False)
    y = F.leaky_relu(y, 0.1).flatten(1)
    return F.softmax(F.linear(y, sd['8.weight'], sd['8.bias']), -1)
ev = forward(x, False)
tr = forward(x, True)
output = {'eval': ev.flatten().tolist(), 'train': tr.flatten().tolist(), 'rm': sd['1.running_mean'].tolist(), 'rv': sd['1.running_var'].tolist()}
`;

test('a CNN of every layer type computes what PyTorch computes (eval and train mode, running stats)', () => {
  const base = liveTensors().tensors;
  manualSeed(3);
  const model = new Sequential(cnn);
  assert.deepEqual(model.outputShape, [3]);
  assert.deepEqual(model.layers.map((l) => l.outputShape), [[4, 12, 12], [4, 12, 12], [4, 6, 6], [5, 3, 3], [5, 4, 4], [5, 4, 4], [80], [80], [3]]);
  const xs = randomValues(seededRandom(5), 2 * 3 * 12 * 12);
  const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { values: t.toNumbers(), shape: t.shape }]));
  const want = runTorch<{ eval: number[]; train: number[]; rm: number[]; rv: number[] }>(torchCnn, { state, x: xs, xShape: [2, 3, 12, 12] });
  tidy(() => {
    const x = tensor(Float32Array.from(xs), [2, 3, 12, 12]);
    assert.ok(closeness(model.forward(x, { training: false }).toNumbers(), want.eval, 1e-4, 1e-6) <= 1);
  });
  // Training mode (batch statistics, running-stat update) on the same weights without dropout's randomness.
  const noDropout = new Sequential({ ...cnn, layers: cnn.layers.map((l) => (l.type === 'dropout' ? { type: 'dropout', rate: 0 } : l)) });
  noDropout.loadStateDict(model.stateDict());
  tidy(() => {
    const x = tensor(Float32Array.from(xs), [2, 3, 12, 12]);
    assert.ok(closeness(noDropout.forward(x, { training: true }).toNumbers(), want.train, 1e-4, 1e-6) <= 1);
    const bn = noDropout.stateDict();
    assert.ok(closeness(bn['1.running_mean'].toNumbers(), want.rm, 1e-4, 1e-6) <= 1);
    assert.ok(closeness(bn['1.running_var'].toNumbers(), want.rv, 1e-4, 1e-6) <= 1);
  });
  model.dispose();
  noDropout.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('dropout drops in training only, and scales the kept values', () => {
  manualSeed(1);
  const model = new Sequential({ inputShape: [1000], layers: [{ type: 'dropout', rate: 0.25 }] });
  tidy(() => {
    const x = tensor(new Float32Array(1000).fill(1), [1, 1000]);
    assert.deepEqual(new Set(model.forward(x, { training: false }).toNumbers()), new Set([1]));
    const y = model.forward(x, { training: true }).toNumbers();
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(zeros > 180 && zeros < 320, `${zeros} zeros of 1000 at rate 0.25`);
    assert.ok(y.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.75) < 1e-6));
  });
});

test('shapes that do not fit fail at build time, naming the layer and both shapes', () => {
  assert.throws(
    () => new Sequential({ inputShape: [1, 28, 28], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'dense', units: 10 }] }),
    /model: layer 'dense_1' \(dense\): input \[8, 26, 26\] does not fit: dense expects \[features\]; add a flatten layer before it/,
  );
  assert.throws(() => new Sequential({ inputShape: [784], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3 }] }), /layer 'conv2d_1' \(conv2d\): input \[784\] does not fit: conv2d expects \[channels, height, width\]/);
  assert.throws(() => new Sequential({ inputShape: [1, 4, 4], layers: [{ type: 'conv2d', filters: 2, kernelSize: 5 }] }), /input \[1, 4, 4\] is smaller than the 5x5 kernel/);
  assert.throws(() => new Sequential({ inputShape: [1, 3, 3], layers: [{ type: 'maxPool2d', poolSize: 4 }] }), /input \[1, 3, 3\] is smaller than the 4x4 pool/);
  const base = liveTensors().tensors;
  assert.throws(() => new Sequential({ inputShape: [10], layers: [{ type: 'dense', units: 5 }, { type: 'conv2d', filters: 1, kernelSize: 1 }] }));
  assert.equal(liveTensors().tensors, base, 'a failed build frees the weights it made');
});

test('bad layer configs name the field path and the valid choices', () => {
  const build = (layer: Record<string, unknown>) => new Sequential({ inputShape: [4], layers: [layer as LayerConfig] });
  assert.throws(() => build({ type: 'dense', units: 3, activation: 'relux' }), /model\.layers\[0\]\.activation: unknown activation 'relux' \(did you mean 'relu'\?\)/);
  assert.throws(() => build({ type: 'dense', units: 3, kernelInitializer: 'glorot' }), /model\.layers\[0\]\.kernelInitializer: unknown initializer 'glorot'/);
  assert.throws(() => build({ type: 'dense' }), /model\.layers\[0\]\.units: dense needs 'units'/);
  assert.throws(() => build({ type: 'dense', units: 0 }), /model\.layers\[0\]\.units: must be >= 1/);
  assert.throws(() => build({ type: 'dense', units: 3, unit: 4 }), /model\.layers\[0\]\.unit/);
  assert.throws(() => build({ type: 'dens', units: 3 }), /model\.layers\[0\]\.type: unknown layer type 'dens' \(did you mean 'dense'\?\); valid: dense, conv2d/);
  assert.throws(() => build({ type: 'dropout', rate: 1 }), /model\.layers\[0\]\.rate: must be < 1/);
  // An unknown field lists every field of the layer, component fields included, with the closest one.
  assert.throws(
    () => build({ type: 'dense', units: 3, activaton: 'relu' }),
    /model\.layers\[0\]\.activaton: unknown field of dense 'activaton' \(did you mean 'activation'\?\); valid: units, activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer/,
  );
  // Keras's spelling of a component field is the same field.
  const m = build({ type: 'dense', units: 3, kernel_initializer: { name: 'constant', value: 0.5 } });
  assert.deepEqual(m.layers[0].getConfig().kernelInitializer, { name: 'constant', value: 0.5 });
  m.dispose();
  assert.throws(() => build({ type: 'dense', units: 3, kernel_initializer: 'ones', kernelInitializer: 'zeros' }), /kernel_initializer: field 'kernelInitializer' of dense is given twice/);
});

test('config round trip and summary (the 784-800-10 MLP has 636,010 parameters)', () => {
  const config: ModelConfig = {
    inputShape: [784],
    layers: [
      { type: 'dense', units: 800, activation: 'relu', kernelRegularizer: { name: 'l2', l2: 0.001 } },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  };
  const model = new Sequential(config);
  const again = new Sequential(model.getConfig());
  assert.deepEqual(again.getConfig(), model.getConfig());
  assert.equal(model.countParams().total, 636_010);
  const text = formatSummary(model);
  assert.match(text, /dense_1 \(dense\)\s+\[800\]\s+628,000/);
  assert.match(text, /dense_2 \(dense\)\s+\[10\]\s+8,010/);
  assert.match(text, /Total params: 636,010 \(trainable 636,010, non-trainable 0\)/);
  const bn = new Sequential({ inputShape: [3, 8, 8], layers: [{ type: 'batchNorm' }] });
  assert.deepEqual(bn.countParams(), { trainable: 6, nonTrainable: 6, total: 12 });
  for (const m of [model, again, bn]) m.dispose();
});
