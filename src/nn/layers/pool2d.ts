// What max and average pooling share: poolSize (default 2), strides (default poolSize), padding 'valid' or
// explicit pixels, over [channels, height, width] inputs.
import { ConfigError } from '../../engine/errors.js';
import { Layer, pair, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { ints, type OnnxAttribute } from '../../io/onnx.js';

const SPEC = {
  poolSize: { type: 'size', default: 2, aliases: ['kernelSize'] },
  strides: { type: 'size', default: null, aliases: ['stride'] },
  padding: { type: 'component', default: 'valid' },
} satisfies LayerSpec;

export abstract class Pool2d extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: [number, number];

  constructor(config: Record<string, unknown>, path: string, kind: string) {
    super();
    const f = readLayer(config, SPEC, path, kind);
    this.poolSize = pair(f.poolSize as number);
    this.strides = f.strides === null ? this.poolSize : pair(f.strides as number);
    const p = f.padding;
    if (p === 'valid') this.padding = [0, 0];
    else if (typeof p === 'number' && Number.isInteger(p) && p >= 0) this.padding = [p, p];
    else if (Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0)) this.padding = [p[0], p[1]];
    else throw new ConfigError(`${path}.padding`, `expected 'valid' or pixels (n or [h, w]), got ${JSON.stringify(p)}`);
    if (this.padding[0] * 2 > this.poolSize[0] || this.padding[1] * 2 > this.poolSize[1]) {
      throw new ConfigError(`${path}.padding`, `padding ${JSON.stringify(this.padding)} must be at most half the pool size ${JSON.stringify(this.poolSize)}`);
    }
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, `does not fit: ${this.type} expects [channels, height, width]`);
    const [c, h, w] = input;
    const out = (n: number, i: 0 | 1) => Math.floor((n + 2 * this.padding[i] - this.poolSize[i]) / this.strides[i]) + 1;
    if (h + 2 * this.padding[0] < this.poolSize[0] || w + 2 * this.padding[1] < this.poolSize[1]) {
      throw this.shapeError(input, `is smaller than the ${this.poolSize.join('x')} pool`);
    }
    return [c, out(h, 0), out(w, 1)];
  }

  /** The window, strides and padding as ONNX's pooling operators take them (pads: [top, left, bottom, right]). */
  protected onnxAttributes(): Record<string, OnnxAttribute> {
    const [ph, pw] = this.padding;
    return { kernel_shape: ints(this.poolSize), strides: ints(this.strides), pads: ints([ph, pw, ph, pw]) };
  }

  protected fields() {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}
