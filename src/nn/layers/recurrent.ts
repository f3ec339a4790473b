// Recurrent layers over sequences [steps, features] (batch first: a batch is [N, steps, features]): lstm, gru
// and simpleRnn, as PyTorch's nn.LSTM, nn.GRU and nn.RNN compute them (one ATen op runs every layer, direction
// and step), with Keras's `returnSequences`. Weights are PyTorch's, with its names and layout, so a state dict
// of nn.LSTM(batch_first=True) loads unchanged: per stacked layer l and direction (suffix '' or '_reverse'),
// weight_ih_l{l} [gates·units, in], weight_hh_l{l} [gates·units, units], bias_ih_l{l} and bias_hh_l{l}
// [gates·units], gates in PyTorch's order (LSTM: input, forget, cell, output; GRU: reset, update, new). They are
// drawn as PyTorch draws them: uniform(−1/√units, 1/√units), every weight in that order, so the same seed makes
// the same weights as torch.manual_seed(seed); nn.LSTM(...).
//
// The output: with returnSequences, every step's hidden state [steps, units·directions] (PyTorch's `output`);
// without, the last layer's final hidden state [units·directions] (PyTorch's h_n, and Keras's output without
// return_sequences). For a bidirectional layer that is the forward direction's state after the last step
// concatenated with the backward direction's state after it has read the whole sequence back to step 0, i.e.
// h_n of both directions, as Keras's Bidirectional and PyTorch users take it (not output[:, -1], whose backward
// half has seen only the last step).
import { ConfigError } from '../../engine/errors.js';
import { keep, ops, type Tensor } from '../../tensor/index.js';
import { Layer, type CallContext, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { int, ints, str, strs, type OnnxAttribute } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

const SPEC = {
  units: { type: 'number', integer: true, min: 1, aliases: ['hiddenSize'] },
  returnSequences: { type: 'boolean', default: false },
  numLayers: { type: 'number', integer: true, min: 1, default: 1 },
  bidirectional: { type: 'boolean', default: false },
  dropout: { type: 'number', min: 0, below: 1, default: 0 },
  useBias: { type: 'boolean', default: true, aliases: ['bias'] },
  // PyTorch's constructor arguments, accepted so that its spelling of a layer reads as written: the input size
  // is checked against the input's features, and the layout is always batch first.
  inputSize: { type: 'optionalInteger', min: 1 },
  batchFirst: { type: 'boolean', default: true },
} satisfies LayerSpec;

/** What lstm, gru and simpleRnn share: the config, the weights, the initial state and the output. */
abstract class Recurrent extends Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly inputSize: number | null;
  /** Gate blocks stacked in each weight: 4 for an LSTM, 3 for a GRU, 1 for a plain RNN. */
  protected abstract readonly gates: number;

  constructor(config: Record<string, unknown>, path: string, owner: string, extra: LayerSpec = {}) {
    super();
    const f = readLayer(config, { ...SPEC, ...extra }, path, owner);
    this.units = f.units as number;
    this.returnSequences = f.returnSequences as boolean;
    this.numLayers = f.numLayers as number;
    this.bidirectional = f.bidirectional as boolean;
    this.dropout = f.dropout as number;
    this.useBias = f.useBias as boolean;
    this.inputSize = f.inputSize as number | null;
    this.extraFields = f;
    if (f.batchFirst === false) {
      throw new ConfigError(`${path}.batchFirst`, `nnlab's sequences are always batch first ([batch, steps, features]); leave batchFirst out or set it true`);
    }
    if (this.dropout > 0 && this.numLayers === 1) {
      // PyTorch warns and does nothing; Keras's `dropout` would mean dropout on the inputs. Neither is silent here.
      throw new ConfigError(
        `${path}.dropout`,
        `${owner}'s dropout acts between stacked layers (PyTorch's), so with numLayers 1 it would do nothing: set numLayers >= 2, or put a dropout layer before or after the ${owner}`,
      );
    }
  }

  /** The config as read (for a subclass's own fields). */
  protected readonly extraFields: Record<string, unknown>;

  protected get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  protected outputShapeFor(input: Shape): Shape {
    if (input.length !== 2) {
      const hint =
        input.length === 3
          ? '; read images as sequences of rows with data.view: sequence, or reshape them'
          : input.length === 1
            ? '; an embedding layer before it turns token indices into [steps, features]'
            : '';
      throw this.shapeError(input, `does not fit: ${this.type} expects [steps, features]${hint}`);
    }
    if (this.inputSize !== null && this.inputSize !== input[1]) {
      throw this.shapeError(input, `has ${input[1]} features per step, but the layer's inputSize is ${this.inputSize}`);
    }
    const width = this.units * this.directions;
    return this.returnSequences ? [input[0], width] : [width];
  }

  /** Every weight's name and shape, in PyTorch's order (its _flat_weights: the order the op takes them). */
  private weightLayout(input: Shape): [string, Shape][] {
    const rows = this.gates * this.units;
    const out: [string, Shape][] = [];
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? input[1] : this.units * this.directions;
      for (const suffix of this.bidirectional ? ['', '_reverse'] : ['']) {
        out.push([`weight_ih_l${l}${suffix}`, [rows, inSize]], [`weight_hh_l${l}${suffix}`, [rows, this.units]]);
        if (this.useBias) out.push([`bias_ih_l${l}${suffix}`, [rows]], [`bias_hh_l${l}${suffix}`, [rows]]);
      }
    }
    return out;
  }

  override weightShapes(input: Shape): Shape[] {
    return this.weightLayout(input).map(([, shape]) => shape);
  }

  protected override createWeights(input: Shape): void {
    const k = 1 / Math.sqrt(this.units);
    for (const [name, shape] of this.weightLayout(input)) this.weights.set(name, keep(ops.uniform_(ops.empty([...shape]), -k, k)));
  }

  /**
   * ONNX's operator for the layer: its name, its gate blocks in ONNX's order as indices of PyTorch's blocks, and
   * the attributes that make it compute what PyTorch's op computes.
   */
  protected abstract onnxForm(): { op: 'LSTM' | 'GRU' | 'RNN'; gateOrder: number[]; attributes: Record<string, OnnxAttribute> };

  /**
   * ONNX's LSTM, GRU or RNN operator per stacked layer, both directions in one operator, from a zero state (the
   * inputs left out). ONNX reads sequences step-first ([steps, N, features]; onnxruntime runs only that layout),
   * so the batch-first input is transposed first, and each layer's output Y [steps, dirs, N, units] is laid out
   * as the next one's input [steps, N, dirs·units]. Weights are repacked as ONNX takes them: per direction, its
   * gate blocks reordered, W = weight_ih, R = weight_hh, B = bias_ih then bias_hh (left out without biases).
   * The output is as call()'s: every step's output batch first, or the last layer's Y_h [dirs, N, units] as
   * [N, dirs·units], forward first.
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const { op, gateOrder, attributes } = this.onnxForm();
    const dirs = this.directions;
    const suffixes = this.bidirectional ? ['', '_reverse'] : [''];
    const rows = this.gates * this.units;
    // Layer l's weights `names`, direction after direction, as one constant `<layer>.<what>_l<l>` of `dims`.
    const pack = (what: string, l: number, names: string[], dims: number[]) => {
      const parts = suffixes.flatMap((suffix) => names.map((name) => this.reorderGates(g, this.weights.get(`${name}_l${l}${suffix}`)!, gateOrder)));
      const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (values.set(p, at), at + p.length), 0);
      return g.constant(`${what}_l${l}`, values, dims);
    };
    const seqFirst = (v: string, perm: number[]) => g.node('Reshape', [g.node('Transpose', [v], { perm: ints(perm) }), g.int64('shape', [0, 0, -1])]);
    let seq = g.node('Transpose', [x], { perm: ints([1, 0, 2]) });
    let hn = '';
    for (let l = 0; l < this.numLayers; l++) {
      const features = l === 0 ? this.inputShape![1] : this.units * dirs;
      const inputs = [seq, pack('W', l, ['weight_ih'], [dirs, rows, features]), pack('R', l, ['weight_hh'], [dirs, rows, this.units])];
      if (this.useBias) inputs.push(pack('B', l, ['bias_ih', 'bias_hh'], [dirs, 2 * rows]));
      const [y, h] = g.nodeOutputs(op, inputs, 2, { hidden_size: int(this.units), direction: str(this.bidirectional ? 'bidirectional' : 'forward'), ...attributes });
      hn = h;
      // [steps, dirs, N, units] -> [steps, N, dirs, units] -> [steps, N, dirs·units]
      if (l < this.numLayers - 1 || this.returnSequences) seq = seqFirst(y, [0, 2, 1, 3]);
    }
    if (this.returnSequences) return g.node('Transpose', [seq], { perm: ints([1, 0, 2]) });
    // [dirs, N, units] -> [N, dirs, units] -> [N, dirs·units]
    return g.node('Reshape', [g.node('Transpose', [hn], { perm: ints([1, 0, 2]) }), g.int64('shape', [0, -1])]);
  }

  /** A weight's or bias's values with its gate blocks (rows of `units`) in the order `order` names them. */
  private reorderGates(g: OnnxGraph, t: Tensor, order: readonly number[]): Float32Array {
    const values = g.values(t);
    const block = values.length / this.gates;
    const out = new Float32Array(values.length);
    order.forEach((from, to) => out.set(values.subarray(from * block, (from + 1) * block), to * block));
    return out;
  }

  /** The op over the batch from a zero initial state: every step's output [N, steps, units·dirs] and h_n [layers·dirs, N, units]. */
  protected abstract run(x: Tensor, h0: Tensor, params: Tensor[], train: boolean): { output: Tensor; hn: Tensor };

  call(x: Tensor, ctx: CallContext): Tensor {
    const h0 = ops.zeros([this.numLayers * this.directions, x.shape[0], this.units], x.dtype, null, x.device);
    const { output, hn } = this.run(x, h0, [...this.weights.values()], ctx.training);
    if (this.returnSequences) return output;
    // The last stacked layer's final states, [dirs, N, units] -> [N, dirs·units] (forward first, as in `output`).
    const last = hn.narrow(0, (this.numLayers - 1) * this.directions, this.directions);
    return this.bidirectional ? ops.permute(last, [1, 0, 2]).reshape([x.shape[0], 2 * this.units]) : last.select(0, 0);
  }

  protected fields(): Record<string, unknown> {
    return {
      units: this.units,
      returnSequences: this.returnSequences,
      numLayers: this.numLayers,
      bidirectional: this.bidirectional,
      dropout: this.dropout,
      useBias: this.useBias,
      ...(this.inputSize === null ? {} : { inputSize: this.inputSize }),
    };
  }
}

