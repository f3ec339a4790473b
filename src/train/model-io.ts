// Saving and loading a trained model: a directory holding config.json (the model's config, class names,
// anything else a run wants to keep) and weights.safetensors (the state dict, PyTorch's names), written
// atomically. Optimizer state can be saved beside it to resume training.
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { NnlabError } from '../engine/errors.js';
import { Sequential, type ModelConfig } from '../nn/model.js';
import type { Optimizer } from '../optim/index.js';

export const MODEL_FORMAT = 'nnlab.model/1';

export interface SavedModelInfo {
  /** Class names by index, so predictions can be named. */
  classes?: string[];
  /** Anything JSON-able: the preprocessing, the training config, metrics... */
  [key: string]: unknown;
}

export function saveModel(dir: string, model: Sequential, info: SavedModelInfo = {}, optimizer?: Optimizer): void {
  const optimizerState = optimizer?.stateDict();
  saveCheckpoint(dir, {
    config: { format: MODEL_FORMAT, model: model.getConfig(), ...info },
    tensors: model.stateDict(),
    ...(optimizerState ? { extra: { optimizer: optimizerState.meta }, extraTensors: { optimizer: optimizerState.tensors } } : {}),
  });
}

export interface LoadedModel {
  model: Sequential;
  info: SavedModelInfo;
}

export function loadModel(dir: string): LoadedModel {
  const checkpoint = loadCheckpoint(dir);
  const { format, model: config, ...info } = checkpoint.config as { format?: string; model?: ModelConfig } & SavedModelInfo;
  try {
    if (format !== MODEL_FORMAT || !config) {
      throw new NnlabError(`${dir}/config.json is not an nnlab model (format ${JSON.stringify(format)}, expected '${MODEL_FORMAT}')`);
    }
    const model = new Sequential(config, `${dir}/config.json: model`);
    try {
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
