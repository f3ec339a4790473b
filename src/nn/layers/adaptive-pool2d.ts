// Adaptive pooling, as PyTorch's AdaptiveAvgPool2d / AdaptiveMaxPool2d: [channels, height, width] ->
// [channels, ...outputSize], each output cell the mean (or largest value) of the input cells its window covers,
// whatever the input size. `{ type: AdaptiveAvgPool2d, outputSize: 1 }` then flatten is torchvision's ResNet head
// (globalAveragePooling2d is the same without the 1 x 1).
import { ops, type Tensor } from '../../tensor/index.js';
import { Layer, pair, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';

const SPEC = { outputSize: { type: 'size' } } satisfies LayerSpec;

abstract class AdaptivePool2d extends Layer {
  readonly outputSize: [number, number];

  constructor(config: Record<string, unknown>, path: string, kind: string) {
    super();
    this.outputSize = pair(readLayer(config, SPEC, path, kind).outputSize as number);
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, `does not fit: ${this.type} expects [channels, height, width]`);
    return [input[0], ...this.outputSize];
  }

  protected fields() {
    return { outputSize: this.outputSize };
  }
}

export class AdaptiveAvgPool2d extends AdaptivePool2d {
  readonly type = 'adaptiveAvgPool2d';
  constructor(config: Record<string, unknown>, path = 'adaptiveAvgPool2d') {
    super(config, path, 'adaptiveAvgPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.adaptiveAvgPool2d(x, [...this.outputSize]);
  }
}

export class AdaptiveMaxPool2d extends AdaptivePool2d {
  readonly type = 'adaptiveMaxPool2d';
  constructor(config: Record<string, unknown>, path = 'adaptiveMaxPool2d') {
    super(config, path, 'adaptiveMaxPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    const [values, indices] = ops.adaptiveMaxPool2d(x, [...this.outputSize]);
    indices.dispose();
    return values;
  }
}
