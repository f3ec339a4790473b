// Dense (fully connected): y = activation(x Wᵀ + b), W of shape [units, inputFeatures] as in PyTorch's Linear.
import { keep, ops, sparseInputLinear, sparseInputs, tidy, type Tensor } from '../../tensor/index.js';
import type { Activation } from '../activations.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { readWeighted, weightedFields, WEIGHTED_FIELDS, type Weighted } from './weighted.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';

const SPEC = { units: { type: 'number', integer: true, min: 1 }, ...WEIGHTED_FIELDS } satisfies LayerSpec;

export class Dense extends Layer {
  readonly type = 'dense';
  readonly units: number;
  private readonly w: Weighted;

  constructor(config: Record<string, unknown>, path = 'dense') {
    super();
    const f = readLayer(config, SPEC, path, 'dense');
    this.units = f.units as number;
    this.w = readWeighted(f, path);
    if (this.w.kernelRegularizer) this.regularizers.set('weight', this.w.kernelRegularizer);
  }

  get activation(): Activation {
    return this.w.activation;
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 1) {
      throw this.shapeError(input, `does not fit: dense expects [features]${input.length > 1 ? '; add a flatten layer before it' : ''}`);
    }
    return [this.units];
  }

  override weightShapes(input: Shape): Shape[] {
    return this.w.useBias ? [[this.units, input[0]], [this.units]] : [[this.units, input[0]]];
  }

  protected override createWeights(input: Shape): void {
    this.weights.set('weight', keep(this.w.kernelInit.init([this.units, input[0]])));
    if (this.w.useBias) this.weights.set('bias', keep(this.w.biasInit.init([this.units])));
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const kernel = ctx.inference?.get(this); // [in, out]: x·kernel, the same product as linear's x·Wᵀ
    const weight = this.weights.get('weight')!;
    const bias = this.weights.get('bias');
    // An input that needs no gradient comes from the data (a first layer): where it is mostly zeros, the
    // products run over its nonzeros only (tensor/sparse-input.ts).
    const y =
      sparseInputs && !x.requiresGrad
        ? sparseInputLinear(x, weight, bias ?? null, kernel ?? null)
        : kernel
          ? bias
            ? ops.addmm(bias, x, kernel)
            : ops.mm(x, kernel)
          : ops.linear(x, weight, bias ?? null);
    return ctx.skipActivation ? y : this.w.activation.apply(y);
  }

  override get outputActivation(): Activation {
    return this.w.activation;
  }

  /** The kernel transposed to [in, out], contiguous: the layout the BLAS multiplies fastest at small batches. */
  override inferenceWeight(): Tensor | null {
    if (!this.weights.has('weight')) return null;
    return tidy(() => ops.contiguous(ops.transpose(this.weights.get('weight')!, 0, 1)));
  }

  /** Gemm with the weight as PyTorch stores it ([units, in], transposed by the op), then the activation. */
  override toOnnx(g: OnnxGraph, x: string): string {
    const bias = this.weights.get('bias');
    const inputs = [x, g.weight(this.weights.get('weight')!), ...(bias ? [g.weight(bias)] : [])];
    return activationToOnnx(g, this.w.activation, g.node('Gemm', inputs, { transB: int(1) }));
  }

  protected fields() {
    return { units: this.units, ...weightedFields(this.w) };
  }
}
