// The export's walk over Model.connections() and every layer's ONNX form, against onnxruntime (the dev
// dependency onnxruntime-node) and onnx.checker (python3-onnx): graph models with every merge layer, the
// recurrent layers in every arrangement (stacked, bidirectional, every step or the last), embeddings, and each
// of the other layers in a table, give onnxruntime's outputs equal to nnlab's to 1e-4 at two batch sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NnlabError } from '../../engine/errors.js';
import { manualSeed } from '../../engine/seed.js';
import { exportsExactly, randomizeState, rawOutputs, tokens, uniform, waves } from '../../testing/onnx-export.js';
import type { LayerConfig } from '../layers/layer.js';
import { buildModel, Graph, type Model, type ModelConfig } from '../model.js';
import { outputHead } from '../outputs.js';
import { exportOnnx } from './export.js';

/** Builds the model of `config` with seeded weights, randomised (see randomizeState); disposes it after `use`. */
async function withModel(config: ModelConfig, seed: number, use: (model: Model) => Promise<void>): Promise<void> {
  manualSeed(seed);
  const model = buildModel(config);
  try {
    randomizeState(model, seed + 100);
    await use(model);
  } finally {
    model.dispose();
  }
}

test('a residual graph model (conv, batchNorm, add, concatenate, globalAveragePooling2d) exports through its connections', async () => {
  const config: ModelConfig = {
    inputShape: [3, 12, 12],
    layers: [
      { type: 'conv2d', name: 'stem', filters: 8, kernelSize: 3, padding: 1, activation: 'relu' },
      { type: 'conv2d', name: 'a1', filters: 8, kernelSize: 3, padding: 1, useBias: false },
      { type: 'batchNorm', name: 'bn1', epsilon: 1e-5 },
      { type: 'activation', name: 'r1', activation: 'relu' },
      { type: 'conv2d', name: 'a2', filters: 8, kernelSize: 3, padding: 1, useBias: false },
      { type: 'batchNorm', name: 'bn2' },
      { type: 'add', name: 'skip', inputs: ['bn2', 'stem'] },
      { type: 'activation', name: 'r2', activation: 'relu' },
      // A second branch from the stem, joined along the channels with the residual block's output.
      { type: 'conv2d', name: 'side', inputs: 'stem', filters: 4, kernelSize: 1 },
      { type: 'concatenate', name: 'join', inputs: ['r2', 'side'] },
      { type: 'globalAveragePooling2d', name: 'pool' },
      { type: 'dense', name: 'fc', units: 5, activation: 'softmax' },
    ],
  };
  await withModel(config, 1, async (model) => {
    assert.ok(model instanceof Graph);
    const checked = await exportsExactly(model, 'residual', { batches: [2, 5], inputs: waves });
    for (const op of ['Conv', 'BatchNormalization', 'Sum', 'Concat', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Softmax']) assert.ok(checked.ops.includes(op), `${op} in the graph`);
    // Weights are stored under the graph's state-dict names (`<layer>.<weight>`).
    assert.ok(checked.initializers.includes('bn1.running_var') && checked.initializers.includes('side.weight'));
  });
});

test("a stack walks its connections too: each layer on the one before, even one named 'input' (the model's input's name in a graph)", async () => {
  const config: ModelConfig = { inputShape: [5], layers: [{ type: 'dense', name: 'input', units: 4, activation: 'tanh' }, { type: 'dense', units: 3, activation: 'softmax' }] };
  await withModel(config, 4, async (model) => {
    assert.deepEqual(model.connections().map((c) => c.inputs), [['input'], ['input']]);
    await exportsExactly(model, 'stack-named-input', { batches: [2, 3] });
  });
});

test('every merge layer exports (Sum, Sub, Mul, Max, Min, Mean, Concat on any axis), with three inputs where the layer takes them', async () => {
  const branch = (name: string, input: string, activation: string): LayerConfig => ({ type: 'dense', name, inputs: input, units: 6, activation });
  const merges: LayerConfig[] = [
    { type: 'add', name: 'add', inputs: ['p', 'q', 'r'] },
    { type: 'subtract', name: 'subtract', inputs: ['q', 'r'] },
    { type: 'multiply', name: 'multiply', inputs: ['p', 'q', 'r'] },
    { type: 'maximum', name: 'maximum', inputs: ['p', 'q', 'r'] },
    { type: 'minimum', name: 'minimum', inputs: ['r', 'q'] },
    { type: 'average', name: 'average', inputs: ['p', 'q', 'r'] },
    { type: 'concatenate', name: 'concatenate', inputs: ['r', 'p', 'q'], axis: -1 },
  ];
  for (const merge of merges) {
    const config: ModelConfig = {
      inputShape: [4],
      layers: [branch('p', 'input', 'tanh'), branch('q', 'input', 'sigmoid'), branch('r', 'p', 'linear'), merge],
    };
    await withModel(config, 2, async (model) => {
      await exportsExactly(model, `merge-${merge.type}`, { head: rawOutputs(model), batches: [3, 1], inputs: uniform(2) });
    });
  }
  // Concatenating images along the channels, the height (axis 2) and the width (axis -1).
  for (const axis of [1, 2, -1]) {
    const config: ModelConfig = {
      inputShape: [2, 4, 5],
      layers: [
        { type: 'conv2d', name: 'c', filters: 2, kernelSize: 3, padding: 1 },
        { type: 'concatenate', name: 'join', inputs: ['c', 'input'], axis },
      ],
    };
    await withModel(config, 3, async (model) => {
      await exportsExactly(model, `concat-axis-${axis}`, { head: rawOutputs(model), batches: [2, 3] });
    });
  }
});

/** One case of the table: a model of the layer (and what it needs around it), and its inputs. */
interface LayerCase {
  name: string;
  inputShape: number[];
  layers: LayerConfig[];
  inputs?: (dims: number[], seed: number) => number[];
}

const LAYER_CASES: LayerCase[] = [
  { name: 'conv1d same', inputShape: [4, 12], layers: [{ type: 'conv1d', filters: 6, kernelSize: 4, padding: 'same', activation: 'relu' }] },
  { name: 'conv1d causal dilated', inputShape: [4, 12], layers: [{ type: 'conv1d', filters: 6, kernelSize: 3, padding: 'causal', dilation: 2 }] },
  { name: 'conv1d strided grouped no bias', inputShape: [4, 13], layers: [{ type: 'conv1d', filters: 6, kernelSize: 3, strides: 2, padding: 1, groups: 2, useBias: false }] },
  { name: 'conv2d grouped', inputShape: [4, 9, 9], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, padding: 1, groups: 2, activation: 'gelu' }] },
  { name: 'conv2d depthwise', inputShape: [4, 9, 9], layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, groups: 4 }] },
  { name: 'convTranspose2d padded', inputShape: [4, 5, 5], layers: [{ type: 'convTranspose2d', filters: 6, kernelSize: 3, strides: 2, padding: 1, outputPadding: 1 }] },
  { name: 'convTranspose2d same even kernel', inputShape: [4, 5, 6], layers: [{ type: 'convTranspose2d', filters: 3, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }] },
  // 'same' with an odd amount to crop (the bottom row and right column), and one that pads the output instead.
  { name: 'convTranspose2d same cropped', inputShape: [4, 5, 6], layers: [{ type: 'convTranspose2d', filters: 3, kernelSize: 3, strides: 2, padding: 'same' }] },
  { name: 'convTranspose2d same padded out', inputShape: [4, 5, 6], layers: [{ type: 'convTranspose2d', filters: 4, kernelSize: 1, strides: 3, padding: 'same', groups: 2, useBias: false }] },
  { name: 'convTranspose2d dilated grouped', inputShape: [4, 5, 6], layers: [{ type: 'convTranspose2d', filters: 6, kernelSize: [3, 2], strides: [1, 2], dilation: 2, groups: 2 }] },
  { name: 'maxPool1d', inputShape: [3, 11], layers: [{ type: 'maxPool1d', poolSize: 3, strides: 2, padding: 1 }] },
  { name: 'avgPool1d', inputShape: [3, 11], layers: [{ type: 'avgPool1d', poolSize: 3, strides: 2, padding: 1 }] },
  { name: 'globalAveragePooling1d', inputShape: [3, 11], layers: [{ type: 'globalAveragePooling1d' }] },
  { name: 'globalAveragePooling2d keepDims', inputShape: [3, 5, 7], layers: [{ type: 'globalAveragePooling2d', keepDims: true }] },
  { name: 'globalMaxPooling1d keepDims', inputShape: [3, 11], layers: [{ type: 'globalMaxPooling1d', keepDims: true }] },
  { name: 'globalMaxPooling2d', inputShape: [3, 5, 7], layers: [{ type: 'globalMaxPooling2d' }] },
  { name: 'adaptiveAvgPool2d 1', inputShape: [3, 5, 7], layers: [{ type: 'AdaptiveAvgPool2d', outputSize: 1 }, { type: 'flatten' }] },
  { name: 'adaptiveAvgPool2d 2x3', inputShape: [3, 8, 9], layers: [{ type: 'adaptiveAvgPool2d', outputSize: [2, 3] }] },
  { name: 'adaptiveMaxPool2d 1', inputShape: [3, 5, 7], layers: [{ type: 'adaptiveMaxPool2d', outputSize: 1 }] },
  { name: 'adaptiveMaxPool2d 4x1', inputShape: [3, 8, 9], layers: [{ type: 'adaptiveMaxPool2d', outputSize: [4, 1] }] },
  { name: 'upSampling2d nearest', inputShape: [2, 3, 4], layers: [{ type: 'upSampling2d', size: [2, 3] }] },
  { name: 'upSampling2d bilinear', inputShape: [2, 3, 4], layers: [{ type: 'upSampling2d', size: 2, interpolation: 'bilinear' }] },
  { name: 'upSampling2d bilinear uneven', inputShape: [2, 4, 3], layers: [{ type: 'Upsample', scaleFactor: [3, 2], mode: 'bilinear' }] },
  { name: 'zeroPadding2d', inputShape: [2, 3, 4], layers: [{ type: 'zeroPadding2d', padding: [[1, 2], [0, 3]] }] },
  { name: 'layerNormalization last axis', inputShape: [6, 5], layers: [{ type: 'layerNormalization' }] },
  { name: 'layerNormalization two axes, no bias', inputShape: [3, 6, 5], layers: [{ type: 'LayerNorm', normalizedShape: [6, 5], eps: 1e-5, bias: false }] },
  { name: 'layerNormalization without affine', inputShape: [7], layers: [{ type: 'layerNormalization', elementwiseAffine: false }] },
  // Normalised over the new last axis after it, so the reshaped layout shows in the outputs.
  { name: 'reshape', inputShape: [4, 6], layers: [{ type: 'reshape', targetShape: [3, -1] }, { type: 'layerNormalization' }] },
  { name: 'permute', inputShape: [3, 4, 5], layers: [{ type: 'permute', dims: [2, 3, 1] }] },
  { name: 'identity', inputShape: [3, 4], layers: [{ type: 'identity' }] },
  { name: 'identity between', inputShape: [5], layers: [{ type: 'dense', units: 4 }, { type: 'identity' }, { type: 'dense', units: 3 }] },
  { name: 'embedding', inputShape: [7], layers: [{ type: 'embedding', inputDim: 11, outputDim: 4 }], inputs: tokens(11) },
  { name: 'embedding padding index', inputShape: [2, 3], layers: [{ type: 'Embedding', numEmbeddings: 5, embeddingDim: 3, paddingIdx: 0 }], inputs: tokens(5) },
  // The recurrent layers: each op, stacked, bidirectional, every step's output or the last state, no biases.
  { name: 'lstm', inputShape: [6, 5], layers: [{ type: 'lstm', units: 4 }] },
  { name: 'lstm sequences', inputShape: [6, 5], layers: [{ type: 'lstm', units: 4, returnSequences: true }] },
  { name: 'lstm stacked bidirectional', inputShape: [6, 5], layers: [{ type: 'LSTM', hiddenSize: 4, numLayers: 2, bidirectional: true }] },
  { name: 'lstm stacked bidirectional sequences', inputShape: [6, 5], layers: [{ type: 'lstm', units: 3, numLayers: 3, bidirectional: true, returnSequences: true, dropout: 0.5 }] },
  { name: 'lstm without biases', inputShape: [6, 5], layers: [{ type: 'lstm', units: 4, useBias: false, numLayers: 2 }] },
  { name: 'gru', inputShape: [6, 5], layers: [{ type: 'gru', units: 4 }] },
  { name: 'gru stacked bidirectional sequences', inputShape: [6, 5], layers: [{ type: 'GRU', hiddenSize: 4, numLayers: 2, bidirectional: true, returnSequences: true }] },
  { name: 'gru bidirectional without biases', inputShape: [6, 5], layers: [{ type: 'gru', units: 4, bidirectional: true, useBias: false }] },
  { name: 'simpleRnn', inputShape: [6, 5], layers: [{ type: 'simpleRnn', units: 4, returnSequences: true }] },
  { name: 'simpleRnn relu stacked bidirectional', inputShape: [6, 5], layers: [{ type: 'RNN', hiddenSize: 4, nonlinearity: 'relu', numLayers: 2, bidirectional: true }] },
];

