// Average pooling: the mean of each window (padding excluded from the count, as Keras).
import { ops, type Tensor } from '../../tensor/index.js';
import type { CallContext } from './layer.js';
import { Pool2d } from './pool2d.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

export class AvgPool2d extends Pool2d {
  readonly type = 'avgPool2d';
  constructor(config: Record<string, unknown>, path = 'avgPool2d') {
    super(config, path, 'avgPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    // count_include_pad false: padded zeros do not dilute the average (as Keras).
    return ops.avgPool2d(x, [...this.poolSize], [...this.strides], [...this.padding], false, false);
  }
  /** AveragePool without counting the padding, as call() computes it. */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('AveragePool', [x], { ...this.onnxAttributes(), count_include_pad: int(0) });
  }
}
