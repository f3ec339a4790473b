// Layers by type name: `layer({ type: 'dense', units: 10 }, path)`. The built-in layers, plus those registered
// at run time (registerLayer: a plugin's or the user's own Layer subclass), looked up the same way.
import { ConfigError, unknownName } from '../../engine/errors.js';
import { canonicalName, nameKey } from '../../engine/fields.js';
import { checkNewNames, currentOrigin, describeOrigin, findHolder, type Origin } from '../registration.js';
import { BatchNorm } from './batch-norm.js';
import { Conv2d } from './conv2d.js';
import { Dense } from './dense.js';
import { Layer } from './layer.js';
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
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';

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
  // Merge layers: several inputs, in a graph model.
  add: Add,
  subtract: Subtract,
  multiply: Multiply,
  average: Average,
  maximum: Maximum,
  minimum: Minimum,
  concatenate: Concatenate,
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
  concat: 'concatenate',
};

/** A layer class as the registry makes it: `new LayerClass(config, path)`. */
export type LayerClass = new (config: Record<string, unknown>, path: string) => Layer;

/** Layer types registered at run time, by canonical type: the class, its aliases, and where it came from. */
const REGISTERED = new Map<string, { make: LayerClass; aliases: string[]; origin: Origin }>();

/** Every layer type: the built-in ones, then those registered. */
export function layerTypes(): string[] {
  return [...LAYER_TYPES, ...REGISTERED.keys()];
}

function allAliases(): Record<string, string> {
  const out: Record<string, string> = { ...ALIASES };
  for (const [type, r] of REGISTERED) for (const a of r.aliases) out[a] = type;
  return out;
}

/**
 * Adds a layer type: `LayerClass` extends Layer (outputShapeFor, weightShapes, createWeights, call, fields)
 * and its `type` is `type`. Its layers then build, train, save and load like the built-in ones. `aliases` are
 * other spellings of the type. A name taken in any spelling (a built-in type or alias, or a registered one) is
 * a ConfigError naming who holds it.
 */
export function registerLayer(type: string, LayerClass: LayerClass, options: { aliases?: readonly string[] } = {}): void {
  const call = `registerLayer('${String(type)}')`;
  if (typeof LayerClass !== 'function' || !(LayerClass.prototype instanceof Layer)) {
    throw new ConfigError(
      call,
      "expected a class that extends nnlab's Layer (a plugin that imports 'nnlab' itself may get another copy of it: use the Layer its default export is given)",
    );
  }
  const aliases = options.aliases ?? [];
  if (!Array.isArray(aliases)) throw new ConfigError(call, `aliases must be a list of names, got ${JSON.stringify(aliases)}`);
  checkNewNames(call, 'layer type', [type, ...aliases], (key) => {
    const builtIn = findHolder(key, LAYER_TYPES.map((t) => [t, t] as [string, string]), (t) => `the built-in layer type '${t}'`);
    const alias = findHolder(key, Object.entries(ALIASES), (a, t) => `a spelling of the built-in layer type '${t}' ('${a}')`);
    const registered = findHolder(key, [...REGISTERED].flatMap(([t, r]) => [t, ...r.aliases].map((n) => [n, { t, r }] as [string, { t: string; r: typeof r }])), (n, { t, r }) =>
      `${n === t ? 'the' : `a spelling ('${n}') of the`} layer type '${t}' registered by ${describeOrigin(r.origin)}`,
    );
    return builtIn ?? alias ?? registered;
  });
  REGISTERED.set(type, { make: LayerClass, aliases: [...aliases], origin: currentOrigin() });
}

/** The plugin file that registered a layer type (in any spelling), or null for a built-in, unknown or in-code one. */
export function layerPlugin(type: string): string | null {
  const t = layerType(type);
  return t === null ? null : (REGISTERED.get(t)?.origin ?? null);
}

/** The canonical type name of a layer type in any spelling ('Conv2d' -> 'conv2d'), or null for an unknown one. */
export function layerType(type: string): string | null {
  return canonicalName(type, layerTypes(), allAliases());
}

export function layer(config: unknown, path = 'layer'): Layer {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new ConfigError(path, `expected a layer as { type, ...fields }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  if (typeof c.type !== 'string') throw new ConfigError(`${path}.type`, `a layer needs a type (one of: ${layerTypes().join(', ')})`);
  const type = layerType(c.type);
  if (type === null) throw unknownName(`${path}.type`, 'layer type', c.type, layerTypes());
  const registered = REGISTERED.get(type);
  const made = registered ? new registered.make(c, path) : new LAYERS[type as LayerType](c, path);
  // A registered class says its own type, which its saved config repeats: it must be the one it is registered as.
  if (registered && (typeof made.type !== 'string' || nameKey(made.type) !== nameKey(type))) {
    throw new ConfigError(`${path}.type`, `the layer class registered as '${type}' says its type is ${JSON.stringify(made.type)}; its \`type\` must be '${type}'`);
  }
  if (c.name !== undefined) {
    if (typeof c.name !== 'string' || c.name === '') throw new ConfigError(`${path}.name`, 'a layer name must be a non-empty string');
    made.name = c.name;
  }
  return made;
}
