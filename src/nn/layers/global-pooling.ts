// Global pooling, as Keras: the mean or the largest value over every position of each channel, [channels, length]
// or [channels, height, width] -> [channels] (with keepDims, [channels, 1] or [channels, 1, 1], as PyTorch's
// AdaptiveAvgPool2d(1) gives). The usual head of a convolutional network instead of flatten.
import { ops, type Tensor } from '../../tensor/index.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

abstract class GlobalPool extends Layer {
  readonly keepDims: boolean;
  /** The sample axes pooled over: 1 (a length) or 2 (height and width). */
  protected abstract readonly spatial: 1 | 2;
  /** The ONNX operator that pools every position of each channel (to [N, C, 1] or [N, C, 1, 1]). */
  protected abstract readonly onnxOp: 'GlobalAveragePool' | 'GlobalMaxPool';

  constructor(config: Record<string, unknown>, path: string, kind: string) {
    super();
    this.keepDims = readLayer(config, { keepDims: { type: 'boolean', default: false } }, path, kind).keepDims as boolean;
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== this.spatial + 1) {
      throw this.shapeError(input, `does not fit: ${this.type} expects [channels, ${this.spatial === 1 ? 'length' : 'height, width'}]`);
    }
    return this.keepDims ? [input[0], ...Array<number>(this.spatial).fill(1)] : [input[0]];
  }

  /** The batch's pooled axes. */
  protected get axes(): number[] {
    return this.spatial === 1 ? [2] : [2, 3];
  }

  /** The global pool keeps the pooled axes as 1s; without keepDims, Flatten drops them ([N, C]). */
  override toOnnx(g: OnnxGraph, x: string): string {
    const y = g.node(this.onnxOp, [x]);
    return this.keepDims ? y : g.node('Flatten', [y], { axis: int(1) });
  }

  protected fields() {
    return { keepDims: this.keepDims };
  }
}

export class GlobalAveragePooling1d extends GlobalPool {
  readonly type = 'globalAveragePooling1d';
  protected readonly spatial = 1;
  protected readonly onnxOp = 'GlobalAveragePool';
  constructor(config: Record<string, unknown>, path = 'globalAveragePooling1d') {
    super(config, path, 'globalAveragePooling1d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.meanDim(x, this.axes, this.keepDims);
  }
}

export class GlobalAveragePooling2d extends GlobalPool {
  readonly type = 'globalAveragePooling2d';
  protected readonly spatial = 2;
  protected readonly onnxOp = 'GlobalAveragePool';
  constructor(config: Record<string, unknown>, path = 'globalAveragePooling2d') {
    super(config, path, 'globalAveragePooling2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.meanDim(x, this.axes, this.keepDims);
  }
}

export class GlobalMaxPooling1d extends GlobalPool {
  readonly type = 'globalMaxPooling1d';
  protected readonly spatial = 1;
  protected readonly onnxOp = 'GlobalMaxPool';
  constructor(config: Record<string, unknown>, path = 'globalMaxPooling1d') {
    super(config, path, 'globalMaxPooling1d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    // amax spreads the gradient evenly over tied maxima, as PyTorch's amax (max_pool gives it to one of them).
    return ops.amax(x, this.axes, this.keepDims);
  }
}

export class GlobalMaxPooling2d extends GlobalPool {
  readonly type = 'globalMaxPooling2d';
  protected readonly spatial = 2;
  protected readonly onnxOp = 'GlobalMaxPool';
  constructor(config: Record<string, unknown>, path = 'globalMaxPooling2d') {
    super(config, path, 'globalMaxPooling2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.amax(x, this.axes, this.keepDims);
  }
}
