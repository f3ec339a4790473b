// Model templates: exactly which layers they expand to, and that the expansion builds into a model of the
// expected size once `units: 'classes'` is filled in (as the runner does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequential } from '../../nn/model.js';
import type { LayerConfig } from '../../nn/layers/layer.js';
import { liveTensors } from '../../tensor/index.js';
import { CLASSES, expandModel } from './templates.js';
import { parseExperiment } from './experiment.js';

/** What the runner does before building: one output unit per class. */
function complete(layers: LayerConfig[], classes: number): LayerConfig[] {
  return layers.map((l) => (l.units === CLASSES ? { ...l, units: classes } : l));
}

test('mlp: flatten, a dense layer per entry of units, an output layer sized by the classes', () => {
  assert.deepEqual(expandModel({ template: 'mlp', units: [800] }), [
    { type: 'flatten' },
    { type: 'dense', units: 800, kernelInitializer: 'glorotUniform', activation: 'relu' },
    { type: 'dense', units: 'classes', activation: 'softmax', kernelInitializer: 'glorotUniform' },
  ]);
  assert.deepEqual(expandModel({ template: 'mlp', units: 16, activation: 'selu', initializer: 'lecunNormal', dropout: 0.2, outputActivation: 'sigmoid' }), [
    { type: 'flatten' },
    { type: 'dense', units: 16, kernelInitializer: 'lecunNormal', activation: 'selu' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 'classes', activation: 'sigmoid', kernelInitializer: 'lecunNormal' },
  ]);
  // batchNorm sits between each hidden layer's weights and its activation; the dense layer drops its bias.
  assert.deepEqual(expandModel({ template: 'mlp', units: [8, 4], batchNorm: true }).map((l) => l.type), [
    'flatten',
    'dense',
    'batchNorm',
    'activation',
    'dense',
    'batchNorm',
    'activation',
    'dense',
  ]);
  assert.equal(expandModel({ template: 'mlp', units: [8], batchNorm: true })[1].useBias, false);
  assert.deepEqual(expandModel({ template: 'mlp', units: [] }).map((l) => l.type), ['flatten', 'dense'], 'no hidden layer: logistic regression');
});

test('cnn: conv blocks with pooling, flatten, dense head with dropout before each dense layer, output', () => {
  assert.deepEqual(expandModel({ template: 'cnn', filters: [16, 32], dense: [64], dropout: 0.5 }), [
    { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'conv2d', filters: 32, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 64, activation: 'relu', kernelInitializer: 'glorotUniform' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 'classes', activation: 'softmax', kernelInitializer: 'glorotUniform' },
  ]);
  assert.deepEqual(expandModel({ template: 'cnn', filters: 8, batchNorm: true, pool: 'none' }).map((l) => l.type), ['conv2d', 'batchNorm', 'activation', 'flatten', 'dense']);
  assert.deepEqual(expandModel({ template: 'cnn', filters: 8, pool: 'avg', poolSize: [2, 1] })[1], { type: 'avgPool2d', poolSize: [2, 1] });
});

test('a layer list is copied as written', () => {
  const layers = [{ type: 'flatten' }, { type: 'dense', units: CLASSES, activation: 'softmax' }];
  const out = expandModel({ layers });
  assert.deepEqual(out, layers);
  assert.notEqual(out[1], layers[1]);
});

test('expanded templates build on 28x28 images, with one output per class, and free their weights', () => {
  const before = liveTensors().tensors;
  const mlp = parseExperiment('data: { dataset: mnist }\nmodel: { template: mlp, units: [800] }\n', null).cells[0].spec.model.layers;
  const m = new Sequential({ inputShape: [1, 28, 28], layers: complete(mlp, 10) });
  assert.deepEqual(m.outputShape, [10]);
  assert.equal(m.countParams().trainable, 784 * 800 + 800 + 800 * 10 + 10, 'the 784-800-10 MLP');
  m.dispose();
  const cnnText = 'data: { dataset: mnist }\nmodel: { template: cnn, filters: [4, 8], batchNorm: true, dense: 16, dropout: 0.25 }\n';
  const cnn = new Sequential({ inputShape: [1, 28, 28], layers: complete(parseExperiment(cnnText, null).cells[0].spec.model.layers, 3) });
  assert.deepEqual(cnn.outputShape, [3]);
  // conv 1->4 (3x3, no bias) + bn(4) + conv 4->8 (no bias) + bn(8) + dense 8*7*7->16 + dense 16->3
  assert.equal(cnn.countParams().trainable, 4 * 9 + 8 + 8 * 4 * 9 + 16 + (8 * 7 * 7 * 16 + 16) + (16 * 3 + 3));
  cnn.dispose();
  assert.equal(liveTensors().tensors, before);
});

test('template weight fields: bias initializer and kernel regularizer on every dense layer, checked where written', () => {
  const e = parseExperiment('data: { dataset: mnist }\nmodel: { template: mlp, units: [8], biasInitializer: { name: constant, value: 0.1 }, regularizer: { name: l2, l2: 0.001 } }\n', null);
  const dense = e.cells[0].spec.model.layers.filter((l) => l.type === 'dense');
  assert.equal(dense.length, 2);
  for (const l of dense) assert.deepEqual([l.biasInitializer, l.kernelRegularizer], [{ name: 'constant', value: 0.1 }, { name: 'l2', l2: 0.001 }]);
  assert.throws(() => parseExperiment('data: { dataset: mnist }\nmodel: { template: mlp, units: [8], regularizer: l3 }\n', 'm.yaml'), /m\.yaml:2: model\.regularizer: unknown regularizer 'l3'/);
});
