// Building an optimizer from its plain config: `{ name: 'adam', lr: 0.001, ... }`.
import { asObject, readName } from '../engine/fields.js';
import type { Tensor } from '../tensor/index.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamw } from './adamw.js';
import type { Optimizer } from './optimizer.js';
import { Rmsprop } from './rmsprop.js';
import { Sgd } from './sgd.js';

type Build = (params: readonly Tensor[], config: Record<string, unknown>, path: string) => Optimizer;

const REGISTRY = {
  sgd: (p, c, path) => new Sgd(p, c, path),
  rmsprop: (p, c, path) => new Rmsprop(p, c, path),
  adagrad: (p, c, path) => new Adagrad(p, c, path),
  adam: (p, c, path) => new Adam(p, c, path),
  adamw: (p, c, path) => new Adamw(p, c, path),
} satisfies Record<string, Build>;

export type OptimizerName = keyof typeof REGISTRY;
export const OPTIMIZER_NAMES = Object.keys(REGISTRY) as OptimizerName[];

/**
 * The optimizer a config names, over `params`. The name matches in any case ('Adam'); unknown names and
 * fields, and values of the wrong type or out of range, are ConfigErrors naming the field path under `path`.
 */
export function optimizer(config: unknown, params: readonly Tensor[], path = 'optimizer'): Optimizer {
  const obj = asObject(config, path, 'an optimizer');
  const name = readName(obj, path, 'optimizer', OPTIMIZER_NAMES);
  return REGISTRY[name](params, { ...obj, name }, path);
}
