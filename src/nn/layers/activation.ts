// An activation function as a layer of its own.
import type { Tensor } from '../../tensor/index.js';
import { activation, type Activation } from '../activations.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { activationToOnnx } from '../onnx/activations.js';

/** An activation as its own layer ({ type: 'activation', activation: 'relu' }). */
export class ActivationLayer extends Layer {
  readonly type = 'activation';
  readonly activation: Activation;
  constructor(config: Record<string, unknown>, path = 'activation') {
    super();
    const f = readLayer(config, { activation: { type: 'component' } }, path, 'activation layer');
    this.activation = activation(f.activation as string, `${path}.activation`);
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
