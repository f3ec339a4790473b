// AdamW: Adam with decoupled weight decay, with torch.optim.AdamW's update rule and defaults (lr 0.001,
// weightDecay 0.01): first p ← p · (1 − lr · weightDecay), then Adam's step on the raw gradient (adam.ts).
// Keras's AdamW decays by weightDecay · lr too, but defaults to 0.004 and epsilon 1e-7.
import type { Tensor } from '../tensor/index.js';
import { ops } from '../tensor/index.js';
import { adamFields, adamState, adamStep, fusedAdamStep, type AdamConfig } from './adam.js';
import { Optimizer, type ParamState } from './optimizer.js';

export interface AdamwConfig extends Omit<AdamConfig, 'name'> {
  name?: 'adamw';
  /** Decoupled decay: p ← p · (1 − lr · weightDecay) each step. Default 0.01. */
  weightDecay?: number;
}

export class Adamw extends Optimizer {
  private readonly hyper = {
    beta1: this.fields.beta1 as number,
    beta2: this.fields.beta2 as number,
    epsilon: this.fields.epsilon as number,
    amsgrad: this.fields.amsgrad as boolean,
  };
  private readonly weightDecay = this.fields.weightDecay as number;

  constructor(params: readonly Tensor[], config: AdamwConfig = {}, path = 'optimizer') {
    super('adamw', params, config as Record<string, unknown>, path, 0.001, adamFields(0.01));
  }

  protected initState(param: Tensor): ParamState {
    return adamState(param, this.hyper.amsgrad);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, step: number, lr: number): void {
    if (fusedAdamStep(param, grad, state, step, lr, this.hyper, this.weightDecay, true)) return;
    ops.mul_(param, 1 - lr * this.weightDecay);
    adamStep(param, grad, state, step, lr, this.hyper);
  }
}
