// ONNX export against onnxruntime (the dev dependency onnxruntime-node) and onnx.checker (python3-onnx): the
// exported file gives the class probabilities nnlab's predict computes, to 1e-4, at two batch sizes (the batch
// dimension is dynamic), for the MLP, the seed CNN, every activation and every output head; what cannot be
// exported is refused, naming the layer, and nothing is left behind. (Graph models and every other layer:
// layers.test.ts; the resnet template: src/lab/onnx-export.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, NnlabError } from '../../engine/errors.js';
import { manualSeed } from '../../engine/seed.js';
import { packageRoot } from '../../engine/native.js';
import { ops, type Tensor } from '../../tensor/index.js';
import { exportsExactly, randomizeState, uniform, waves } from '../../testing/onnx-export.js';
import { ACTIVATION_NAMES } from '../activations.js';
import { Layer, type Shape } from '../layers/layer.js';
import { registerLayer } from '../layers/registry.js';
import { buildModel, Sequential, type ModelConfig } from '../model.js';
import { outputHead } from '../outputs.js';
import { exportOnnx, preprocessingFileFor } from './export.js';
import type { OnnxGraph } from './graph.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-onnx-'));

test('an MLP exports to ONNX: onnxruntime gives the probabilities predict gives, at two batch sizes; onnx.checker accepts it', async () => {
  manualSeed(1);
  const model = new Sequential({
    inputShape: [20],
    layers: [
      { type: 'dense', units: 16, activation: 'relu' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', units: 10, activation: 'softmax' },
    ],
  });
  try {
    await exportsExactly(model, 'mlp', { batches: [3, 8] });
  } finally {
    model.dispose();
  }
});

test('the seed CNN (seed 002: conv2d, batchNorm, relu, maxPool, dropout, dense logits) exports with its running statistics', async () => {
  // The layers as examples/seeds/002-dogs-vs-cats.yaml has them, for its 2 classes, with dropout before the head.
  const seed = parse(readFileSync(path.join(packageRoot, 'examples', 'seeds', '002-dogs-vs-cats.yaml'), 'utf8')) as { model: { layers: Record<string, unknown>[] } };
  const layers = seed.model.layers.map((l) => (l.units === 'classes' ? { ...l, units: 2 } : l));
  layers.splice(layers.length - 1, 0, { type: 'dropout', rate: 0.5 });
  assert.deepEqual([...new Set(layers.map((l) => l.type))], ['conv2d', 'batchNorm', 'activation', 'maxPool2d', 'flatten', 'dropout', 'dense']);
  manualSeed(2);
  const model = new Sequential({ inputShape: [3, 256, 256], layers: layers as ModelConfig['layers'] });
  try {
    randomizeState(model, 7);
    // The seed trains with CrossEntropyLoss on logits: the head squashes them with softmax.
    const head = outputHead(model, { name: 'sparseCategoricalCrossentropy', fromLogits: true });
    assert.equal(head.kind, 'logits');
    await exportsExactly(model, 'seed-cnn', { head, batches: [2, 3], inputs: waves });
  } finally {
    model.dispose();
  }
});

test('every activation exports (GELU composed from Erf and Tanh, SiLU as x·sigmoid(x)), as a dense activation and as a layer', async () => {
  const variants: Record<string, unknown>[] = [
    ...ACTIVATION_NAMES.map((name) => ({ name })),
    { name: 'elu', alpha: 0.7 },
    { name: 'leakyRelu', alpha: 0.1 },
    { name: 'gelu', approximate: true },
    { name: 'softmax', axis: 1 },
  ];
  const ops = new Set<string>();
  for (const activation of variants) {
    // One model per activation, so each one's values reach the probabilities: a dense layer ending in it,
    // then the same activation as a layer of its own (inputs in [-3, 3] reach the negative side).
    manualSeed(3);
    const model = new Sequential({ inputShape: [6], layers: [{ type: 'dense', units: 6, activation }, { type: 'activation', activation }] });
    try {
      randomizeState(model, 8);
      for (const op of (await exportsExactly(model, `activation-${Object.values(activation).join('-')}`, { batches: [2, 5], inputs: uniform(3) })).ops) ops.add(op);
    } finally {
      model.dispose();
    }
  }
  for (const op of ['Relu', 'Sigmoid', 'Tanh', 'Selu', 'Elu', 'LeakyRelu', 'Erf', 'Softmax']) assert.ok(ops.has(op), `${op} in a graph`);
});

test("convolution and pooling options export: asymmetric 'same' padding, strides, groups, no bias, padded pools, batch norm without scale or shift", async () => {
  manualSeed(4);
  const model = new Sequential({
    inputShape: [4, 11, 10],
    layers: [
      { type: 'conv2d', filters: 6, kernelSize: [4, 2], padding: 'same', activation: 'tanh' },
      { type: 'conv2d', filters: 6, kernelSize: 3, strides: 2, padding: 1, groups: 2, useBias: false },
      { type: 'batchNorm', epsilon: 1e-3 },
      { type: 'maxPool2d', poolSize: 3, strides: 1, padding: 1 },
      { type: 'avgPool2d', poolSize: 2, strides: 1, padding: 1 },
      { type: 'flatten' },
      { type: 'batchNorm', center: false, scale: false },
      { type: 'dense', units: 5 },
    ],
  });
  try {
    randomizeState(model, 9);
    // A linear output trained with, say, meanSquaredError: the head reads it as scores, softmax over classes.
    const head = outputHead(model);
    assert.equal(head.kind, 'scores');
    await exportsExactly(model, 'conv-options', { head, batches: [1, 4] });
  } finally {
    model.dispose();
  }
});

test('every output head exports as predict reads it: one unit or several; probabilities, logits or scores; softmax or sigmoid', async () => {
  const cases: { name: string; units: number; activation: string; loss?: Record<string, unknown> }[] = [
    { name: 'softmax probabilities', units: 3, activation: 'softmax' },
    { name: 'softmax logits', units: 3, activation: 'linear', loss: { fromLogits: true } },
    { name: 'scores over classes', units: 3, activation: 'linear' },
    { name: 'sigmoid units normalised', units: 3, activation: 'sigmoid' },
    { name: 'sigmoid logits per class', units: 3, activation: 'sigmoid', loss: { fromLogits: true } },
    { name: 'one sigmoid unit', units: 1, activation: 'sigmoid' },
    { name: 'one logit', units: 1, activation: 'linear', loss: { fromLogits: true } },
    { name: 'one score, clamped', units: 1, activation: 'linear' },
  ];
  for (const c of cases) {
    manualSeed(5);
    const model = new Sequential({ inputShape: [5], layers: [{ type: 'dense', units: c.units, activation: c.activation }] });
    try {
      randomizeState(model, 10);
      await exportsExactly(model, c.name, { head: outputHead(model, c.loss), batches: [4, 1], inputs: uniform(3) });
    } finally {
      model.dispose();
    }
  }
});

/** A custom layer (as a plugin registers one) that has no ONNX form: no toOnnx. */
class Cube extends Layer {
  readonly type = 'cube';
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor): Tensor {
    return ops.mul(ops.mul(x, x), x);
  }
  protected fields() {
    return {};
  }
}

