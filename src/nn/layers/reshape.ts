// Reshape each sample, as Keras's Reshape: targetShape excludes the batch axis, and one -1 stands for whatever
// size makes the number of values the same ([16, 4, 4] -> targetShape [16, -1] is [16, 16]).
import { ops, type Tensor } from '../../tensor/index.js';
import { ConfigError } from '../../engine/errors.js';
import { Layer, fmtShape, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = { targetShape: { type: 'component', aliases: ['shape'] } } satisfies LayerSpec;

export class Reshape extends Layer {
  readonly type = 'reshape';
  /** As given, with its -1 if any. */
  readonly targetShape: number[];

  constructor(config: Record<string, unknown>, path = 'reshape') {
    super();
    const t = readLayer(config, SPEC, path, 'reshape').targetShape;
    const ok = Array.isArray(t) && t.length > 0 && t.every((n) => Number.isSafeInteger(n) && (n >= 1 || n === -1));
    if (!ok) throw new ConfigError(`${path}.targetShape`, `expected a list of positive sizes (one may be -1), such as [16, -1], got ${JSON.stringify(t)}`);
    if (t.filter((n) => n === -1).length > 1) throw new ConfigError(`${path}.targetShape`, `only one size may be -1, got ${JSON.stringify(t)}`);
    this.targetShape = [...(t as number[])];
  }

  protected outputShapeFor(input: Shape): Shape {
    const values = input.reduce((a, b) => a * b, 1);
    const known = this.targetShape.reduce((a, b) => (b === -1 ? a : a * b), 1);
    const free = this.targetShape.includes(-1);
    if (free ? values % known !== 0 : values !== known) {
      throw this.shapeError(input, `(${values} values) cannot be reshaped to ${fmtShape(this.targetShape)}${free ? '' : ` (${known} values)`}`);
    }
    return this.targetShape.map((n) => (n === -1 ? values / known : n));
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.reshape(x, [x.shape[0], ...this.outputShape!]);
  }

  /** Reshape to the built output shape; 0 keeps the batch axis as it is (the batch is dynamic). */
  override toOnnx(g: OnnxGraph, x: string): string {
    return g.node('Reshape', [x, g.int64('shape', [0, ...this.outputShape!])]);
  }

  protected fields() {
    return { targetShape: [...this.targetShape] };
  }
}
