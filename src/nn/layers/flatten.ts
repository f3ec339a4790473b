// Flatten: [N, ...] -> [N, prod(...)], between convolutional and dense layers.
import { ops, type Tensor } from '../../tensor/index.js';
import { Layer, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

/** [N, ...] -> [N, prod(...)]. */
export class Flatten extends Layer {
  readonly type = 'flatten';
  constructor(config: Record<string, unknown>, path = 'flatten') {
    super();
    readLayer(config, {}, path, 'flatten');
  }
  protected outputShapeFor(input: Shape): Shape {
    return [input.reduce((a, b) => a * b, 1)];
  }
  call(x: Tensor): Tensor {
    return ops.flatten(x, 1);
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('Flatten', [x], { axis: int(1) });
  }
  protected fields() {
    return {};
  }
}
