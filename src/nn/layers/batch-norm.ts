// Batch normalisation over the feature axis of dense inputs [features] or the channel axis of images
// [channels, h, w]. Keras's names and defaults (momentum 0.99: running = momentum·running + (1 − momentum)·batch;
// epsilon 1e-3); computed by ATen's batch_norm, so the running variance uses the unbiased batch variance as in
// PyTorch. Weights: weight (gamma), bias (beta); buffers: running_mean, running_var.
import { keep, ones, ops, zeros, type Tensor } from '../../tensor/index.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { float } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = {
  momentum: { type: 'number', default: 0.99, min: 0, max: 1 },
  epsilon: { type: 'number', default: 1e-3, min: 0, exclusiveMin: true, aliases: ['eps'] },
  center: { type: 'boolean', default: true },
  scale: { type: 'boolean', default: true },
} satisfies LayerSpec;

export class BatchNorm extends Layer {
  readonly type = 'batchNorm';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(config: Record<string, unknown>, path = 'batchNorm') {
    super();
    const f = readLayer(config, SPEC, path, 'batchNorm');
    this.momentum = f.momentum as number;
    this.epsilon = f.epsilon as number;
    this.center = f.center as boolean;
    this.scale = f.scale as boolean;
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 1 && input.length !== 3) {
      throw this.shapeError(input, 'does not fit: batchNorm expects [features] or [channels, height, width]');
    }
    return input;
  }

  override weightShapes(input: Shape): Shape[] {
    return Array.from({ length: 2 + Number(this.scale) + Number(this.center) }, () => [input[0]]);
  }

  protected override createWeights(input: Shape): void {
    const n = input[0];
    if (this.scale) this.weights.set('weight', keep(ones([n])));
    if (this.center) this.weights.set('bias', keep(zeros([n])));
    this.buffers.set('running_mean', keep(zeros([n])));
    this.buffers.set('running_var', keep(ones([n])));
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    return ops.batchNorm(
      x,
      this.weights.get('weight') ?? null,
      this.weights.get('bias') ?? null,
      this.buffers.get('running_mean')!,
      this.buffers.get('running_var')!,
      // A frozen batch norm (a frozen backbone's) normalises with its running statistics and leaves them as they are.
      ctx.training && !this.frozen,
      1 - this.momentum, // PyTorch's momentum is the weight of the new batch
      this.epsilon,
      false,
    );
  }

  /** BatchNormalization on the running statistics; ONNX needs scale and bias, so 1s and 0s stand in for absent ones. */
  override toOnnx(g: OnnxGraph, x: string): string {
    const mean = this.buffers.get('running_mean')!;
    const n = mean.shape[0];
    const weight = this.weights.get('weight');
    const bias = this.weights.get('bias');
    const scale = weight ? g.weight(weight) : g.constant('scale', new Array<number>(n).fill(1), [n]);
    const shift = bias ? g.weight(bias) : g.constant('shift', new Array<number>(n).fill(0), [n]);
    return g.node('BatchNormalization', [x, scale, shift, g.weight(mean), g.weight(this.buffers.get('running_var')!)], { epsilon: float(this.epsilon) });
  }

  protected fields() {
    return { momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