/** Long short-term memory (nn.LSTM, Keras's LSTM); the cell state starts at zero with the hidden state. */
export class Lstm extends Recurrent {
  readonly type = 'lstm';
  protected readonly gates = 4;
  constructor(config: Record<string, unknown>, path = 'lstm') {
    super(config, path, 'lstm');
  }
  protected run(x: Tensor, h0: Tensor, params: Tensor[], train: boolean) {
    const [output, hn] = ops.lstm(x, [h0, h0], params, this.useBias, this.numLayers, this.dropout, train, this.bidirectional, true);
    return { output, hn };
  }
  /** ONNX's gates are input, output, forget, cell; PyTorch's input, forget, cell, output. */
  protected onnxForm() {
    return { op: 'LSTM' as const, gateOrder: [0, 3, 1, 2], attributes: {} };
  }
}

/** Gated recurrent unit (nn.GRU; Keras's GRU with reset_after=True, its default, computes the same). */
export class Gru extends Recurrent {
  readonly type = 'gru';
  protected readonly gates = 3;
  constructor(config: Record<string, unknown>, path = 'gru') {
    super(config, path, 'gru');
  }
  protected run(x: Tensor, h0: Tensor, params: Tensor[], train: boolean) {
    const [output, hn] = ops.gru(x, h0, params, this.useBias, this.numLayers, this.dropout, train, this.bidirectional, true);
    return { output, hn };
  }
  /**
   * ONNX's gates are update, reset, hidden; PyTorch's reset, update, new. PyTorch applies the reset gate after
   * the hidden state's product (r ⊙ (W_hn h + b_hn)): ONNX's linear_before_reset.
   */
  protected onnxForm() {
    return { op: 'GRU' as const, gateOrder: [1, 0, 2], attributes: { linear_before_reset: int(1) } };
  }
}

