// Data as a Keras or PyTorch user hands it to fit / evaluate / predict: plain arrays and typed arrays, not only
// datasets. x is nested arrays (number[][], one row per sample), a flat typed array or number[] (N samples of
// the model's input shape, end to end), { data, shape } (a flat array with its shape, N first) or a tensor;
// y is labels (number[], a typed array: class indices, 0/1 or values) or rows (number[][]: one-hot or values).
// The samples' shape is checked against the model's input shape before anything runs: a mismatch is a
// ShapeError naming both shapes (and the sample that differs, for ragged arrays).
import { ShapeError } from '../engine/errors.js';
import { ops, tensor, tidy, Tensor, type TypedArray } from '../tensor/index.js';
import type { Dataset } from '../data/index.js';

export type NestedNumbers = number[] | NestedNumbers[];

/** Samples: nested arrays, a flat array of the model's input shape repeated, { data, shape }, or a tensor. */
export type SampleInput = Tensor | NestedNumbers | TypedArray | { data: TypedArray | number[]; shape: number[] };

/** Targets: class indices, 0/1 or values per sample, or a row per sample (one-hot or values), or a tensor. */
export type TargetInput = Tensor | NestedNumbers | TypedArray;

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;
const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Whether `v` is a Dataset ({ x, y, classes } with tensors), as against arrays. */
export function isDataset(v: unknown): v is Dataset {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && (v as Dataset).x instanceof Tensor && (v as Dataset).y instanceof Tensor;
}

/** The shape of nested arrays, checked to be rectangular; a ragged one names the first entry that differs. */
function nestedShape(data: NestedNumbers, name: string): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') throw new ShapeError(`${at} is ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}, expected a number (${name} has shape ${fmt(shape)})`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new ShapeError(`${at} has ${Array.isArray(v) ? `${v.length} entries` : 'a number'} where ${name}[0]... has ${shape[depth]}: ${name} must be rectangular, shape ${fmt(shape)}`);
    }
    v.forEach((e, i) => check(e, depth + 1, `${at}[${i}]`));
  };
  check(data, 0, name);
  return shape;
}

/** Every number of nested arrays in order (their shape already checked). */
function flatNumbers(data: NestedNumbers, size: number): Float64Array {
  const out = new Float64Array(size);
  let k = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else out[k++] = v as number;
  };
  walk(data);
  return out;
}

const isFlat = (v: unknown): v is TypedArray | number[] => ArrayBuffer.isView(v) || (Array.isArray(v) && v.every((e) => typeof e === 'number'));

/**
 * Samples as a float32 tensor [N, ...sampleShape] (`owned`: made here, for the caller to dispose; a tensor
 * given is used as it is). `name` names the argument in errors ('x', 'validationData[0]').
 */
export function samplesTensor(x: SampleInput, sampleShape: readonly number[], name = 'x'): { tensor: Tensor; owned: boolean } {
  const per = product(sampleShape);
  const mismatch = (shape: readonly number[]) =>
    new ShapeError(`${name} has samples of shape ${fmt(shape.slice(1))} (${name} ${fmt(shape)}), but the model takes ${fmt(sampleShape)}`);
  if (x instanceof Tensor) {
    if (x.rank < 1 || fmt(x.shape.slice(1)) !== fmt(sampleShape)) throw mismatch(x.shape);
    return { tensor: x, owned: false };
  }
  if (isFlat(x)) {
    // A flat array is N samples end to end, as a typed array from a file or a buffer holds them.
    if (x.length === 0 || x.length % per !== 0) {
      throw new ShapeError(`${name} has ${x.length} values, not a whole number of samples of the model's input shape ${fmt(sampleShape)} (${per} values each)`);
    }
    const shape = [x.length / per, ...sampleShape];
    return { tensor: tensor(x instanceof Float32Array ? x : Float32Array.from(x as ArrayLike<number>), shape), owned: true };
  }
  if (typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'shape' in x) {
    const { data, shape } = x;
    if (!Array.isArray(shape) || shape.length < 1 || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ShapeError(`${name}.shape must be a list of sizes, N first, got ${JSON.stringify(shape)}`);
    if (!isFlat(data) || data.length !== product(shape)) {
      throw new ShapeError(`${name}.data has ${isFlat(data) ? data.length : 'no'} values; shape ${fmt(shape)} needs ${product(shape)}`);
    }
    if (fmt(shape.slice(1)) !== fmt(sampleShape)) throw mismatch(shape);
    return { tensor: tensor(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>), shape), owned: true };
  }
  if (!Array.isArray(x)) throw new ShapeError(`${name}: expected samples as nested arrays, a typed array, { data, shape } or a tensor, got ${typeof x}`);
  const shape = nestedShape(x, name);
  if (fmt(shape.slice(1)) !== fmt(sampleShape)) throw mismatch(shape);
  return { tensor: tensor(Float32Array.from(flatNumbers(x, product(shape))), shape), owned: true };
}

