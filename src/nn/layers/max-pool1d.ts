// 1-d max pooling: the largest value of each window along the length.
import { ops, type Tensor } from '../../tensor/index.js';
import type { CallContext } from './layer.js';
import { Pool1d } from './pool1d.js';
import type { OnnxGraph } from '../onnx/graph.js';

export class MaxPool1d extends Pool1d {
  readonly type = 'maxPool1d';
  constructor(config: Record<string, unknown>, path = 'maxPool1d') {
    super(config, path, 'maxPool1d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.maxPool1d(x, [this.poolSize], [this.strides], [this.padding]);
  }
  /** MaxPool over one axis: padded elements never win, in ONNX as in libtorch. */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('MaxPool', [x], this.onnxAttributes());
  }
}
