// Saving and loading a trained model: a directory holding config.json (the model's config, class names,
// anything else a run wants to keep) and weights.safetensors (the state dict, PyTorch's names), written
// atomically. Optimizer state can be saved beside it to resume training.
//
// Loading checks the weights before the model takes them, so a damaged or foreign file cannot predict in
// silence: each tensor's dtype must be of the model's kind (floating point for floating weights, converted as
// PyTorch's load_state_dict does; integer buffers integer), and no floating weight may hold NaN or ±Infinity.
// Either is an error naming the file, the tensor and what it holds.
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { ConfigError, NnlabError } from '../engine/errors.js';
import { layerPlugin, layerType } from '../nn/layers/registry.js';
import { isFloating, ops, tidy, type Tensor } from '../tensor/index.js';
import { buildModel, type Model, type ModelConfig } from '../nn/model.js';
import type { Optimizer } from '../optim/index.js';

export const MODEL_FORMAT = 'nnlab.model/1';

export interface SavedModelInfo {
  /** Class names by index, so predictions can be named. */
  classes?: string[];
  /** Anything JSON-able: the preprocessing, the training config, metrics... */
  [key: string]: unknown;
}

export function saveModel(dir: string, model: Model, info: SavedModelInfo = {}, optimizer?: Optimizer): void {
  const optimizerState = optimizer?.stateDict();
  const config = model.getConfig();
  // The plugin files its layer types come from: loading the folder without them says which to load.
  const plugins = [...new Set(config.layers.map((l) => layerPlugin(l.type)).filter((p) => p !== null))];
  saveCheckpoint(dir, {
    config: { format: MODEL_FORMAT, model: config, ...(plugins.length > 0 ? { plugins } : {}), ...info },
    tensors: model.stateDict(),
    ...(optimizerState ? { extra: { optimizer: optimizerState.meta }, extraTensors: { optimizer: optimizerState.tensors } } : {}),
  });
}

export interface LoadedModel {
  model: Model;
  info: SavedModelInfo;
}

export function loadModel(dir: string): LoadedModel {
  const checkpoint = loadCheckpoint(dir);
  const { format, model: config, plugins, ...info } = checkpoint.config as { format?: string; model?: ModelConfig; plugins?: unknown } & SavedModelInfo;
  try {
    if (format !== MODEL_FORMAT || !config) {
      throw new NnlabError(`${dir}/config.json is not an nnlab model (format ${JSON.stringify(format)}, expected '${MODEL_FORMAT}')`);
    }
    checkLayerTypes(config, plugins, `${dir}/config.json`);
    const model = buildModel(config, `${dir}/config.json: model`);
    try {
      checkWeights(model, checkpoint.tensors, `${dir}/weights.safetensors`);
      model.loadStateDict(checkpoint.tensors, `${dir}/weights.safetensors`);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return { model, info };
  } finally {
    for (const t of Object.values(checkpoint.tensors)) t.dispose();
    for (const group of Object.values(checkpoint.extraTensors)) for (const t of Object.values(group)) t.dispose();
  }
}

/**
 * Every layer type of a saved model must be known here: one that is not (a plugin's, not loaded) is a
 * ConfigError naming it and the plugin files the folder records (or asking for the plugin when it records none).
 */
function checkLayerTypes(config: ModelConfig, plugins: unknown, file: string): void {
  const i = Array.isArray(config.layers) ? config.layers.findIndex((l) => typeof l?.type === 'string' && layerType(l.type) === null) : -1;
  if (i < 0) return;
  const recorded = Array.isArray(plugins) ? plugins.filter((p): p is string => typeof p === 'string') : [];
  const load = recorded.length > 0 ? `the model was saved with the plugin ${recorded.join(' and ')}: load it (--plugin FILE)` : 'load the plugin that registers it (--plugin FILE)';
  throw new ConfigError(`model.layers[${i}].type`, `layer type '${config.layers[i].type}' is not registered; ${load}`, file);
}

/**
 * Checks weights read from a file against the model before it takes them: a tensor whose dtype is not of the
 * model's kind (an integer dtype for a floating weight, or the other way round) or a floating tensor with a NaN
 * or an infinity is an error naming `source`, the tensor and both dtypes (or the count of bad values). Names and
 * shapes are loadStateDict's to check.
 */
export function checkWeights(model: Model, tensors: Record<string, Tensor>, source: string): void {
  const own = model.stateDict();
  for (const [name, t] of Object.entries(tensors)) {
    const want = own[name]?.dtype;
    if (want !== undefined && want !== t.dtype && (isFloating(want) !== isFloating(t.dtype) || want === 'bool' || t.dtype === 'bool')) {
      throw new NnlabError(`${source}: ${name} is stored as ${t.dtype}, but the model's ${name} is ${want}; the file does not hold this model's weights`);
    }
    if (!isFloating(t.dtype)) continue;
    const bad = tidy(() => ops.logicalNot(ops.isfinite(t)).sum().item());
    if (bad > 0) throw new NnlabError(`${source}: ${name} holds ${bad} non-finite value(s) (NaN or infinity) of ${t.size}; these weights cannot predict`);
  }
}
