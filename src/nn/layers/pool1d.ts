// What 1-d max and average pooling share, over [channels, length] inputs: poolSize (default 2), strides
// (default poolSize), padding 'valid' or explicit elements on both sides (at most half the pool, as PyTorch).
import { ConfigError } from '../../engine/errors.js';
import { Layer, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { positiveInt } from './conv-geometry.js';
import { ints, type OnnxAttribute } from '../../io/onnx.js';

const SPEC = {
  poolSize: { type: 'component', default: null, aliases: ['kernelSize'] },
  strides: { type: 'component', default: null, aliases: ['stride'] },
  padding: { type: 'component', default: 'valid' },
} satisfies LayerSpec;

/** A positive integer, or Keras's one-element tuple of it. */
const size1 = (value: unknown, at: string) => positiveInt(Array.isArray(value) && value.length === 1 ? value[0] : value, at);

export abstract class Pool1d extends Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: number;

  constructor(config: Record<string, unknown>, path: string, kind: string) {
    super();
    const f = readLayer(config, SPEC, path, kind);
    this.poolSize = f.poolSize === null ? 2 : size1(f.poolSize, `${path}.poolSize`);
    this.strides = f.strides === null ? this.poolSize : size1(f.strides, `${path}.strides`);
    const p = f.padding;
    if (p === 'valid') this.padding = 0;
    else if (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0) this.padding = p;
    else throw new ConfigError(`${path}.padding`, `expected 'valid' or elements on each side (n), got ${JSON.stringify(p)}`);
    if (this.padding * 2 > this.poolSize) {
      throw new ConfigError(`${path}.padding`, `padding ${this.padding} must be at most half the pool size ${this.poolSize}`);
    }
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 2) throw this.shapeError(input, `does not fit: ${this.type} expects [channels, length]`);
    const [c, n] = input;
    if (n + 2 * this.padding < this.poolSize) throw this.shapeError(input, `is shorter than the pool of ${this.poolSize}`);
    return [c, Math.floor((n + 2 * this.padding - this.poolSize) / this.strides) + 1];
  }

  /** The window, stride and padding as ONNX's pooling operators take them (pads: [start, end]). */
  protected onnxAttributes(): Record<string, OnnxAttribute> {
    return { kernel_shape: ints([this.poolSize]), strides: ints([this.strides]), pads: ints([this.padding, this.padding]) };
  }

  protected fields() {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}
