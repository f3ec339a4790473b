// 1-d average pooling: the mean of each window along the length (padding excluded from the count, as Keras
// and avgPool2d; PyTorch's AvgPool1d counts it unless count_include_pad=False).
import { ops, type Tensor } from '../../tensor/index.js';
import type { CallContext } from './layer.js';
import { Pool1d } from './pool1d.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

export class AvgPool1d extends Pool1d {
  readonly type = 'avgPool1d';
  constructor(config: Record<string, unknown>, path = 'avgPool1d') {
    super(config, path, 'avgPool1d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.avgPool1d(x, [this.poolSize], [this.strides], [this.padding], false, false);
  }
  /** AveragePool over one axis without counting the padding, as call() computes it. */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('AveragePool', [x], { ...this.onnxAttributes(), count_include_pad: int(0) });
  }
}
