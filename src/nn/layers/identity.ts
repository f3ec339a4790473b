// The identity: its input, unchanged (PyTorch's nn.Identity, Keras's Identity): a placeholder where a model
// takes a layer out (a replaced head, a block's shortcut) while its config keeps the same shape.
import type { Tensor } from '../../tensor/index.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';

export class Identity extends Layer {
  readonly type = 'identity';
  constructor(config: Record<string, unknown>, path = 'identity') {
    super();
    readLayer(config, {}, path, 'identity');
  }
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return x;
  }
  /** No node: the layer's output is its input. */
  override toOnnx(_g: OnnxGraph, x: string): string {
    return x;
  }
  protected fields() {
    return {};
  }
}
