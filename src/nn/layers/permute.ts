// Reorder the axes of each sample, as Keras's Permute: `dims` are 1-based over the sample's axes (the batch axis
// is 0 and stays first), so [2, 1] swaps a [steps, features] sample to [features, steps] and [2, 3, 1] makes a
// [channels, height, width] image [height, width, channels]. (PyTorch's x.permute counts the batch axis: its
// permute(0, 2, 1) is dims [2, 1] here.)
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import { Layer, fmtShape, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { ints } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = { dims: { type: 'component' } } satisfies LayerSpec;

export class Permute extends Layer {
  readonly type = 'permute';
  readonly dims: number[];

  constructor(config: Record<string, unknown>, path = 'permute') {
    super();
    const d = readLayer(config, SPEC, path, 'permute').dims;
    const ok = Array.isArray(d) && d.length > 0 && [...d].sort((a, b) => a - b).every((n, i) => n === i + 1);
    if (!ok) throw new ConfigError(`${path}.dims`, `expected an order of the sample's axes counted from 1 (the batch axis stays first), such as [2, 1], got ${JSON.stringify(d)}`);
    this.dims = [...(d as number[])];
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== this.dims.length) {
      throw this.shapeError(input, `does not fit: dims ${fmtShape(this.dims)} order ${this.dims.length} axes, the input has ${input.length}`);
    }
    return this.dims.map((d) => input[d - 1]);
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.permute(x, [0, ...this.dims]);
  }

  /** Transpose with the batch axis first, as call() permutes. */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('Transpose', [x], { perm: ints([0, ...this.dims]) });
  }

  protected fields() {
    return { dims: [...this.dims] };
  }
}
