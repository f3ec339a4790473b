// Checking a model's ONNX export in tests: export it, have onnx.checker (python3-onnx, full check) accept the
// file, and compare onnxruntime's output with the class probabilities nnlab's predict computes for the same
// batch, at several batch sizes (the batch dimension is dynamic). Also the inputs and weights such tests use.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noGrad, tensor, tidy, type Tensor } from '../tensor/index.js';
import type { Model } from '../nn/model.js';
import { classProbabilities, outputHead, type OutputHead } from '../nn/outputs.js';
import { exportOnnx, preprocessingFileFor } from '../nn/onnx/export.js';
import { checkOnnx, runOnnx, type CheckedOnnx } from './onnx.js';
import { randomValues, seededRandom } from './torch-oracle.js';

/** Layer types whose weights the export lays out anew (ONNX's gate order, directions stacked) under `<layer>.<what>`. */
const REPACKED = new Set(['lstm', 'gru', 'simpleRnn']);

let work: string | undefined;
let files = 0;
/** A new .onnx path in a temp folder of this process. */
export function onnxTarget(name: string): string {
  work ??= mkdtempSync(path.join(os.tmpdir(), 'nnlab-onnx-'));
  return path.join(work, `${++files}-${name}.onnx`);
}

/** predict's probabilities for a batch: the model in inference mode, then the head (nn/outputs.ts). */
export function predictProbabilities(model: Model, head: OutputHead, xs: number[], dims: number[]): number[] {
  return tidy(() => noGrad(() => classProbabilities(model.forward(tensor(Float32Array.from(xs), dims), { training: false }), head).toNumbers()));
}

/**
 * A head that passes the model's outputs through as they are, flattened ([N, every output]): not one predict
 * makes (its 'probabilities' come from a softmax or sigmoid), but through the same export path it compares a
 * layer's own outputs, which a softmax over many of them would shrink below the tolerance.
 */
export function rawOutputs(model: Model): OutputHead {
  return { units: model.outputShape.reduce((a, b) => a * b, 1), kind: 'probabilities', activation: null };
}

export interface ExportCheck {
  /** What the outputs mean (default: outputHead(model)). */
  head?: OutputHead;
  /** Batch sizes to compare at. */
  batches: number[];
  /** Inputs for a batch of `dims` (default uniform in [-1, 1]). */
  inputs?: (dims: number[], seed: number) => number[];
  /** Largest difference allowed (default 1e-4). */
  tolerance?: number;
}

/**
 * Exports `model`, checks the file with onnx.checker (opset 17, input [batch, ...inputShape], output [batch, C],
 * weights under their state-dict names) and compares onnxruntime's output with predict's at each batch size.
 * Returns what the checker read, and the largest difference seen.
 */
export async function exportsExactly(model: Model, name: string, check: ExportCheck): Promise<CheckedOnnx & { worst: number }> {
  const head = check.head ?? outputHead(model);
  const file = onnxTarget(name.replace(/\W+/g, '-'));
  const done = exportOnnx(model, file, { head });
  const classes = Math.max(head.units, 2);
  const checked = checkOnnx(file);
  assert.equal(checked.opset, 17);
  assert.equal(checked.irVersion, 8);
  assert.deepEqual(checked.inputs, [{ name: 'input', dims: ['batch', ...model.inputShape] }]);
  assert.deepEqual(checked.outputs, [{ name: 'probabilities', dims: ['batch', classes] }]);
  const names = new Map(Object.entries(model.stateDict()).map(([k, t]) => [t, k]));
  for (const l of model.layers) {
    for (const t of [...l.weights.values(), ...l.buffers.values()]) {
      const weight = names.get(t)!;
      if (REPACKED.has(l.type)) assert.ok(checked.initializers.some((i) => i.startsWith(`${l.name}.`)), `${name}: ${l.describe()}'s weights stored under its name`);
      else assert.ok(checked.initializers.includes(weight), `${name}: weight ${weight} stored under its state-dict name`);
    }
  }
  assert.equal(done.preprocessingFile, preprocessingFileFor(file));
  let worst = 0;
  for (const [i, n] of check.batches.entries()) {
    const dims = [n, ...model.inputShape];
    const xs = (check.inputs ?? uniform(1))(dims, 100 + i);
    const want = predictProbabilities(model, head, xs, dims);
    const got = await runOnnx(file, { name: 'input', data: Float32Array.from(xs), dims });
    assert.deepEqual(got.dims, [n, classes], `${name}: output dims at batch ${n}`);
    const differs = Math.max(...got.data.map((v, j) => Math.abs(v - want[j])));
    assert.ok(differs <= (check.tolerance ?? 1e-4), `${name}, batch ${n}: onnxruntime differs from predict by ${differs}`);
    worst = Math.max(worst, differs);
  }
  return { ...checked, worst };
}

/** Inputs uniform in [-range, range]. */
export function uniform(range: number) {
  return (dims: number[], seed: number) => randomValues(seededRandom(seed), dims.reduce((a, b) => a * b, 1), -range, range);
}

/** Token indices: whole numbers in [0, count), as float32 (as nnlab feeds them). */
export function tokens(count: number) {
  return (dims: number[], seed: number) => randomValues(seededRandom(seed), dims.reduce((a, b) => a * b, 1), 0, count).map(Math.floor);
}

/**
 * Images [N, C, H, W] in [0, 1] that differ from one to the next (waves of their own frequencies): noise would
 * average out through many pooling stages, and every image would get the same probabilities.
 */
export function waves(dims: number[], seed: number): number[] {
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
 * (weights of variance 1/fan-in, normalisation scales near 1, batch-norm statistics near 0 and 1), so no layer
 * is an identity by chance and the probabilities stay away from 0 and 1, where differences would not show.
 */
export function randomizeState(model: Model, seed: number): void {
  const rand = seededRandom(seed);
  const layerOf = new Map<Tensor, string>(model.layers.flatMap((l) => [...l.weights.values(), ...l.buffers.values()].map((t) => [t, l.type] as [Tensor, string])));
  const state: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) {
    const name = k.slice(k.lastIndexOf('.') + 1);
    const type = layerOf.get(t);
    const norm = type === 'batchNorm' || type === 'layerNormalization';
    const a = Math.sqrt(3 / (t.size / t.shape[0]));
    const [lo, hi] = name === 'running_var' ? [0.5, 2] : norm && name === 'weight' ? [0.5, 1.5] : name.startsWith('weight') ? [-a, a] : [-0.2, 0.2];
    state[k] = tensor(Float32Array.from(randomValues(rand, t.size, lo, hi)), t.shape);
  }
  model.loadStateDict(state);
  for (const t of Object.values(state)) t.dispose();
}