/** A custom merge layer with only the one-input form: it takes several inputs, so it cannot be exported either. */
class Hypot extends Layer {
  readonly type = 'hypot';
  override readonly arity = 'many';
  override buildInputs(shapes: readonly Shape[]): Shape {
    this.inputShape = shapes[0];
    return (this.outputShape = shapes[0]);
  }
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor): Tensor {
    return x;
  }
  override callInputs(xs: readonly Tensor[]): Tensor {
    return ops.sqrt(ops.add(ops.mul(xs[0], xs[0]), ops.mul(xs[1], xs[1])));
  }
  override toOnnx(_g: OnnxGraph, x: string): string {
    return x;
  }
  protected fields() {
    return {};
  }
}

test('a layer without an ONNX form (a registered custom layer, in a stack or a graph) is an error naming it, and nothing is written', () => {
  registerLayer('cube', Cube);
  registerLayer('hypot', Hypot);
  const dir = mkdtempSync(path.join(work, 'refused-'));
  const stack = buildModel({ inputShape: [4], layers: [{ type: 'dense', units: 3 }, { type: 'cube' }, { type: 'dense', units: 2, activation: 'softmax' }] });
  const graph = buildModel({
    inputShape: [4],
    layers: [
      { type: 'dense', name: 'a', units: 3 },
      { type: 'cube', name: 'cubed', inputs: 'a' },
      { type: 'dense', name: 'b', inputs: 'input', units: 3 },
      { type: 'hypot', name: 'length', inputs: ['cubed', 'b'] },
      { type: 'dense', name: 'out', units: 2, activation: 'softmax' },
    ],
  });
  try {
    assert.throws(() => exportOnnx(stack, path.join(dir, 'model.onnx')), (e: Error) => e instanceof NnlabError && /^layer 'cube_1' \(cube\) cannot be exported to ONNX \(no ONNX form for this layer type\)$/.test(e.message));
    assert.throws(
      () => exportOnnx(graph, path.join(dir, 'model.onnx')),
      (e: Error) => e instanceof NnlabError && /^layer 'cubed' \(cube\), layer 'length' \(hypot\) cannot be exported to ONNX \(no ONNX form for these layer types\)$/.test(e.message),
    );
    assert.deepEqual(readdirSync(dir), [], 'no file, no temp file');
  } finally {
    stack.dispose();
    graph.dispose();
  }
});

