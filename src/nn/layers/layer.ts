// The layer contract, as in Keras: a layer validates its config, builds its weights once it knows its input
// shape (and says its output shape, so shape mistakes surface at build time, naming the layer and both shapes),
// computes `call(x)`, and round-trips through a plain-data config. Shapes here are per sample: no batch axis.
// Weights use PyTorch's layout and names (weight, bias, running_mean, running_var), so state dicts map 1:1.
import { ShapeError } from '../../engine/errors.js';
import { ops, type Tensor } from '../../tensor/index.js';
import type { Regularizer } from '../regularizers.js';
import type { OnnxGraph } from '../onnx/graph.js';
import type { Activation } from '../activations.js';

export type Shape = readonly number[];

export interface CallContext {
  /** Training mode: dropout drops, batch norm uses and updates batch statistics. */
  training: boolean;
  /** Return the pre-activation output (the model sets it for its last layer when the loss takes logits). */
  skipActivation?: boolean;
  /**
   * Weights laid out for inference, by layer (Sequential.inferenceWeights: a dense kernel transposed to
   * [in, out], which the BLAS multiplies faster). Only while the weights do not change: evaluation, prediction.
   */
  inference?: ReadonlyMap<Layer, Tensor>;
}

/** A layer's config: plain JSON data with its `type`. */
export interface LayerConfig {
  type: string;
  name?: string;
  [field: string]: unknown;
}

export const fmtShape = (s: Shape) => `[${s.join(', ')}]`;

export abstract class Layer {
  abstract readonly type: string;
  /** Set by the model: 'dense_1', or the name given in the config. */
  name = '';
  inputShape: Shape | null = null;
  outputShape: Shape | null = null;
  /** Trainable weights by PyTorch name. */
  readonly weights = new Map<string, Tensor>();
  /** Non-trainable state (batch-norm running statistics) by PyTorch name. */
  readonly buffers = new Map<string, Tensor>();
  /**
   * Weights kept from training (a frozen backbone: model.freeze): they need no gradient, the optimizer does not
   * see them, and the summary counts them as non-trainable.
   */
  readonly frozenWeights = new Set<string>();
  /** Penalties on weights (kernel regularizers), by weight name. */
  protected readonly regularizers = new Map<string, Regularizer>();

  /**
   * Validates the input shape, creates the weights, and returns the output shape. `checkWeights` sees the
   * shapes of the weights and buffers before they are created (and may throw to refuse them).
   */
  build(inputShape: Shape, checkWeights?: (shapes: Shape[]) => void): Shape {
    if (this.inputShape) throw new Error(`${this.describe()}: already built`);
    const out = this.outputShapeFor(inputShape);
    if (out.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw this.shapeError(inputShape, `would produce ${fmtShape(out)}: the input is too small for it`);
    }
    checkWeights?.(this.weightShapes(inputShape));
    this.createWeights(inputShape);
    for (const t of this.weights.values()) t.requiresGrad_(true);
    this.inputShape = inputShape;
    this.outputShape = out;
    return out;
  }

  /** The output shape for an input shape; throws a ShapeError (via shapeError) when the input does not fit. */
  protected abstract outputShapeFor(inputShape: Shape): Shape;
  /** The shapes of the weights and buffers createWeights makes for this input, known before any is allocated. */
  weightShapes(_inputShape: Shape): Shape[] {
    return [];
  }
  /** Creates the weights (keep()-ed tensors, they live with the layer). */
  protected createWeights(_inputShape: Shape): void {}
  /** The forward computation on a batch [N, ...inputShape]. */
  abstract call(x: Tensor, ctx: CallContext): Tensor;
  /**
   * Writes the layer into an ONNX graph as it computes at inference (dropout the identity, batch norm with its
   * running statistics): adds its weights and nodes on the input value `x` and returns the name of its output.
   * A layer without it cannot be exported (the exporter names it). See src/nn/onnx/.
   */
  toOnnx?(g: OnnxGraph, x: string): string;
  /**
   * The same for a layer of several inputs (the merge layers): writes the layer on the values `xs`, in the order
   * it takes its inputs. A one-input layer need not have it: the exporter calls toOnnx(g, xs[0]) instead.
   */
  toOnnxInputs?(g: OnnxGraph, xs: readonly string[]): string;

