// Max pooling: the largest value of each window.
import { ops, type Tensor } from '../../tensor/index.js';
import type { CallContext } from './layer.js';
import { Pool2d } from './pool2d.js';
import type { OnnxGraph } from '../onnx/graph.js';

export class MaxPool2d extends Pool2d {
  readonly type = 'maxPool2d';
  constructor(config: Record<string, unknown>, path = 'maxPool2d') {
    super(config, path, 'maxPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.maxPool2d(x, [...this.poolSize], [...this.strides], [...this.padding]);
  }
  /** MaxPool: padded cells never win, in ONNX as in libtorch. */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('MaxPool', [x], this.onnxAttributes());
  }
}
