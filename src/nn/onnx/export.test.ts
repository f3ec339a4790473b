// ONNX export against onnxruntime (the dev dependency onnxruntime-node) and onnx.checker (python3-onnx): the
// exported file gives the class probabilities nnlab's predict computes, to 1e-4, at two batch sizes (the batch
// dimension is dynamic), for the MLP, the seed CNN, every activation and every output head; what cannot be
// exported is refused, naming the layer, and nothing is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, NnlabError } from '../../engine/errors.js';
import { manualSeed } from '../../engine/seed.js';
import { packageRoot } from '../../engine/native.js';
import { noGrad, ops, tensor, tidy, type Tensor } from '../../tensor/index.js';
import { checkOnnx, runOnnx, type CheckedOnnx } from '../../testing/onnx.js';
import { randomValues, seededRandom } from '../../testing/torch-oracle.js';
import { ACTIVATION_NAMES } from '../activations.js';
import { Layer, type Shape } from '../layers/layer.js';
import { Sequential, type ModelConfig } from '../model.js';
import { classProbabilities, outputHead, type OutputHead } from '../outputs.js';
import { exportOnnx, preprocessingFileFor } from './export.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'nnlab-onnx-'));
let files = 0;
const target = (name: string) => path.join(work, `${++files}-${name}.onnx`);

/** predict's probabilities for a batch: the model in inference mode, then the head (nn/outputs.ts). */
function predictProbabilities(model: Sequential, head: OutputHead, xs: number[], dims: number[]): number[] {
  return tidy(() => noGrad(() => classProbabilities(model.forward(tensor(Float32Array.from(xs), dims), { training: false }), head).toNumbers()));
}

/**
 * Exports `model`, checks the file with onnx.checker (opset 17, input [batch, ...inputShape], output [batch, C],
 * weights under the state-dict names) and compares onnxruntime's output with predict's at each batch size.
 */
async function exportsExactly(model: Sequential, head: OutputHead, batches: number[], name: string, inputs: (dims: number[], seed: number) => number[] = uniform(1)): Promise<CheckedOnnx> {
  const file = target(name);
  const done = exportOnnx(model, file, { head });
  const classes = Math.max(head.units, 2);
  const checked = checkOnnx(file);
  assert.equal(checked.opset, 17);
  assert.equal(checked.irVersion, 8);
  assert.deepEqual(checked.inputs, [{ name: 'input', dims: ['batch', ...model.inputShape] }]);
  assert.deepEqual(checked.outputs, [{ name: 'probabilities', dims: ['batch', classes] }]);
  for (const weight of Object.keys(model.stateDict())) assert.ok(checked.initializers.includes(weight), `${name}: weight ${weight} stored under its state-dict name`);
  assert.equal(done.preprocessingFile, preprocessingFileFor(file));
  for (const [i, n] of batches.entries()) {
    const dims = [n, ...model.inputShape];
    const xs = inputs(dims, 100 + i);
    const want = predictProbabilities(model, head, xs, dims);
    const got = await runOnnx(file, { name: 'input', data: Float32Array.from(xs), dims });
    assert.deepEqual(got.dims, [n, classes], `${name}: output dims at batch ${n}`);
    const worst = Math.max(...got.data.map((v, j) => Math.abs(v - want[j])));
    assert.ok(worst <= 1e-4, `${name}, batch ${n}: onnxruntime differs from predict by ${worst}`);
  }
  return checked;
}

/** Inputs uniform in [-range, range]. */
function uniform(range: number) {
  return (dims: number[], seed: number) => randomValues(seededRandom(seed), dims.reduce((a, b) => a * b, 1), -range, range);
}

/**
 * Images [N, C, H, W] in [0, 1] that differ from one to the next (waves of their own frequencies): noise would
 * average out through the seed CNN's six pooling stages, and every image would get the same probabilities.
 */
function waves(dims: number[], seed: number): number[] {
  const [n, c, h, w] = dims;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const [fy, fx] = [0.01 * (s + 1 + (seed % 5)), 0.03 * (n - s)];
    for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(0.5 + 0.5 * Math.sin(fy * y + fx * x + k));
  }
  return Array.from(Float32Array.from(out));
}

/**
 * Random values for every weight and buffer, at scales that keep the activations in range through the layers
 * (weights of variance 1/fan-in, batch-norm statistics near 0 and 1), so no layer is an identity by chance and
 * the probabilities stay away from 0 and 1, where differences would not show.
 */
function randomizeState(model: Sequential, seed: number): void {
  const rand = seededRandom(seed);
  const state: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) {
    const [index, name] = k.split('.');
    const norm = model.layers[Number(index)].type === 'batchNorm';
    const a = Math.sqrt(3 / (t.size / t.shape[0]));
    const [lo, hi] = name === 'running_var' ? [0.5, 2] : norm && name === 'weight' ? [0.5, 1.5] : name === 'weight' ? [-a, a] : [-0.2, 0.2];
    state[k] = tensor(Float32Array.from(randomValues(rand, t.size, lo, hi)), t.shape);
  }
  model.loadStateDict(state);
  for (const t of Object.values(state)) t.dispose();
}

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
    await exportsExactly(model, outputHead(model), [3, 8], 'mlp');
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
    await exportsExactly(model, head, [2, 3], 'seed-cnn', waves);
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
      for (const op of (await exportsExactly(model, outputHead(model), [2, 5], `activation-${Object.values(activation).join('-')}`, uniform(3))).ops) ops.add(op);
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
    await exportsExactly(model, head, [1, 4], 'conv-options');
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
      await exportsExactly(model, outputHead(model, c.loss), [4, 1], c.name.replace(/\W+/g, '-'), uniform(3));
    } finally {
      model.dispose();
    }
  }
});

/** A layer nnlab has no ONNX form for: no toOnnx. */
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

test('a layer without an ONNX form is an error naming it, and nothing is written', () => {
  const model = new Sequential({ inputShape: [4], layers: [{ type: 'dense', units: 3 }, { type: 'dense', units: 2, activation: 'softmax' }] });
  // In place of the first layer (a registered custom layer would be one): the model sees a layer it cannot export.
  const cube = new Cube();
  cube.name = 'cube_1';
  cube.build([4]);
  model.layers[0].dispose();
  model.layers[0] = cube;
  try {
    const dir = mkdtempSync(path.join(work, 'refused-'));
    assert.throws(() => exportOnnx(model, path.join(dir, 'model.onnx')), (e: Error) => e instanceof NnlabError && /layer 'cube_1' \(cube\) cannot be exported to ONNX/.test(e.message));
    assert.deepEqual(readdirSync(dir), [], 'no file, no temp file');
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