  /**
   * How many inputs the layer takes: one (most layers), or several (the merge layers of a graph model: add,
   * concatenate, ...), which override buildInputs and callInputs.
   */
  readonly arity: 'one' | 'many' = 'one';

  /** Builds from the shapes of the layer's inputs (a graph model's nodes): one, unless the layer merges several. */
  buildInputs(shapes: readonly Shape[], checkWeights?: (shapes: Shape[]) => void): Shape {
    if (shapes.length !== 1) throw new ShapeError(`${this.describe()}: takes one input, got ${shapes.length} (${shapes.map(fmtShape).join(', ')})`);
    return this.build(shapes[0], checkWeights);
  }

  /** The forward computation on the layer's inputs, in order. */
  callInputs(xs: readonly Tensor[], ctx: CallContext): Tensor {
    return this.call(xs[0], ctx);
  }

  /**
   * What kind of work the layer is, for the thread policy (engine/threads.ts threadsFor): 'conv' runs best on
   * libtorch's intra-op threads, 'dense' on the BLAS's own.
   */
  get workload(): 'conv' | 'dense' {
    return 'dense';
  }

  /**
   * A weight laid out for inference, passed back as CallContext.inference while the weights stay as they are
   * (a dense kernel transposed once), or null for a layer without one.
   */
  inferenceWeight(): Tensor | null {
    return null;
  }

  /** The activation the layer ends in (what a model's last layer says its outputs are), or null. */
  get outputActivation(): Activation | null {
    return null;
  }
  /** The layer's config without its name; the model adds the name. */
  protected abstract fields(): Record<string, unknown>;

  getConfig(): LayerConfig {
    return { type: this.type, name: this.name, ...this.fields() };
  }

  /** The sum of this layer's weight penalties, or null without any. */
  penalty(): Tensor | null {
    let total: Tensor | null = null;
    for (const [weight, reg] of this.regularizers) {
      if (this.frozenWeights.has(weight)) continue; // a constant: no gradient to add
      const p = reg.penalty(this.weights.get(weight)!);
      total = total === null ? p : ops.add(total, p);
    }
    return total;
  }

  /** The number of weight elements: trainable and not. */
  countParams(): { trainable: number; nonTrainable: number } {
    const count = (entries: [string, Tensor][]) => entries.reduce((n, [, t]) => n + t.size, 0);
    const weights = [...this.weights];
    const frozen = weights.filter(([n]) => this.frozenWeights.has(n));
    return { trainable: count(weights) - count(frozen), nonTrainable: count(frozen) + count([...this.buffers]) };
  }

  /** Whether every weight of the layer is frozen (a layer without weights is not): it computes as at inference. */
  get frozen(): boolean {
    return this.weights.size > 0 && [...this.weights.keys()].every((n) => this.frozenWeights.has(n));
  }

  /** Keeps the named weight from training (see frozenWeights). */
  freezeWeight(name: string): void {
    const t = this.weights.get(name);
    if (!t) throw new Error(`${this.describe()}: no weight '${name}'`);
    this.frozenWeights.add(name);
    t.requiresGrad_(false);
  }

  dispose(): void {
    for (const t of [...this.weights.values(), ...this.buffers.values()]) t.dispose();
    this.weights.clear();
    this.buffers.clear();
  }

  describe(): string {
    return `layer '${this.name}' (${this.type})`;
  }

  protected shapeError(inputShape: Shape, problem: string): ShapeError {
    return new ShapeError(`${this.describe()}: input ${fmtShape(inputShape)} ${problem}`);
  }
}

/** A positive integer pair from `n` or `[h, w]` (kernel sizes, strides, pool sizes). */
export function pair(value: number | readonly number[]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}
