// Embedding: token indices [steps] (any shape) -> their vectors [steps, outputDim], as PyTorch's nn.Embedding and
// Keras's Embedding. Weight `weight` [inputDim, outputDim], drawn from N(0, 1) as PyTorch draws it (the same seed
// makes the same table as torch.manual_seed(seed); nn.Embedding(...)); the row of `paddingIdx`, if given, starts
// at zero and gets no gradient (PyTorch's padding_idx).
//
// Batches reach a model as float32 (the trainer feeds every input so), so indices may come as whole floats,
// which are exact up to 2^24; anything else (a fraction, a negative index, one past the table) is an error
// naming the layer and the value, before the lookup: on a GPU an index out of range would be a device assert
// that poisons the process instead of an error.
import { ConfigError, NnlabError } from '../../engine/errors.js';
import { isFloating, keep, noGrad, ops, tidy, type Tensor } from '../../tensor/index.js';
import { Layer, type Shape } from './layer.js';
import { readLayer, type LayerSpec } from './fields.js';
import { int } from '../../io/onnx.js';
import type { OnnxGraph } from '../onnx/graph.js';

/** ONNX's TensorProto.DataType for int64, Cast's `to`. */
const ONNX_INT64 = 7;

const SPEC = {
  inputDim: { type: 'number', integer: true, min: 1, aliases: ['numEmbeddings'] },
  outputDim: { type: 'number', integer: true, min: 1, aliases: ['embeddingDim'] },
  paddingIdx: { type: 'optionalInteger', min: 0 },
} satisfies LayerSpec;

export class Embedding extends Layer {
  readonly type = 'embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly paddingIdx: number | null;

  constructor(config: Record<string, unknown>, path = 'embedding') {
    super();
    const f = readLayer(config, SPEC, path, 'embedding');
    this.inputDim = f.inputDim as number;
    this.outputDim = f.outputDim as number;
    this.paddingIdx = f.paddingIdx as number | null;
    if (this.paddingIdx !== null && this.paddingIdx >= this.inputDim) {
      throw new ConfigError(`${path}.paddingIdx`, `must be an index of the table, below inputDim ${this.inputDim}, got ${this.paddingIdx}`);
    }
  }

  protected outputShapeFor(input: Shape): Shape {
    return [...input, this.outputDim];
  }

  override weightShapes(): Shape[] {
    return [[this.inputDim, this.outputDim]];
  }

  protected override createWeights(): void {
    const weight = ops.normal_(ops.empty([this.inputDim, this.outputDim]), 0, 1);
    if (this.paddingIdx !== null) {
      tidy(() => {
        noGrad(() => weight.select(0, this.paddingIdx!).zero_());
      });
    }
    this.weights.set('weight', keep(weight));
  }

  call(x: Tensor): Tensor {
    return ops.embedding(this.weights.get('weight')!, this.indices(x), this.paddingIdx ?? -1);
  }

  /**
   * Gather of the table's rows. The model's input is float32 (indices as whole floats, as nnlab feeds them), so
   * a Cast to int64 comes first; an index out of the table is the runtime's error there.
   */
  override toOnnx(g: OnnxGraph, x: string): string {
    const indices = g.node('Cast', [x], { to: int(ONNX_INT64) });
    return g.node('Gather', [g.weight(this.weights.get('weight')!), indices], { axis: int(0) });
  }

  /** The input as int64 indices, checked: whole numbers in [0, inputDim). */
  private indices(x: Tensor): Tensor {
    const floating = isFloating(x.dtype);
    if (!floating && x.dtype !== 'int64' && x.dtype !== 'int32' && x.dtype !== 'int16' && x.dtype !== 'int8' && x.dtype !== 'uint8') {
      throw new NnlabError(`${this.describe()}: its input must be integer token indices, got a ${x.dtype} tensor`);
    }
    if (x.size === 0) return x.to('int64');
    // One read back from the device per batch: the count of values that are not valid indices.
    const bad = tidy(() => {
      const values = noGrad(() => ops.detach(x));
      let invalid = ops.logicalOr(ops.lt(values, 0), ops.ge(values, this.inputDim));
      if (floating) invalid = ops.logicalOr(invalid, ops.ne(values, ops.floor(values)));
      return ops.any(invalid).item() !== 0;
    });
    if (bad) throw this.badIndex(x);
    return x.to('int64');
  }

  /** The error for the first value that is not an index (found only once something is wrong). */
  private badIndex(x: Tensor): NnlabError {
    const values = tidy(() => noGrad(() => ops.detach(x).flatten().to({ device: 'cpu', dtype: 'float64' }).toNumbers()));
    const v = values.find((n) => !(Number.isInteger(n) && n >= 0 && n < this.inputDim))!;
    const range = `indices are whole numbers in [0, ${this.inputDim - 1}] (inputDim ${this.inputDim})`;
    if (!Number.isInteger(v)) return new NnlabError(`${this.describe()}: input value ${v} is not an integer token index; ${range}`);
    return new NnlabError(`${this.describe()}: input index ${v} is out of range; ${range}`);
  }

  protected fields() {
    return { inputDim: this.inputDim, outputDim: this.outputDim, ...(this.paddingIdx === null ? {} : { paddingIdx: this.paddingIdx }) };
  }
}
