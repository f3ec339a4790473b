// Layers without weights: flatten, dropout and a standalone activation.
import { ops, type Tensor } from '../../tensor/index.js';
import { activation, type Activation } from '../activations.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';

/** [N, ...] -> [N, prod(...)]. */
export class Flatten extends Layer {
  readonly type = 'flatten';
  constructor(config: Record<string, unknown>, path = 'flatten') {
    super();
    readLayer(config, {}, path, 'flatten');
  }
  protected outputShapeFor(input: Shape): Shape {
    return [input.reduce((a, b) => a * b, 1)];
  }
  call(x: Tensor): Tensor {
    return ops.flatten(x, 1);
  }
  protected fields() {
    return {};
  }
}

/** Inverted dropout: zeroes a fraction `rate` in training and scales the rest by 1/(1 − rate). */
export class Dropout extends Layer {
  readonly type = 'dropout';
  readonly rate: number;
  constructor(config: Record<string, unknown>, path = 'dropout') {
    super();
    this.rate = readLayer(config, { rate: { type: 'number', min: 0, below: 1 } }, path, 'dropout').rate as number;
  }
  protected outputShapeFor(input: Shape): Shape {
    return input;
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    return ctx.training && this.rate > 0 ? ops.dropout(x, this.rate, true) : x;
  }
  protected fields() {
    return { rate: this.rate };
  }
}

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
  protected fields() {
    return { activation: this.activation.getConfig() };
  }
}