/** A custom layer with an ONNX form of its own: y = x·|x| (as a plugin's layer could write it). */
class SignedSquare extends Layer {
  readonly type = 'signedSquare';
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor): Tensor {
    return ops.mul(x, ops.abs(x));
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('Mul', [x, g.node('Abs', [x])]);
  }
  protected fields() {
    return {};
  }
}

test('a custom layer with its own toOnnx exports like a built-in one', async () => {
  registerLayer('signedSquare', SignedSquare);
  manualSeed(6);
  const model = buildModel({ inputShape: [4], layers: [{ type: 'dense', units: 5 }, { type: 'signedSquare' }, { type: 'dense', units: 3, activation: 'softmax' }] });
  try {
    randomizeState(model, 11);
    const checked = await exportsExactly(model, 'custom-layer', { batches: [2, 3], inputs: uniform(2) });
    assert.ok(checked.ops.includes('Abs'));
  } finally {
    model.dispose();
  }
});

test('the files: model.onnx and model.preprocess.json, replaced whole; a folder or a missing folder is refused before any work', () => {
  assert.equal(preprocessingFileFor('out/model.onnx'), 'out/model.preprocess.json');
  assert.equal(preprocessingFileFor('net'), 'net.preprocess.json');
  const dir = mkdtempSync(path.join(work, 'files-'));
  const file = path.join(dir, 'model.onnx');
  const small = new Sequential({ inputShape: [3], layers: [{ type: 'dense', units: 2, activation: 'softmax' }] });
  const wide = new Sequential({ inputShape: [7], layers: [{ type: 'dense', units: 4, activation: 'softmax' }] });
  try {
    exportOnnx(small, file, { preprocessing: { classes: ['a', 'b'] } });
    const first = readFileSync(file);
    exportOnnx(wide, file);
    assert.notDeepEqual(readFileSync(file), first, 'the second export replaced the first');
    assert.deepEqual(readdirSync(dir).sort(), ['model.onnx', 'model.preprocess.json'], 'no temp file left');
    const json = JSON.parse(readFileSync(path.join(dir, 'model.preprocess.json'), 'utf8'));
    assert.deepEqual(json, { format: 'nnlab.onnx-preprocess/1', model: 'model.onnx', input: { name: 'input', shape: ['batch', 7], dtype: 'float32' }, output: { name: 'probabilities', shape: ['batch', 4] } });

    mkdirSync(path.join(dir, 'folder.onnx'));
    assert.throws(() => exportOnnx(wide, path.join(dir, 'folder.onnx')), (e: Error) => e instanceof ConfigError && /folder\.onnx is a folder/.test(e.message));
    assert.throws(() => exportOnnx(wide, path.join(dir, 'missing', 'model.onnx')), (e: Error) => e instanceof ConfigError && /the folder .*missing does not exist/.test(e.message));
    // The JSON's name taken by a folder is refused too, before the model is written.
    mkdirSync(path.join(dir, 'other.preprocess.json'));
    assert.throws(() => exportOnnx(wide, path.join(dir, 'other.onnx')), (e: Error) => e instanceof ConfigError && /other\.preprocess\.json is a folder/.test(e.message));
    writeFileSync(path.join(dir, 'keep'), '');
    assert.deepEqual(readdirSync(dir).sort(), ['folder.onnx', 'keep', 'model.onnx', 'model.preprocess.json', 'other.preprocess.json']);
  } finally {
    small.dispose();
    wide.dispose();
  }
});
