// An activation function as a layer of its own.
import type { Tensor } from '../../tensor/index.js';
import { canonicalName } from '../../engine/fields.js';
import { activation, ACTIVATION_NAMES, type Activation } from '../activations.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';

/**
 * An activation as its own layer ({ type: 'activation', activation: 'relu' }). PyTorch's and Keras's activation
 * classes are layer types too (the registry maps them here): { type: ReLU } or { type: LeakyReLU, alpha: 0.1 }
 * names the activation by its type, and its other fields are the activation's parameters.
 */
export class ActivationLayer extends Layer {
  readonly type = 'activation';
  readonly activation: Activation;
  constructor(config: Record<string, unknown>, path = 'activation') {
    super();
    const named = typeof config.type === 'string' ? canonicalName(config.type, ACTIVATION_NAMES) : null;
    if (named !== null) {
      const { type: _type, name: _name, ...params } = config;
      this.activation = activation({ ...params, name: named }, path);
      return;
    }
    const f = readLayer(config, { activation: { type: 'component' } }, path, 'activation layer');
    this.activation = activation(f.activation as string, `${path}.activation`);
  }
  override get outputActivation(): Activation {
    return this.activation;
  }
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    return ctx.skipActivation ? x : this.activation.apply(x);
  }
  override toOnnx(g: OnnxGraph, x: string): string {
    return activationToOnnx(g, this.activation, x);
  }
  protected fields() {
    return { activation: this.activation.getConfig() };
  }
}
