// 2-D convolution over [channels, height, width] inputs; weight [filters, channels, kh, kw] as in PyTorch.
// padding: 'valid' (none), 'same' (output = ceil(input / stride), split as Keras does: the extra row/column
// of an even kernel goes bottom/right), or explicit pixels (n or [h, w]). groups: grouped convolution (PyTorch's
// and Keras's groups; groups = channels is depthwise), weight [filters, channels / groups, kh, kw]. inChannels
// (PyTorch's in_channels) may be given: it is checked against the input's channels.
import { keep, ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import type { Activation } from '../activations.js';
import { Layer, pair, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { readWeighted, weightedFields, WEIGHTED_FIELDS, type Weighted } from './weighted.js';
import { int, ints } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';
import { checkGroups } from './conv-geometry.js';

const SPEC = {
  filters: { type: 'number', integer: true, min: 1, aliases: ['outChannels'] },
  kernelSize: { type: 'size' },
  strides: { type: 'size', default: 1, aliases: ['stride'] },
  padding: { type: 'component', default: 'valid' },
  groups: { type: 'number', integer: true, min: 1, default: 1 },
  inChannels: { type: 'optionalInteger', min: 1 },
  ...WEIGHTED_FIELDS,
} satisfies LayerSpec;

type Padding = 'valid' | 'same' | number | [number, number];

function readPadding(value: unknown, at: string): Padding {
  if (value === 'valid' || value === 'same') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n) && n >= 0)) return [value[0], value[1]];
  throw new ConfigError(at, `expected 'valid', 'same', or pixels (n or [h, w]), got ${JSON.stringify(value)}`);
}

/** Padding before/after along one axis, for an input size, kernel and stride. */
function padsFor(padding: Padding, axis: 0 | 1, size: number, kernel: number, stride: number): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') {
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  }
  const p = pair(padding)[axis];
  return [p, p];
}

export class Conv2d extends Layer {
  readonly type = 'conv2d';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly groups: number;
  readonly inChannels: number | null;
  private readonly w: Weighted;
  /** [top, bottom, left, right], known once built. */
  private pads: [number, number, number, number] = [0, 0, 0, 0];

  constructor(config: Record<string, unknown>, path = 'conv2d') {
    super();
    const f = readLayer(config, SPEC, path, 'conv2d');
    this.filters = f.filters as number;
    this.kernelSize = pair(f.kernelSize as number);
    this.strides = pair(f.strides as number);
    this.padding = readPadding(f.padding, `${path}.padding`);
    this.groups = f.groups as number;
    checkGroups(this.groups, this.filters, path);
    this.inChannels = f.inChannels as number | null;
    this.w = readWeighted(f, path);
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
    if (input.length !== 3) {
      throw this.shapeError(input, 'does not fit: conv2d expects [channels, height, width]');
    }
    const [c, h, w] = input;
    if (this.inChannels !== null && c !== this.inChannels) throw this.shapeError(input, `has ${c} channels, but the layer's inChannels is ${this.inChannels}`);
    if (c % this.groups !== 0) throw this.shapeError(input, `does not fit: its ${c} channels are not divisible by groups ${this.groups}`);
    const [kh, kw] = this.kernelSize;
    const [sh, sw] = this.strides;
    const [top, bottom] = padsFor(this.padding, 0, h, kh, sh);
    const [left, right] = padsFor(this.padding, 1, w, kw, sw);
    if (h + top + bottom < kh || w + left + right < kw) {
      throw this.shapeError(input, `is smaller than the ${kh}x${kw} kernel`);
    }
    this.pads = [top, bottom, left, right];
    return [this.filters, Math.floor((h + top + bottom - kh) / sh) + 1, Math.floor((w + left + right - kw) / sw) + 1];
  }

  override weightShapes(input: Shape): Shape[] {
    const weight = [this.filters, input[0] / this.groups, ...this.kernelSize];
    return this.w.useBias ? [weight, [this.filters]] : [weight];
  }

  protected override createWeights(input: Shape): void {
    const [kh, kw] = this.kernelSize;
    this.weights.set('weight', keep(this.w.kernelInit.init([this.filters, input[0] / this.groups, kh, kw])));
    if (this.w.useBias) this.weights.set('bias', keep(this.w.biasInit.init([this.filters])));
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const [top, bottom, left, right] = this.pads;
    const symmetric = top === bottom && left === right;
    // Asymmetric 'same' padding (even kernels) is one explicit pad before a padding-free convolution.
    const input = symmetric ? x : ops.constantPadNd(x, [left, right, top, bottom], 0);
    const padding = symmetric ? [top, left] : [0, 0];
    const y = ops.conv2d(input, this.weights.get('weight')!, this.weights.get('bias') ?? null, [...this.strides], padding, 1, this.groups);
    return ctx.skipActivation ? y : this.w.activation.apply(y);
  }

  /** Conv with the weight in PyTorch's layout; ONNX pads each side on its own ([top, left, bottom, right]). */
  override toOnnx(g: OnnxGraph, x: string): string {
    const [top, bottom, left, right] = this.pads;
    const bias = this.weights.get('bias');
    const inputs = [x, g.weight(this.weights.get('weight')!), ...(bias ? [g.weight(bias)] : [])];
    const y = g.node('Conv', inputs, {
      kernel_shape: ints(this.kernelSize),
      strides: ints(this.strides),
      pads: ints([top, left, bottom, right]),
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
      groups: this.groups,
      ...(this.inChannels === null ? {} : { inChannels: this.inChannels }),
      ...weightedFields(this.w),
    };
  }
}
