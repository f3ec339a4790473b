// Layers by type name: `layer({ type: 'dense', units: 10 }, path)`.
import { ConfigError, unknownName } from '../../engine/errors.js';
import { canonicalName } from '../../engine/fields.js';
import { BatchNorm } from './batch-norm.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import type { Layer } from './layer.js';
import { AvgPool2d } from './avg-pool2d.js';
import { MaxPool2d } from './max-pool2d.js';
import { ActivationLayer } from './activation.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Embedding } from './embedding.js';
import { Gru, Lstm, SimpleRnn } from './recurrent.js';

const LAYERS = {
  dense: Dense,
  conv2d: Conv2d,
  batchNorm: BatchNorm,
  maxPool2d: MaxPool2d,
  avgPool2d: AvgPool2d,
  flatten: Flatten,
  dropout: Dropout,
  activation: ActivationLayer,
  // Sequences [steps, features]: recurrent layers, and token indices to vectors.
  lstm: Lstm,
  gru: Gru,
  simpleRnn: SimpleRnn,
  embedding: Embedding,
} satisfies Record<string, new (config: Record<string, unknown>, path: string) => Layer>;

export type LayerType = keyof typeof LAYERS;
export const LAYER_TYPES = Object.keys(LAYERS) as LayerType[];

/** Aliases from Keras and PyTorch class names. */
const ALIASES: Record<string, LayerType> = {
  linear: 'dense',
  conv2D: 'conv2d',
  batchNormalization: 'batchNorm',
  batchNorm1d: 'batchNorm',
  batchNorm2d: 'batchNorm',
  maxPooling2D: 'maxPool2d',
  averagePooling2D: 'avgPool2d',
  rnn: 'simpleRnn',
};

export function layer(config: unknown, path = 'layer'): Layer {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(path, `expected a layer as { type, ...fields }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  if (typeof c.type !== 'string') throw new ConfigError(`${path}.type`, `a layer needs a type (one of: ${LAYER_TYPES.join(', ')})`);
  const type = canonicalName(c.type, LAYER_TYPES, ALIASES);
  if (type === null) throw unknownName(`${path}.type`, 'layer type', c.type, LAYER_TYPES);
  const made = new LAYERS[type](c, path);
  if (c.name !== undefined) {
    if (typeof c.name !== 'string' || c.name === '') throw new ConfigError(`${path}.name`, 'a layer name must be a non-empty string');
    made.name = c.name;
  }
  return made;
}
