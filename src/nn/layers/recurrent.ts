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

  private get directions(): number {
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
  protected override fields() {
    return { ...super.fields(), activation: this.activation };
  }
}
