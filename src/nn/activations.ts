// Activation functions by name, as in Keras: `activation('relu')`, `activation({ name: 'leakyRelu', alpha: 0.1 })`.
// Each is one libtorch op, so autograd and speed come from libtorch.
import type { Tensor } from '../tensor/index.js';
import { ops } from '../tensor/index.js';
import { resolveConfig, type ParamSpec, type ParamValue } from '../engine/fields.js';

const SPECS = {
  linear: {},
  sigmoid: {},
  tanh: {},
  relu: {},
  /** Scaled ELU with the fixed constants of Klambauer et al. (2017), as Keras and PyTorch. */
  selu: {},
  elu: { alpha: { type: 'number', default: 1 } },
  /**
   * alpha defaults to 0.3, the default of Keras's LeakyReLU layer (PyTorch's is 0.01): nnlab's configs follow
   * Keras's names and defaults throughout, so a Keras model description means the same here. Keras 3's name
   * for it, `negativeSlope`, is accepted too.
   */
  leakyRelu: { alpha: { type: 'number', default: 0.3, aliases: ['negativeSlope'] } },
  /** Exact GELU (x·Φ(x)) by default, as Keras and PyTorch; `approximate: true` uses the tanh form. */
  gelu: { approximate: { type: 'boolean', default: false } },
  /** x·sigmoid(x) (Keras's silu, also called swish; PyTorch's SiLU). */
  silu: {},
  /** Softmax over `axis` of the batch (default the last one); PyTorch's Softmax calls it `dim`. */
  softmax: { axis: { type: 'number', default: -1, integer: true, aliases: ['dim'] } },
} satisfies Record<string, Record<string, ParamSpec>>;

export type ActivationName = keyof typeof SPECS;
export const ACTIVATION_NAMES = Object.keys(SPECS) as ActivationName[];

/** An activation config: a name, or `{ name, ...params }` (alpha for elu/leakyRelu, approximate for gelu, axis for softmax). */
export type ActivationConfig = ActivationName | string | { name: string; [param: string]: unknown };

export interface Activation {
  readonly name: ActivationName;
  /** f(x), elementwise (softmax: along its axis). `linear` returns x itself. */
  apply(x: Tensor): Tensor;
  /** `{ name, ...every parameter }`; activation(getConfig()) makes the same function. */
  getConfig(): { name: ActivationName; [param: string]: ParamValue };
}

type Fn = (x: Tensor, p: Record<string, ParamValue>) => Tensor;

const FNS: Record<ActivationName, Fn> = {
  linear: (x) => x,
  sigmoid: (x) => ops.sigmoid(x),
  tanh: (x) => ops.tanh(x),
  relu: (x) => ops.relu(x),
  selu: (x) => ops.selu(x),
  elu: (x, p) => ops.elu(x, p.alpha as number),
  leakyRelu: (x, p) => ops.leakyRelu(x, p.alpha as number),
  gelu: (x, p) => ops.gelu(x, p.approximate ? 'tanh' : 'none'),
  silu: (x) => ops.silu(x),
  softmax: (x, p) => ops.softmax(x, p.axis as number),
};

/**
 * The activation a config names. Unknown names and bad parameters throw a ConfigError naming `path` (the
 * config's field path, e.g. `model.layers[2].activation`) and listing the valid choices.
 */
export function activation(config: ActivationConfig, path = 'activation'): Activation {
  const { name, params } = resolveConfig(config, path, 'activation', SPECS as Record<ActivationName, Record<string, ParamSpec>>);
  const fn = FNS[name];
  return {
    name,
    apply: (x) => fn(x, params),
    getConfig: () => ({ name, ...params }),
  };
}
