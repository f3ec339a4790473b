// 1-D convolution over [channels, length] inputs (signals, sequences as channels × steps): PyTorch's Conv1d and
// Keras's Conv1D. Weight [filters, channels / groups, kernelSize], bias [filters], as in PyTorch, so its fans
// (and the initializers' limits) are torch.nn.init's for the same weight. padding: 'valid' (none), 'same'
// (output = ceil(length / stride), the odd element after, as Keras and PyTorch), 'causal' (Keras: all of it
// before, so an output never sees later steps), or explicit elements on both sides (PyTorch's padding=n).
// The weights are drawn as PyTorch's Conv1d draws them unless initializers are given (torch-init.ts).
// inChannels (PyTorch's in_channels) may be given: it is checked against the input's channels.
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import type { Activation } from '../activations.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { readWeighted, weightedFields, WEIGHTED_FIELDS, type Weighted } from './weighted.js';
import { checkGroups, dilatedSpan, positiveInt, samePads } from './conv-geometry.js';
import { initConv, readTorchInit, TORCH_INIT_FIELDS } from './torch-init.js';
import { int, ints } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';

const SPEC = {
  filters: { type: 'number', integer: true, min: 1, aliases: ['outChannels'] },
  kernelSize: { type: 'component' },
  strides: { type: 'component', default: null, aliases: ['stride'] },
  padding: { type: 'component', default: 'valid' },
  dilation: { type: 'component', default: null, aliases: ['dilationRate'] },
  groups: { type: 'number', integer: true, min: 1, default: 1 },
  inChannels: { type: 'optionalInteger', min: 1 },
  ...WEIGHTED_FIELDS,
  ...TORCH_INIT_FIELDS,
} satisfies LayerSpec;

export type Padding1d = 'valid' | 'same' | 'causal' | number;

/** A positive integer, or Keras's one-element tuple of it; `fallback` when not given. */
function size1(value: unknown, at: string, fallback?: number): number {
  if (value === null && fallback !== undefined) return fallback;
  return positiveInt(Array.isArray(value) && value.length === 1 ? value[0] : value, at);
}

function readPadding(value: unknown, at: string): Padding1d {
  if (value === 'valid' || value === 'same' || value === 'causal') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new ConfigError(at, `expected 'valid', 'same', 'causal' or elements on each side (n), got ${JSON.stringify(value)}`);
}

export class Conv1d extends Layer {
  readonly type = 'conv1d';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: Padding1d;
  readonly dilation: number;
  readonly groups: number;
  readonly inChannels: number | null;
  private readonly w: Weighted;
  /** Which of the weight and bias are drawn as PyTorch draws them (no initializer given). */
  private readonly torchInit: { kernel: boolean; bias: boolean };
  /** Elements added [before, after] the sequence, known once built. */
  pads: [number, number] = [0, 0];

  constructor(config: Record<string, unknown>, path = 'conv1d') {
    super();
    const f = readLayer(config, SPEC, path, 'conv1d');
    this.filters = f.filters as number;
    this.kernelSize = size1(f.kernelSize, `${path}.kernelSize`);
    this.strides = size1(f.strides, `${path}.strides`, 1);
    this.padding = readPadding(f.padding, `${path}.padding`);
    this.dilation = size1(f.dilation, `${path}.dilation`, 1);
    this.groups = f.groups as number;
    checkGroups(this.groups, this.filters, path);
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
    if (input.length !== 2) throw this.shapeError(input, 'does not fit: conv1d expects [channels, length]');
    const [c, n] = input;
    if (this.inChannels !== null && c !== this.inChannels) throw this.shapeError(input, `has ${c} channels, but the layer's inChannels is ${this.inChannels}`);
    if (c % this.groups !== 0) throw this.shapeError(input, `does not fit: its ${c} channels are not divisible by groups ${this.groups}`);
    const span = dilatedSpan(this.kernelSize, this.dilation);
    const p = this.padding;
    this.pads = p === 'valid' ? [0, 0] : p === 'same' ? samePads(n, span, this.strides) : p === 'causal' ? [span - 1, 0] : [p, p];
    const padded = n + this.pads[0] + this.pads[1];
    if (padded < span) throw this.shapeError(input, `is shorter than the kernel's span of ${span}`);
    return [this.filters, Math.floor((padded - span) / this.strides) + 1];
  }

  override weightShapes(input: Shape): Shape[] {
    const weight = [this.filters, input[0] / this.groups, this.kernelSize];
    return this.w.useBias ? [weight, [this.filters]] : [weight];
  }

  protected override createWeights(input: Shape): void {
    const shape = [this.filters, input[0] / this.groups, this.kernelSize];
    const { weight, bias } = initConv(shape, this.w.useBias ? [this.filters] : null, this.torchInit, this.w.kernelInit, this.w.biasInit);
    this.weights.set('weight', weight);
    if (bias) this.weights.set('bias', bias);
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const [before, after] = this.pads;
    // Uneven padding ('same' with an even span, 'causal') is one explicit pad before a padding-free convolution.
    const input = before === after ? x : ops.constantPadNd(x, [before, after], 0);
    const padding = before === after ? before : 0;
    const y = ops.conv1d(input, this.weights.get('weight')!, this.weights.get('bias') ?? null, [this.strides], [padding], [this.dilation], this.groups);
    return ctx.skipActivation ? y : this.w.activation.apply(y);
  }

  /** Conv over one axis, the weight in PyTorch's layout; ONNX pads each end on its own, so 'causal' needs no Pad. */
  override toOnnx(g: OnnxGraph, x: string): string {
    const bias = this.weights.get('bias');
    const inputs = [x, g.weight(this.weights.get('weight')!), ...(bias ? [g.weight(bias)] : [])];
    const y = g.node('Conv', inputs, {
      kernel_shape: ints([this.kernelSize]),
      strides: ints([this.strides]),
      pads: ints(this.pads),
      dilations: ints([this.dilation]),
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
      dilation: this.dilation,
      groups: this.groups,
      ...(this.inChannels === null ? {} : { inChannels: this.inChannels }),
      ...weightedFields(this.w),
      ...(this.torchInit.kernel ? { kernelInitializer: null } : {}),
      ...(this.torchInit.bias ? { biasInitializer: null } : {}),
    };
  }
}
