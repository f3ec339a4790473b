// The trainer of a run spec: its optimizer, loss and metrics, on the device its `training.device` resolves to
// on this machine (auto: a GPU where there is one), unless --device / NNLAB_DEVICE chooses for this machine. A
// device this machine lacks is a ConfigError naming where it was asked for.
import { resolveDevice } from '../engine/device.js';
import type { Model } from '../nn/model.js';
import { Trainer } from '../train/trainer.js';
import type { RunSpec } from './types.js';

export function makeTrainer(spec: RunSpec, model: Model, path = 'training'): Trainer {
  // NNLAB_DEVICE (what --device sets) is this machine's choice, outside the experiment: workers on a GPU machine
  // and on a CPU one join the same search with the same file.
  const chosen = process.env.NNLAB_DEVICE;
  const device = chosen ? resolveDevice(chosen, '--device (NNLAB_DEVICE)') : resolveDevice(spec.training.device ?? 'auto', `${path}.device`);
  return new Trainer(model, { optimizer: spec.training.optimizer, loss: spec.training.loss, metrics: spec.training.metrics, device }, path);
}
