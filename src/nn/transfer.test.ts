// Transfer learning in the model: a state dict loaded into part of a model (strict or not, names skipped), and a
// frozen backbone (no gradient, not in the optimizer, counted as non-trainable, batch norm left in inference mode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { manualSeed } from '../engine/seed.js';
import { keep, ops, tensor, tidy, zeros } from '../tensor/index.js';
import { buildModel, type ModelConfig } from './model.js';
import { freezeWeights, loadWeights } from './transfer.js';
import { formatSummary } from './summary.js';

const backbone: ModelConfig = {
  inputShape: [2, 6, 6],
  layers: [
    { type: 'conv2d', name: 'conv1', filters: 3, kernelSize: 3, padding: 'same', useBias: false },
    { type: 'batchNorm', name: 'bn1' },
    { type: 'flatten', name: 'flat' },
    { type: 'dense', name: 'fc', units: 4, activation: 'softmax' },
  ],
  outputs: 'fc',
};

test('weights load by name: strict refuses missing or unexpected names, strict: false loads what matches, skip keeps a new head', () => {
  manualSeed(1);
  const source = buildModel(backbone);
  manualSeed(2);
  const target = buildModel({ ...backbone, layers: backbone.layers.map((l) => (l.name === 'fc' ? { ...l, units: 2 } : l)) });
  const tensors = { ...source.stateDict(), 'extra.weight': keep(zeros([1])) };
  assert.throws(() => loadWeights(target, tensors, { source: 'backbone.safetensors' }), (e: unknown) => e instanceof ConfigError && /backbone\.safetensors does not match the model: unexpected extra\.weight; load it with strict: false/.test(e.message));
  assert.throws(() => loadWeights(target, tensors, { strict: false }), (e: unknown) => e instanceof ShapeError && /fc\.weight has shape \[4, 108\], the model's is \[2, 108\] \(skip it/.test(e.message));
  const report = loadWeights(target, tensors, { strict: false, skip: ['fc.*'] });
  assert.deepEqual(report, { loaded: ['conv1.weight', 'bn1.weight', 'bn1.bias', 'bn1.running_mean', 'bn1.running_var'], missing: [], unexpected: ['extra.weight'], skipped: ['fc.weight', 'fc.bias'] });
  assert.deepEqual(target.stateDict()['conv1.weight'].toNumbers(), source.stateDict()['conv1.weight'].toNumbers());
  assert.notDeepEqual(target.stateDict()['fc.bias'].toNumbers(), [0, 0, 0, 0]);
  tensors['extra.weight'].dispose();
  source.dispose();
  target.dispose();
});

test('a frozen backbone: no gradient, not in the optimizer, non-trainable in the summary, its batch norm in inference mode', async () => {
  manualSeed(3);
  const model = buildModel(backbone);
  const before = model.countParams();
  assert.deepEqual(freezeWeights(model, ['conv1.*', 'bn1.*']), ['conv1.weight', 'bn1.weight', 'bn1.bias']);
  const after = model.countParams();
  assert.equal(after.total, before.total);
  assert.equal(after.trainable, 4 * 108 + 4, 'only fc trains');
  assert.equal(model.parameters().length, 2);
  assert.match(formatSummary(model), /Total params: [\d,]+ \(trainable 436, non-trainable 66\)/);
  assert.throws(() => freezeWeights(model, ['layer9.*']), /model\.freeze: 'layer9\.\*' matches no weight of the model \(its weights are named like conv1\.weight, bn1\.weight, bn1\.bias, fc\.weight, fc\.bias\)/);

  const sd = model.stateDict();
  const mean = sd['bn1.running_mean'].toNumbers();
  const x = tensor(Float32Array.from({ length: 8 * 72 }, (_, i) => Math.sin(i)), [8, 2, 6, 6]);
  tidy(() => ops.sum(ops.mul(model.forward(x, { training: true }), tensor(Float32Array.from({ length: 32 }, (_, i) => i % 3), [8, 4]))).backward());
  assert.equal(sd['conv1.weight'].grad, null, 'a frozen weight gets no gradient');
  tidy(() => assert.ok(sd['fc.weight'].grad !== null, 'the head does'));
  assert.deepEqual(sd['bn1.running_mean'].toNumbers(), mean, "a frozen batch norm's running statistics stay in training mode");
  x.dispose();
  model.dispose();
});
