// Weight initializers by name, with Keras's names, parameters and defaults; every draw comes from libtorch's
// generator, so `manualSeed` makes them repeatable.
//
// Weights use PyTorch's layout: a dense kernel is [out, in], a conv kernel [out, in, kh, kw]. Fans follow
// torch.nn.init: fanIn = shape[1]·receptive field, fanOut = shape[0]·receptive field, where the receptive
// field is the product of shape[2:] (1 for dense). A 1-D shape (a bias) has fanIn = fanOut = its length and a
// scalar has 1, as in Keras. The Glorot/He/LeCun limits therefore equal torch.nn.init's xavier_/kaiming_
// bounds and standard deviations for the same weight.
import { ops, type DType, type Tensor, tidy } from '../tensor/index.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { resolveConfig, type ParamSpec, type ParamValue } from '../engine/fields.js';

const MODES = ['fanIn', 'fanOut', 'fanAvg'] as const;
const DISTRIBUTIONS = ['truncatedNormal', 'untruncatedNormal', 'uniform'] as const;
type Mode = (typeof MODES)[number];
type Distribution = (typeof DISTRIBUTIONS)[number];

const SPECS = {
  zeros: {},
  ones: {},
  constant: { value: { type: 'number', default: 0 } },
  randomNormal: { mean: { type: 'number', default: 0 }, stddev: { type: 'number', default: 0.05, min: 0 } },
  randomUniform: { minval: { type: 'number', default: -0.05 }, maxval: { type: 'number', default: 0.05 } },
  /** Normal draws more than two standard deviations from the mean are drawn again (Keras's semantics). */
  truncatedNormal: { mean: { type: 'number', default: 0 }, stddev: { type: 'number', default: 0.05, min: 0 } },
  glorotUniform: {},
  glorotNormal: {},
  heUniform: {},
  heNormal: {},
  lecunUniform: {},
  lecunNormal: {},
  orthogonal: { gain: { type: 'number', default: 1 } },
  varianceScaling: {
    scale: { type: 'number', default: 1, min: 0, exclusiveMin: true },
    mode: { type: 'choice', default: 'fanIn', choices: MODES },
    distribution: { type: 'choice', default: 'truncatedNormal', choices: DISTRIBUTIONS },
  },
} satisfies Record<string, Record<string, ParamSpec>>;

export type InitializerName = keyof typeof SPECS;
export const INITIALIZER_NAMES = Object.keys(SPECS) as InitializerName[];

/** PyTorch's names for the same initializers. */
const ALIASES: Record<string, InitializerName> = {
  xavierUniform: 'glorotUniform',
  xavierNormal: 'glorotNormal',
  kaimingUniform: 'heUniform',
  kaimingNormal: 'heNormal',
};

/** An initializer config: a name, or `{ name, ...params }` (Keras's parameter names and defaults). */
export type InitializerConfig = InitializerName | string | { name: string; [param: string]: unknown };

export interface Initializer {
  readonly name: InitializerName;
  /** A new tensor of `shape` (float32 unless `dtype` says otherwise) drawn from libtorch's generator. */
  init(shape: readonly number[], dtype?: DType): Tensor;
  /** `{ name, ...every parameter }`; initializer(getConfig()) draws from the same distribution. */
  getConfig(): { name: InitializerName; [param: string]: ParamValue };
}

/** Fan-in and fan-out of a weight in PyTorch's layout (see the top of this file). */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** The standard deviation of N(0, 1) truncated to [-2, 2]: dividing by it keeps the variance asked for. */
const TRUNCATED_STD = 0.87962566103423978;

function normal(shape: readonly number[], dtype: DType, mean: number, stddev: number): Tensor {
  return ops.normal_(ops.empty([...shape], dtype), mean, stddev);
}

function uniform(shape: readonly number[], dtype: DType, lo: number, hi: number): Tensor {
  return ops.uniform_(ops.empty([...shape], dtype), lo, hi);
}

/** N(mean, stddev²) with every draw beyond mean ± 2·stddev drawn again, until none is left. */
function truncatedNormal(shape: readonly number[], dtype: DType, mean: number, stddev: number): Tensor {
  return tidy(() => {
    const z = ops.randn([...shape], dtype);
    // About 4.6% of draws fall outside each round, so a million values need ~5 rounds.
    const redraw = () =>
      tidy(() => {
        const outside = ops.gt(ops.abs(z), 2);
        if (!ops.any(outside).item()) return false;
        ops.copy_(z, ops.where(outside, ops.randn([...shape], dtype), z));
        return true;
      });
    while (redraw());
    return ops.add(ops.mul(z, stddev), mean);
  });
}

