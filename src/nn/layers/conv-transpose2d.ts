// Transposed 2-D convolution (the gradient of a convolution with respect to its input, "deconvolution"), over
// [channels, height, width]: PyTorch's ConvTranspose2d and Keras's Conv2DTranspose. Weight
// [channels, filters / groups, kh, kw], bias [filters], PyTorch's layout; torch.nn.init computes its fans from
// that layout as initializers.ts does, so the initializers' limits are PyTorch's for the same weight. Unless
// initializers are given, the weights are drawn as PyTorch's ConvTranspose2d draws them (torch-init.ts).
// inChannels (PyTorch's in_channels) may be given: it is checked against the input's channels.
// The output is (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per axis, as PyTorch's.
// padding 'same' is Keras's: the output is in · stride (the transpose of a 'same' convolution of that size),
// cropped as TensorFlow crops it (the odd row/column at the bottom/right).
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import type { Activation } from '../activations.js';
import { Layer, pair, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { readWeighted, weightedFields, WEIGHTED_FIELDS, type Weighted } from './weighted.js';
import { checkGroups, dilatedSpan, pixels } from './conv-geometry.js';
import { initConv, readTorchInit, TORCH_INIT_FIELDS } from './torch-init.js';
import { int, ints } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';

const SPEC = {
  filters: { type: 'number', integer: true, min: 1, aliases: ['outChannels'] },
  kernelSize: { type: 'size' },
  strides: { type: 'size', default: 1, aliases: ['stride'] },
  padding: { type: 'component', default: 'valid' },
  outputPadding: { type: 'component', default: null },
  dilation: { type: 'size', default: 1, aliases: ['dilationRate'] },
  groups: { type: 'number', integer: true, min: 1, default: 1 },
  inChannels: { type: 'optionalInteger', min: 1 },
  ...WEIGHTED_FIELDS,
  ...TORCH_INIT_FIELDS,
} satisfies LayerSpec;

type Padding = 'valid' | 'same' | [number, number];

export class ConvTranspose2d extends Layer {
  readonly type = 'convTranspose2d';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly inChannels: number | null;
  private readonly w: Weighted;
  /** Which of the weight and bias are drawn as PyTorch draws them (no initializer given). */
  private readonly torchInit: { kernel: boolean; bias: boolean };
  /**
   * What ATen's conv_transpose2d is given, known once built: its padding and output padding ([h, w]), and the
   * rows and columns cropped from the bottom and right after it ('same' with an odd amount to crop).
   */
  aten = { padding: [0, 0] as [number, number], outputPadding: [0, 0] as [number, number], crop: [0, 0] as [number, number] };

  constructor(config: Record<string, unknown>, path = 'convTranspose2d') {
    super();
    const f = readLayer(config, SPEC, path, 'convTranspose2d');
    this.filters = f.filters as number;
    this.kernelSize = pair(f.kernelSize as number);
    this.strides = pair(f.strides as number);
    this.dilation = pair(f.dilation as number);
    this.groups = f.groups as number;
    checkGroups(this.groups, this.filters, path);
    const p = f.padding;
    const explicit = pixels(p);
    if (p !== 'valid' && p !== 'same' && explicit === null) {
      throw new ConfigError(`${path}.padding`, `expected 'valid', 'same', or pixels (n or [h, w]), got ${JSON.stringify(p)}`);
    }
    this.padding = p === 'valid' || p === 'same' ? p : explicit!;
    const op = pixels(f.outputPadding ?? 0);
    if (op === null) throw new ConfigError(`${path}.outputPadding`, `expected pixels (n or [h, w]), got ${JSON.stringify(f.outputPadding)}`);
    // PyTorch's rule: an output padding row must fall within the last stride (or dilation) step.
    if (op.some((n, i) => n >= Math.max(this.strides[i], this.dilation[i]))) {
      throw new ConfigError(`${path}.outputPadding`, `outputPadding ${JSON.stringify(op)} must be smaller than strides ${JSON.stringify(this.strides)} or dilation ${JSON.stringify(this.dilation)}`);
    }
    if (this.padding === 'same' && op.some((n) => n > 0)) {
      throw new ConfigError(`${path}.outputPadding`, "padding 'same' sets the output size (input · strides); give explicit padding to use outputPadding");
    }
    this.outputPadding = op;
    this.inChannels = f.inChannels as number | null;
    const init = readTorchInit(f);
    this.torchInit = init;
    this.w = readWeighted(init.fields, path);
    if (this.w.kernelRegularizer) this.regularizers.set('weight', this.w.kernelRegularizer);
  }

  get activation(): Activation {
    return this.w.activation;
  }

  override get outputActivation(): Activation {
    return this.w.activation;
  }

  /** Convolutions run best on libtorch's intra-op threads. */
  override get workload(): 'conv' {
    return 'conv';
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 3) throw this.shapeError(input, 'does not fit: convTranspose2d expects [channels, height, width]');
    const [c, h, w] = input;
    if (this.inChannels !== null && c !== this.inChannels) throw this.shapeError(input, `has ${c} channels, but the layer's inChannels is ${this.inChannels}`);
    if (c % this.groups !== 0) throw this.shapeError(input, `does not fit: its ${c} channels are not divisible by groups ${this.groups}`);
    const axis = (n: number, i: 0 | 1) => {
      const span = dilatedSpan(this.kernelSize[i], this.dilation[i]);
      const s = this.strides[i];
      if (this.padding !== 'same') {
        const p = this.padding === 'valid' ? 0 : this.padding[i];
        return { out: (n - 1) * s - 2 * p + span + this.outputPadding[i], padding: p, outputPadding: this.outputPadding[i], crop: 0 };
      }
      // The full transposed output is (n − 1)·s + span long; 'same' keeps n·s of it, from floor(excess / 2).
      const excess = span - s;
      if (excess < 0) return { out: n * s, padding: 0, outputPadding: -excess, crop: 0 };
      const before = Math.floor(excess / 2);
      return { out: n * s, padding: before, outputPadding: 0, crop: excess - 2 * before };
    };
    const [ah, aw] = [axis(h, 0), axis(w, 1)];
    this.aten = { padding: [ah.padding, aw.padding], outputPadding: [ah.outputPadding, aw.outputPadding], crop: [ah.crop, aw.crop] };
    return [this.filters, ah.out, aw.out];
  }

  override weightShapes(input: Shape): Shape[] {
    const weight = [input[0], this.filters / this.groups, ...this.kernelSize];
    return this.w.useBias ? [weight, [this.filters]] : [weight];
  }

  protected override createWeights(input: Shape): void {
    const shape = [input[0], this.filters / this.groups, ...this.kernelSize];
    const { weight, bias } = initConv(shape, this.w.useBias ? [this.filters] : null, this.torchInit, this.w.kernelInit, this.w.biasInit);
    this.weights.set('weight', weight);
    if (bias) this.weights.set('bias', bias);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const { padding, outputPadding, crop } = this.aten;
    let y = ops.convTranspose2d(x, this.weights.get('weight')!, this.weights.get('bias') ?? null, [...this.strides], [...padding], [...outputPadding], this.groups, [...this.dilation]);
    if (crop[0] > 0) y = ops.narrow(y, 2, 0, y.shape[2] - crop[0]);
    if (crop[1] > 0) y = ops.narrow(y, 3, 0, y.shape[3] - crop[1]);
    return ctx.skipActivation ? y : this.w.activation.apply(y);
  }

  /**
   * ConvTranspose with the weight in PyTorch's layout (ONNX's is the same, [in, out / groups, kh, kw]). ONNX pads
   * each side on its own, so the rows and columns call() crops from the bottom and right are end padding; the
   * output size follows from the pads and output_padding as it does in ATen.
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const { padding, outputPadding, crop } = this.aten;
    const bias = this.weights.get('bias');
    const inputs = [x, g.weight(this.weights.get('weight')!), ...(bias ? [g.weight(bias)] : [])];
    const y = g.node('ConvTranspose', inputs, {
      kernel_shape: ints(this.kernelSize),
      strides: ints(this.strides),
      pads: ints([padding[0], padding[1], padding[0] + crop[0], padding[1] + crop[1]]),
      output_padding: ints(outputPadding),
      dilations: ints(this.dilation),
      group: int(this.groups),
    });
    return activationToOnnx(g, this.w.activation, y);
  }

  protected fields() {
    return {
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
      ...(this.inChannels === null ? {} : { inChannels: this.inChannels }),
      ...weightedFields(this.w),
      ...(this.torchInit.kernel ? { kernelInitializer: null } : {}),
      ...(this.torchInit.bias ? { biasInitializer: null } : {}),
    };
  }
}