/** A plain (Elman) RNN, h = activation(W_ih x + b_ih + W_hh h + b_hh): nn.RNN, Keras's SimpleRNN; tanh or relu. */
export class SimpleRnn extends Recurrent {
  readonly type = 'simpleRnn';
  protected readonly gates = 1;
  readonly activation: 'tanh' | 'relu';
  constructor(config: Record<string, unknown>, path = 'simpleRnn') {
    super(config, path, 'simpleRnn', { activation: { type: 'choice', default: 'tanh', choices: ['tanh', 'relu'], aliases: ['nonlinearity'] } });
    this.activation = this.extraFields.activation as 'tanh' | 'relu';
  }
  protected run(x: Tensor, h0: Tensor, params: Tensor[], train: boolean) {
    const op = this.activation === 'relu' ? ops.rnnRelu : ops.rnnTanh;
    const [output, hn] = op(x, h0, params, this.useBias, this.numLayers, this.dropout, train, this.bidirectional, true);
    return { output, hn };
  }
  /** One gate; the activation named once per direction, as ONNX's RNN takes it. */
  protected onnxForm() {
    const activation = this.activation === 'relu' ? 'Relu' : 'Tanh';
    return { op: 'RNN' as const, gateOrder: [0], attributes: { activations: strs(Array<string>(this.directions).fill(activation)) } };
  }
  protected override fields() {
    return { ...super.fields(), activation: this.activation };
  }
}