test('every layer exports: its ONNX form gives the outputs nnlab computes (to 1e-4, at two batch sizes), and onnx.checker accepts it', async () => {
  const types = new Set<string>();
  for (const [i, c] of LAYER_CASES.entries()) {
    await withModel({ inputShape: c.inputShape, layers: c.layers }, 10 + i, async (model) => {
      types.add(model.layers[0].type);
      // The layer's outputs themselves, not probabilities that a softmax over many of them would flatten.
      await exportsExactly(model, c.name, { head: rawOutputs(model), batches: [3, 1], inputs: c.inputs });
    });
  }
  const covered = ['conv1d', 'conv2d', 'convTranspose2d', 'maxPool1d', 'avgPool1d', 'globalAveragePooling1d', 'globalAveragePooling2d', 'globalMaxPooling1d', 'globalMaxPooling2d', 'adaptiveAvgPool2d', 'adaptiveMaxPool2d', 'upSampling2d', 'zeroPadding2d', 'layerNormalization', 'reshape', 'permute', 'identity', 'embedding', 'lstm', 'gru', 'simpleRnn'];
  assert.deepEqual(covered.filter((t) => !types.has(t)), [], 'a case for each layer');
});

test('a model over sequences exports: a bidirectional LSTM of 2 layers, a GRU, and an embedding before an LSTM, each ending in softmax', async () => {
  const models: { name: string; config: ModelConfig; inputs?: (dims: number[], seed: number) => number[] }[] = [
    {
      name: 'lstm-classifier',
      config: { inputShape: [9, 6], layers: [{ type: 'lstm', units: 8, numLayers: 2, bidirectional: true, dropout: 0.2 }, { type: 'dense', units: 4, activation: 'softmax' }] },
    },
    {
      name: 'gru-classifier',
      config: { inputShape: [9, 6], layers: [{ type: 'gru', units: 8, returnSequences: true }, { type: 'flatten' }, { type: 'dropout', rate: 0.3 }, { type: 'dense', units: 3, activation: 'softmax' }] },
    },
    {
      name: 'embedding-lstm',
      config: { inputShape: [10], layers: [{ type: 'embedding', inputDim: 30, outputDim: 6 }, { type: 'lstm', units: 5 }, { type: 'dense', units: 2, activation: 'softmax' }] },
      inputs: tokens(30),
    },
  ];
  for (const [i, m] of models.entries()) {
    await withModel(m.config, 60 + i, async (model) => {
      const head = outputHead(model);
      assert.equal(head.kind, 'probabilities');
      await exportsExactly(model, m.name, { head, batches: [4, 1], inputs: m.inputs ?? uniform(2) });
    });
  }
});

test("an adaptive pool whose windows differ in size cannot be exported: an error naming the layer and the sizes, and nothing is written", async () => {
  await withModel({ inputShape: [2, 7, 7], layers: [{ type: 'adaptiveAvgPool2d', name: 'pool', outputSize: 3 }, { type: 'flatten' }] }, 5, async (model) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-onnx-refused-'));
    assert.throws(
      () => exportOnnx(model, path.join(dir, 'model.onnx')),
      (e: Error) => e instanceof NnlabError && /layer 'pool' \(adaptiveAvgPool2d\) cannot be exported to ONNX: its output 3x3 from an input of 7x7/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), []);
  });
});
