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
import { ACTIVATION_NAMES } from '../activations.js';
import { Conv1d } from './conv1d.js';
import { ConvTranspose2d } from './conv-transpose2d.js';
import { MaxPool1d } from './max-pool1d.js';
import { AvgPool1d } from './avg-pool1d.js';
import { GlobalAveragePooling1d, GlobalAveragePooling2d, GlobalMaxPooling1d, GlobalMaxPooling2d } from './global-pooling.js';
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './adaptive-pool2d.js';
import { UpSampling2d } from './upsampling2d.js';
import { ZeroPadding2d } from './zero-padding2d.js';
import { Reshape } from './reshape.js';
import { Permute } from './permute.js';
import { Identity } from './identity.js';
import { LayerNorm } from './layer-norm.js';
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
  // Convolution, pooling, resizing, normalisation and shape layers beyond the seed CNN's.
  conv1d: Conv1d,
  convTranspose2d: ConvTranspose2d,
  maxPool1d: MaxPool1d,
  avgPool1d: AvgPool1d,
  globalAveragePooling1d: GlobalAveragePooling1d,
  globalAveragePooling2d: GlobalAveragePooling2d,
  globalMaxPooling1d: GlobalMaxPooling1d,
  globalMaxPooling2d: GlobalMaxPooling2d,
  adaptiveAvgPool2d: AdaptiveAvgPool2d,
  adaptiveMaxPool2d: AdaptiveMaxPool2d,
  upSampling2d: UpSampling2d,
  zeroPadding2d: ZeroPadding2d,
  layerNormalization: LayerNorm,
  reshape: Reshape,
  permute: Permute,
  identity: Identity,
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
  // (Keras's Conv1D, GlobalAveragePooling2D, UpSampling2D, ... and PyTorch's Conv1d, MaxPool2d, AvgPool1d,
  // AdaptiveAvgPool2d, Identity, ... are already their layer's name in another case.)
  conv2DTranspose: 'convTranspose2d',
  maxPooling1D: 'maxPool1d',
  averagePooling1D: 'avgPool1d',
  globalAvgPool1D: 'globalAveragePooling1d',
  globalAvgPool2D: 'globalAveragePooling2d',
  globalMaxPool1D: 'globalMaxPooling1d',
  globalMaxPool2D: 'globalMaxPooling2d',
  upsample: 'upSampling2d',
  zeroPad2d: 'zeroPadding2d',
  layerNorm: 'layerNormalization',
  // An activation class as a layer ({ type: ReLU }, { type: GELU }): the activation layer reads the name from its type.
  ...Object.fromEntries(ACTIVATION_NAMES.filter((n) => n !== 'linear').map((n) => [n, 'activation' as const])),
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
