// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov), dampening and L2 weight decay,
// with torch.optim.SGD's update rule:
//     g ← grad + weightDecay · p
//     b ← g on the first step, else momentum · b + (1 − dampening) · g
//     p ← p − lr · (nesterov ? g + momentum · b : b)          (p ← p − lr · g without momentum)
// PyTorch has no default lr; nnlab uses Keras's 0.01.
import { ConfigError } from '../engine/errors.js';
import { join, type FieldSpec } from '../engine/fields.js';
import { ops, type Tensor } from '../tensor/index.js';
import { Optimizer, type CommonConfig, type ParamState } from './optimizer.js';

export interface SgdConfig extends CommonConfig {
  name?: 'sgd';
  /** Default 0 (plain SGD, no state). */
  momentum?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Default 0. */
  dampening?: number;
}

const FIELDS: Record<string, FieldSpec> = {
  momentum: { type: 'number', default: 0, min: 0 },
  nesterov: { type: 'boolean', default: false },
  weightDecay: { type: 'number', default: 0, min: 0 },
  dampening: { type: 'number', default: 0, min: 0, max: 1 },
};

export class Sgd extends Optimizer {
  private readonly momentum = this.fields.momentum as number;
  private readonly nesterov = this.fields.nesterov as boolean;
  private readonly weightDecay = this.fields.weightDecay as number;
  private readonly dampening = this.fields.dampening as number;

  constructor(params: readonly Tensor[], config: SgdConfig = {}, path = 'optimizer') {
    super('sgd', params, config as Record<string, unknown>, path, 0.01, FIELDS);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ConfigError(join(path, 'nesterov'), `Nesterov momentum needs momentum > 0 and dampening 0 (got momentum ${this.momentum}, dampening ${this.dampening})`);
    }
  }

  protected initState(param: Tensor): ParamState {
    return this.momentum !== 0 ? { momentumBuffer: ops.zerosLike(param) } : {};
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, step: number, lr: number): void {
    let g = this.weightDecay !== 0 ? ops.add(grad, param, this.weightDecay) : grad;
    if (this.momentum !== 0) {
      const buf = state.momentumBuffer;
      if (step === 1) ops.copy_(buf, g);
      else ops.add_(ops.mul_(buf, this.momentum), g, 1 - this.dampening);
      g = this.nesterov ? ops.add(g, buf, this.momentum) : buf;
    }
    ops.add_(param, g, -lr);
  }
}
