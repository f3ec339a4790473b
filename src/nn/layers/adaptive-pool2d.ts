// Adaptive pooling, as PyTorch's AdaptiveAvgPool2d / AdaptiveMaxPool2d: [channels, height, width] ->
// [channels, ...outputSize], each output cell the mean (or largest value) of the input cells its window covers,
// whatever the input size. `{ type: AdaptiveAvgPool2d, outputSize: 1 }` then flatten is torchvision's ResNet head
// (globalAveragePooling2d is the same without the 1 x 1).
import { ops, type Tensor } from '../../tensor/index.js';
import { Layer, pair, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { NnlabError } from '../../engine/errors.js';
import { ints } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = { outputSize: { type: 'size' } } satisfies LayerSpec;

abstract class AdaptivePool2d extends Layer {
  readonly outputSize: [number, number];
  /** ONNX's operators for it: over the whole image (outputSize 1), and over windows. */
  protected abstract readonly onnxOps: { global: string; windows: string };

  constructor(config: Record<string, unknown>, path: string, kind: string) {
    super();
    this.outputSize = pair(readLayer(config, SPEC, path, kind).outputSize as number);
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, `does not fit: ${this.type} expects [channels, height, width]`);
    return [input[0], ...this.outputSize];
  }

  /**
   * outputSize 1 is the global pool. Otherwise ONNX has no adaptive pool; where the input's height and width are
   * multiples of the output's, every window is the same size (input / output) and they tile the image, so it is
   * a plain pool with that kernel and stride. Other sizes have windows of different sizes: an error naming the layer.
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const [oh, ow] = this.outputSize;
    if (oh === 1 && ow === 1) return g.node(this.onnxOps.global, [x]);
    const [, h, w] = this.inputShape!;
    if (h % oh !== 0 || w % ow !== 0) {
      throw new NnlabError(
        `${this.describe()} cannot be exported to ONNX: its output ${oh}x${ow} from an input of ${h}x${w} takes windows of different sizes, which ONNX's pools cannot express (only output size 1, or an input whose height and width are multiples of the output's)`,
      );
    }
    const kernel = [h / oh, w / ow];
    return g.node(this.onnxOps.windows, [x], { kernel_shape: ints(kernel), strides: ints(kernel) });
  }

  protected fields() {
    return { outputSize: this.outputSize };
  }
}

export class AdaptiveAvgPool2d extends AdaptivePool2d {
  readonly type = 'adaptiveAvgPool2d';
  protected readonly onnxOps = { global: 'GlobalAveragePool', windows: 'AveragePool' };
  constructor(config: Record<string, unknown>, path = 'adaptiveAvgPool2d') {
    super(config, path, 'adaptiveAvgPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.adaptiveAvgPool2d(x, [...this.outputSize]);
  }
}

export class AdaptiveMaxPool2d extends AdaptivePool2d {
  readonly type = 'adaptiveMaxPool2d';
  protected readonly onnxOps = { global: 'GlobalMaxPool', windows: 'MaxPool' };
  constructor(config: Record<string, unknown>, path = 'adaptiveMaxPool2d') {
    super(config, path, 'adaptiveMaxPool2d');
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    const [values, indices] = ops.adaptiveMaxPool2d(x, [...this.outputSize]);
    indices.dispose();
    return values;
  }
}
