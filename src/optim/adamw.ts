// AdamW: Adam with decoupled weight decay, with torch.optim.AdamW's update rule and defaults (lr 0.001,
// weightDecay 0.01): first p ← p · (1 − lr · weightDecay), then Adam's step on the raw gradient (adam.ts).
// Keras's AdamW decays by weightDecay · lr too, but defaults to 0.004 and epsilon 1e-7.
import type { Tensor } from '../tensor/index.js';
import { AdamFamily, type AdamConfig } from './adam.js';

export interface AdamwConfig extends Omit<AdamConfig, 'name'> {
  name?: 'adamw';
  /** Decoupled decay: p ← p · (1 − lr · weightDecay) each step. Default 0.01. */
  weightDecay?: number;
}

export class Adamw extends AdamFamily {
  constructor(params: readonly Tensor[], config: AdamwConfig = {}, path = 'optimizer') {
    super('adamw', params, config as Record<string, unknown>, path, true);
  }
}