function varianceScaling(shape: readonly number[], dtype: DType, scale: number, mode: Mode, distribution: Distribution): Tensor {
  const { fanIn, fanOut } = computeFans(shape);
  const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
  const variance = scale / Math.max(1, fan);
  switch (distribution) {
    case 'truncatedNormal':
      return truncatedNormal(shape, dtype, 0, Math.sqrt(variance) / TRUNCATED_STD);
    case 'untruncatedNormal':
      return normal(shape, dtype, 0, Math.sqrt(variance));
    case 'uniform': {
      const limit = Math.sqrt(3 * variance);
      return uniform(shape, dtype, -limit, limit);
    }
  }
}

/**
 * A (semi-)orthogonal matrix, times `gain`, as torch.nn.init.orthogonal_: the weight is viewed as
 * [shape[0], rest]; the QR factors of a normal matrix (transposed when wider than tall) give Q, whose columns
 * are multiplied by the signs of R's diagonal so that the result is uniformly distributed. Rows are
 * orthonormal when shape[0] <= rest, columns otherwise.
 */
function orthogonal(shape: readonly number[], dtype: DType, gain: number): Tensor {
  if (shape.length < 2) throw new ShapeError(`orthogonal initializer: needs a weight of rank 2 or more, got shape [${shape.join(', ')}]`);
  const rows = shape[0];
  const cols = shape.slice(1).reduce((a, b) => a * b, 1);
  return tidy(() => {
    let flat = ops.normal_(ops.empty([rows, cols], dtype), 0, 1);
    if (rows < cols) flat = ops.t(flat);
    const [q, r] = ops.linalgQr(flat);
    let w = ops.mul(q, ops.sign(ops.diagonal(r)));
    if (rows < cols) w = ops.t(w);
    return ops.mul(ops.reshape(ops.contiguous(w), [...shape]), gain);
  });
}

type Draw = (shape: readonly number[], dtype: DType, p: Record<string, ParamValue>) => Tensor;
const num = (v: ParamValue) => v as number;

const DRAWS: Record<InitializerName, Draw> = {
  zeros: (s, d) => ops.zeros([...s], d),
  ones: (s, d) => ops.ones([...s], d),
  constant: (s, d, p) => ops.full([...s], num(p.value), d),
  randomNormal: (s, d, p) => normal(s, d, num(p.mean), num(p.stddev)),
  randomUniform: (s, d, p) => uniform(s, d, num(p.minval), num(p.maxval)),
  truncatedNormal: (s, d, p) => truncatedNormal(s, d, num(p.mean), num(p.stddev)),
  glorotUniform: (s, d) => varianceScaling(s, d, 1, 'fanAvg', 'uniform'),
  glorotNormal: (s, d) => varianceScaling(s, d, 1, 'fanAvg', 'truncatedNormal'),
  heUniform: (s, d) => varianceScaling(s, d, 2, 'fanIn', 'uniform'),
  heNormal: (s, d) => varianceScaling(s, d, 2, 'fanIn', 'truncatedNormal'),
  lecunUniform: (s, d) => varianceScaling(s, d, 1, 'fanIn', 'uniform'),
  lecunNormal: (s, d) => varianceScaling(s, d, 1, 'fanIn', 'truncatedNormal'),
  orthogonal: (s, d, p) => orthogonal(s, d, num(p.gain)),
  varianceScaling: (s, d, p) => varianceScaling(s, d, num(p.scale), p.mode as Mode, p.distribution as Distribution),
};

/**
 * The initializer a config names (PyTorch's xavier/kaiming names are aliases of glorot/he). The normal
 * variants of glorot/he/lecun are truncated at two standard deviations and rescaled, as in Keras, so their
 * variance equals torch.nn.init's untruncated xavier_normal_/kaiming_normal_. Unknown names and bad
 * parameters throw a ConfigError naming `path` and listing the valid choices.
 */
export function initializer(config: InitializerConfig, path = 'initializer'): Initializer {
  const { name, params } = resolveConfig(config, path, 'initializer', SPECS as Record<InitializerName, Record<string, ParamSpec>>, ALIASES);
  if (name === 'randomUniform' && num(params.minval) > num(params.maxval)) {
    throw new ConfigError(`${path}.minval`, `minval (${params.minval}) must not exceed maxval (${params.maxval})`);
  }
  const draw = DRAWS[name];
  return {
    name,
    init(shape, dtype = 'float32') {
      if (!shape.every((n) => Number.isInteger(n) && n >= 0)) throw new ShapeError(`${name} initializer: bad shape [${shape.join(', ')}]`);
      return draw(shape, dtype, params);
    },
    getConfig: () => ({ name, ...params }),
  };
}
