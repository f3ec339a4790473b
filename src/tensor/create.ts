// Making tensors from JS data and by shape. Floating point defaults to float32 (the deep-learning default,
// as in Keras and tfjs; PyTorch would infer int64 for whole numbers, which JS numbers cannot tell apart).
import { getNative } from '../engine/native.js';
import { dtypeOfArray, type DType, type TypedArray } from './dtype.js';
import * as ops from './ops.generated.js';
import { Tensor } from './tensor.js';

const native = getNative();

type Nested = number | boolean | Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let level: Nested = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return shape;
}

function flatten(data: Nested, shape: number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new TypeError(`tensor: ragged nested array (expected shape [${shape.join(', ')}])`);
    out.push(typeof data === 'boolean' ? Number(data) : data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new TypeError(`tensor: ragged nested array (expected shape [${shape.join(', ')}])`);
  }
  for (const d of data) flatten(d, shape, depth + 1, out);
}

function firstLeaf(data: Nested): number | boolean | undefined {
  let v: Nested = data;
  while (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    v = v[0];
  }
  return v;
}

/**
 * A tensor holding a copy of `data`: a TypedArray (its dtype unless `dtype` says otherwise), a number, or a
 * nested array of numbers or booleans. The shape is inferred from nested arrays, and required for a flat
 * TypedArray that is not 1-D.
 */
export function tensor(data: Nested | TypedArray, shape?: readonly number[], dtype?: DType): Tensor {
  if (ArrayBuffer.isView(data)) {
    const own = dtypeOfArray(data);
    if (own === null) {
      throw new TypeError(`tensor: ${data.constructor.name} is not supported (Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array, Int16Array)`);
    }
    return new Tensor(native.fromArray(data, shape ?? [data.length], dtype));
  }
  const inferred = inferShape(data);
  const flat: number[] = [];
  flatten(data, inferred, 0, flat);
  const kind = dtype ?? (typeof firstLeaf(data) === 'boolean' ? 'bool' : 'float32');
  const target = shape ?? inferred;
  const source = kind === 'float64' ? Float64Array.from(flat) : Float32Array.from(flat);
  if (kind === 'int64' || kind === 'int32' || kind === 'uint8' || kind === 'int8' || kind === 'int16') {
    // Whole numbers beyond float32's 2^24 keep their value through float64.
    return new Tensor(native.fromArray(Float64Array.from(flat), target, kind));
  }
  return new Tensor(native.fromArray(source, target, kind === 'float32' || kind === 'float64' ? undefined : kind));
}

/** A 0-d tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return ops.scalarTensor(value, dtype);
}

export interface Options {
  dtype?: DType;
  device?: string;
}

export function zeros(shape: readonly number[], o: Options = {}): Tensor {
  return ops.zeros([...shape], o.dtype ?? 'float32', undefined, o.device);
}
export function ones(shape: readonly number[], o: Options = {}): Tensor {
  return ops.ones([...shape], o.dtype ?? 'float32', undefined, o.device);
}
export function full(shape: readonly number[], value: number, o: Options = {}): Tensor {
  return ops.full([...shape], value, o.dtype ?? 'float32', undefined, o.device);
}
/** Samples of N(0, 1), from libtorch's seeded generator. */
export function randn(shape: readonly number[], o: Options = {}): Tensor {
  return ops.randn([...shape], o.dtype ?? 'float32', undefined, o.device);
}
/** Samples of U[0, 1), from libtorch's seeded generator. */
export function rand(shape: readonly number[], o: Options = {}): Tensor {
  return ops.rand([...shape], o.dtype ?? 'float32', undefined, o.device);
}
/** start, start + step, ... below end (int64 unless a dtype is given, like torch.arange with integers). */
export function arange(start: number, end?: number, step = 1, o: Options = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const whole = [start, end, step].every(Number.isInteger);
  return ops.arange(start, end, step, o.dtype ?? (whole ? 'int64' : 'float32'), undefined, o.device);
}
