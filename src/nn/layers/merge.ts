// Merge layers: the layers of a graph model that take several inputs (Keras's Add, Subtract, Multiply, Average,
// Maximum, Minimum and Concatenate). The element-wise ones need inputs of one shape; concatenate joins along an
// axis (batch-inclusive, as PyTorch's torch.cat(dim) and Keras count it; default 1, the channel axis of an image
// [N, C, H, W] or the feature axis of [N, F]) where the other axes agree. A mismatch names the layer and every
// input shape. They have no weights.
import { ops, type Tensor } from '../../tensor/index.js';
import { readLayer } from './fields.js';
import { fmtShape, Layer, type CallContext, type Shape } from './layer.js';
import { ShapeError } from '../../engine/errors.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

abstract class MergeLayer extends Layer {
  override readonly arity = 'many';
  /** The shapes of the inputs, once built. */
  inputShapes: Shape[] = [];
  /** The fewest inputs the layer takes (and the most, for subtract). */
  protected readonly minInputs: number = 2;
  protected readonly maxInputs: number = Infinity;

  override buildInputs(shapes: readonly Shape[], checkWeights?: (shapes: Shape[]) => void): Shape {
    if (shapes.length < this.minInputs || shapes.length > this.maxInputs) {
      const want = this.maxInputs === this.minInputs ? `${this.minInputs}` : `at least ${this.minInputs}`;
      throw new ShapeError(`${this.describe()}: takes ${want} inputs, got ${shapes.length}${shapes.length ? ` (${shapes.map(fmtShape).join(', ')})` : ''}`);
    }
    const out = this.mergedShape(shapes);
    checkWeights?.([]);
    this.inputShapes = shapes.map((s) => [...s]);
    this.inputShape = shapes[0];
    this.outputShape = out;
    return out;
  }

  protected outputShapeFor(inputShape: Shape): Shape {
    throw new ShapeError(`${this.describe()}: merges several inputs; got one (${fmtShape(inputShape)})`);
  }

  override call(_x: Tensor, _ctx: CallContext): Tensor {
    throw new ShapeError(`${this.describe()}: merges several inputs; call it with callInputs`);
  }

  /** The output shape for these input shapes; a ShapeError naming them when they do not fit together. */
  protected mergedShape(shapes: readonly Shape[]): Shape {
    const first = shapes[0];
    if (shapes.some((s) => s.length !== first.length || s.some((d, i) => d !== first[i]))) {
      throw new ShapeError(`${this.describe()}: inputs of different shapes ${shapes.map(fmtShape).join(', ')}; ${this.type} needs one shape`);
    }
    return first;
  }

  protected fields(): Record<string, unknown> {
    return {};
  }
}

/** Element-wise merges: a fold of one op over the inputs. */
abstract class ElementwiseMerge extends MergeLayer {
  constructor(config: Record<string, unknown>, path: string, what: string) {
    super();
    readLayer(config, {}, path, what);
  }
  protected abstract combine(a: Tensor, b: Tensor): Tensor;
  override callInputs(xs: readonly Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => this.combine(acc, x), xs[0]);
  }
}

export class Add extends ElementwiseMerge {
  readonly type = 'add';
  constructor(config: Record<string, unknown>, path = 'add') {
    super(config, path, 'add');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.add(a, b);
  }
  /** Sum takes any number of inputs. */
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Sum', xs);
  }
}

/** The first input minus the second (exactly two, as Keras's Subtract). */
export class Subtract extends ElementwiseMerge {
  readonly type = 'subtract';
  protected override readonly maxInputs = 2;
  constructor(config: Record<string, unknown>, path = 'subtract') {
    super(config, path, 'subtract');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.sub(a, b);
  }
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Sub', xs);
  }
}

export class Multiply extends ElementwiseMerge {
  readonly type = 'multiply';
  constructor(config: Record<string, unknown>, path = 'multiply') {
    super(config, path, 'multiply');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.mul(a, b);
  }
  /** ONNX's Mul takes two inputs: a chain of them, in the order call() multiplies. */
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return xs.slice(1).reduce((acc, x) => g.node('Mul', [acc, x]), xs[0]);
  }
}

export class Maximum extends ElementwiseMerge {
  readonly type = 'maximum';
  constructor(config: Record<string, unknown>, path = 'maximum') {
    super(config, path, 'maximum');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.maximum(a, b);
  }
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Max', xs);
  }
}

export class Minimum extends ElementwiseMerge {
  readonly type = 'minimum';
  constructor(config: Record<string, unknown>, path = 'minimum') {
    super(config, path, 'minimum');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.minimum(a, b);
  }
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Min', xs);
  }
}

/** The mean of the inputs. */
export class Average extends ElementwiseMerge {
  readonly type = 'average';
  constructor(config: Record<string, unknown>, path = 'average') {
    super(config, path, 'average');
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return ops.add(a, b);
  }
  override callInputs(xs: readonly Tensor[]): Tensor {
    return ops.div(super.callInputs(xs), xs.length);
  }
  /** Mean: the sum of the inputs divided by their number, as call() computes it. */
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Mean', xs);
  }
}

/** The inputs joined along `axis` (batch-inclusive; default 1, the channel or feature axis). */
export class Concatenate extends MergeLayer {
  readonly type = 'concatenate';
  readonly axis: number;

  constructor(config: Record<string, unknown>, path = 'concatenate') {
    super();
    const f = readLayer(config, { axis: { type: 'number', integer: true, default: 1 } }, path, 'concatenate');
    this.axis = f.axis as number;
  }

  /** The axis within a sample (0-based), for inputs of `rank` axes per sample. */
  private sampleAxis(rank: number): number {
    const axis = this.axis < 0 ? this.axis + rank + 1 : this.axis;
    if (axis < 1 || axis > rank) {
      throw new ShapeError(`${this.describe()}: axis ${this.axis} is not an axis of the inputs' samples (axes 1 to ${rank}, or -1 to -${rank}; axis 0 is the batch)`);
    }
    return axis - 1;
  }

  protected override mergedShape(shapes: readonly Shape[]): Shape {
    const rank = shapes[0].length;
    const axis = this.sampleAxis(rank);
    const fits = shapes.every((s) => s.length === rank && s.every((d, i) => i === axis || d === shapes[0][i]));
    if (!fits) throw new ShapeError(`${this.describe()}: inputs ${shapes.map(fmtShape).join(', ')} differ outside axis ${this.axis}; concatenate needs every other axis equal`);
    const out = [...shapes[0]];
    out[axis] = shapes.reduce((n, s) => n + s[axis], 0);
    return out;
  }

  override callInputs(xs: readonly Tensor[]): Tensor {
    return ops.cat([...xs], this.sampleAxis(xs[0].shape.length - 1) + 1);
  }

  /** Concat along the same batch-inclusive axis (a negative one made positive, as call() does). */
  override toOnnxInputs(g: OnnxGraph, xs: readonly string[]): string {
    return g.node('Concat', xs, { axis: int(this.sampleAxis(this.inputShapes[0].length) + 1) });
  }

  protected override fields() {
    return { axis: this.axis };
  }
}