/**
 * Targets as a tensor: int64 [N] when they are whole numbers one per sample (class indices, 0/1), else
 * float32 in their own shape (one-hot rows, values). `owned` as for samplesTensor.
 */
export function targetsTensor(y: TargetInput, name = 'y'): { tensor: Tensor; owned: boolean } {
  if (y instanceof Tensor) return { tensor: y, owned: false };
  if (isFlat(y)) {
    const values = Float64Array.from(y as ArrayLike<number>);
    const labels = values.every(Number.isInteger);
    return { tensor: tensor(values, [values.length], labels ? 'int64' : 'float32'), owned: true };
  }
  if (!Array.isArray(y)) throw new ShapeError(`${name}: expected targets as an array, a typed array or a tensor, got ${typeof y}`);
  const shape = nestedShape(y, name);
  return { tensor: tensor(Float32Array.from(flatNumbers(y, product(shape))), shape), owned: true };
}

/** Class names for targets: '0'..'k' for class indices (at least two), none for other targets. */
function classNames(y: Tensor): string[] {
  if (y.dtype !== 'int64' || y.rank !== 1 || y.shape[0] === 0) return [];
  const top = tidy(() => ops.max(y).item());
  return Array.from({ length: Math.max(top + 1, 2) }, (_, k) => String(k));
}

/**
 * x and y as a Dataset for the model's input shape; `dispose` frees what was made here (not a tensor given).
 * Different sample counts in x and y are a ShapeError.
 */
export function arrayDataset(x: SampleInput, y: TargetInput, sampleShape: readonly number[], names: [string, string] = ['x', 'y']): { dataset: Dataset; dispose(): void } {
  const xs = samplesTensor(x, sampleShape, names[0]);
  let ys: { tensor: Tensor; owned: boolean };
  try {
    ys = targetsTensor(y, names[1]);
    if (ys.tensor.rank < 1 || ys.tensor.shape[0] !== xs.tensor.shape[0]) {
      const error = new ShapeError(`${names[0]} has ${xs.tensor.shape[0]} samples but ${names[1]} has ${ys.tensor.shape[0] ?? 0} targets (${names[1]} ${fmt(ys.tensor.shape)})`);
      if (ys.owned) ys.tensor.dispose();
      throw error;
    }
  } catch (e) {
    if (xs.owned) xs.tensor.dispose();
    throw e;
  }
  return {
    dataset: { name: names[0], x: xs.tensor, y: ys.tensor, classes: classNames(ys.tensor) },
    dispose: () => {
      if (xs.owned) xs.tensor.dispose();
      if (ys.owned) ys.tensor.dispose();
    },
  };
}

/**
 * The last `fraction` of a dataset as validation data, as Keras's validation_split takes it (before any
 * shuffle): views, no copy. For array data, whose targets need not be class labels.
 */
export function splitLast(ds: Dataset, fraction: number, path: string): { train: Dataset; val: Dataset } {
  const n = ds.y.shape[0];
  const nVal = Math.round(fraction * n);
  if (nVal < 1 || nVal >= n) throw new ShapeError(`${path}: ${n} samples and a validation split of ${fraction} leave ${nVal < 1 ? 'no validation samples' : 'nothing to train on'}`);
  const part = (start: number, length: number, name: string): Dataset =>
    tidy(() => ({ name, x: ops.detach(ds.x.narrow(0, start, length)), y: ops.detach(ds.y.narrow(0, start, length)), classes: ds.classes }));
  return { train: part(0, n - nVal, ds.name), val: part(n - nVal, nVal, `${ds.name} (validation)`) };
}
