// Dropout, as Keras and PyTorch (inverted): active in training only.
import { ops, type Tensor } from '../../tensor/index.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';

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
  /** The identity: an exported model only infers. */
  override toOnnx(_g: OnnxGraph, x: string): string {
    return x;
  }
  protected fields() {
    return { rate: this.rate };
  }
}
