// Layer normalisation: each sample normalised over its last axes (mean 0, variance 1, biased variance), then
// scaled and shifted elementwise: PyTorch's LayerNorm(normalized_shape) and Keras's LayerNormalization (axis -1).
// normalizedShape: the trailing sizes normalised over (default the last axis, Keras's default); weight and bias
// have that shape, PyTorch's names. epsilon defaults to Keras's 1e-3 as batchNorm's does (PyTorch's is 1e-5:
// write eps: 1e-5). center/scale are Keras's switches for the bias and the weight; PyTorch's
// elementwiseAffine: false turns both off.
import { keep, ones, ops, zeros, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import { Layer, fmtShape, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { float, int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = {
  normalizedShape: { type: 'component', default: null },
  epsilon: { type: 'number', default: 1e-3, min: 0, exclusiveMin: true, aliases: ['eps'] },
  center: { type: 'boolean', default: true, aliases: ['bias'] }, // PyTorch 2.1's LayerNorm(bias=False)
  scale: { type: 'boolean', default: true },
  elementwiseAffine: { type: 'boolean', default: true },
} satisfies LayerSpec;

export class LayerNorm extends Layer {
  readonly type = 'layerNormalization';
  /** As given (null: the input's last axis). */
  readonly normalizedShape: number[] | null;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** The trailing sizes normalised over, known once built. */
  private shape: readonly number[] = [];

  constructor(config: Record<string, unknown>, path = 'layerNormalization') {
    super();
    const f = readLayer(config, SPEC, path, 'layerNormalization');
    const n = f.normalizedShape;
    const ok = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
    if (n === null) this.normalizedShape = null;
    else if (ok(n)) this.normalizedShape = [n as number];
    else if (Array.isArray(n) && n.length > 0 && n.every(ok)) this.normalizedShape = [...n];
    else throw new ConfigError(`${path}.normalizedShape`, `expected a size or the list of the last axes' sizes, such as 64 or [8, 8], got ${JSON.stringify(n)}`);
    this.epsilon = f.epsilon as number;
    this.center = (f.center as boolean) && (f.elementwiseAffine as boolean);
    this.scale = (f.scale as boolean) && (f.elementwiseAffine as boolean);
  }

  protected outputShapeFor(input: Shape): Shape {
    const want = this.shapeFor(input);
    const tail = input.slice(input.length - want.length);
    if (want.length > input.length || tail.some((d, i) => d !== want[i])) {
      throw this.shapeError(input, `does not end in normalizedShape ${fmtShape(want)}`);
    }
    this.shape = want;
    return input;
  }

  /** The sizes normalised over for an input: normalizedShape, or the input's last axis. */
  private shapeFor(input: Shape): readonly number[] {
    return this.normalizedShape ?? [input[input.length - 1]];
  }

  override weightShapes(input: Shape): Shape[] {
    const shape = this.shapeFor(input);
    return [...(this.scale ? [shape] : []), ...(this.center ? [shape] : [])];
  }

  protected override createWeights(_input: Shape): void {
    if (this.scale) this.weights.set('weight', keep(ones(this.shape)));
    if (this.center) this.weights.set('bias', keep(zeros(this.shape)));
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.layerNorm(x, [...this.shape], this.weights.get('weight') ?? null, this.weights.get('bias') ?? null, this.epsilon, true);
  }

  /**
   * LayerNormalization (opset 17) over the same trailing axes (axis counted from the end); ONNX needs a scale,
   * so 1s stand in for an absent weight (an absent bias is left out).
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const weight = this.weights.get('weight');
    const bias = this.weights.get('bias');
    const n = this.shape.reduce((a, b) => a * b, 1);
    const scale = weight ? g.weight(weight) : g.constant('scale', new Array<number>(n).fill(1), this.shape);
    return g.node('LayerNormalization', [x, scale, ...(bias ? [g.weight(bias)] : [])], { axis: int(-this.shape.length), epsilon: float(this.epsilon) });
  }

  protected fields() {
    return { normalizedShape: this.normalizedShape, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
