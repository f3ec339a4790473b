// RMSprop with torch.optim.RMSprop's update rule and defaults (lr 0.01, rho 0.99, epsilon 1e-8):
//     g ← grad + weightDecay · p
//     s ← rho · s + (1 − rho) · g²
//     centered: a ← rho · a + (1 − rho) · g;  d ← sqrt(s − a²) + ε;  else d ← sqrt(s) + ε
//     momentum > 0: b ← momentum · b + g / d;  p ← p − lr · b;  else p ← p − lr · g / d
// Keras calls the smoothing constant `rho`, PyTorch `alpha`; both are accepted (getConfig writes rho).
// Keras's defaults differ (lr 0.001, rho 0.9, epsilon 1e-7), and Keras puts ε inside the square root.
import type { FieldSpec } from '../engine/fields.js';
import { ops, type Tensor } from '../tensor/index.js';
import { Optimizer, type CommonConfig, type ParamState } from './optimizer.js';

export interface RmspropConfig extends CommonConfig {
  name?: 'rmsprop';
  /** Smoothing constant of the squared-gradient average (PyTorch's alpha). Default 0.99. */
  rho?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** Default 0. */
  momentum?: number;
  /** Normalise by the variance estimate instead of the raw second moment. Default false. */
  centered?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const FIELDS: Record<string, FieldSpec> = {
  rho: { type: 'number', default: 0.99, min: 0, below: 1, aliases: ['alpha'] },
  epsilon: { type: 'number', default: 1e-8, min: 0, aliases: ['eps'] },
  momentum: { type: 'number', default: 0, min: 0 },
  centered: { type: 'boolean', default: false },
  weightDecay: { type: 'number', default: 0, min: 0 },
};

export class Rmsprop extends Optimizer {
  private readonly rho = this.fields.rho as number;
  private readonly epsilon = this.fields.epsilon as number;
  private readonly momentum = this.fields.momentum as number;
  private readonly centered = this.fields.centered as boolean;
  private readonly weightDecay = this.fields.weightDecay as number;

  constructor(params: readonly Tensor[], config: RmspropConfig = {}, path = 'optimizer') {
    super('rmsprop', params, config as Record<string, unknown>, path, 0.01, FIELDS);
  }

  protected initState(param: Tensor): ParamState {
    const state: ParamState = { squareAvg: ops.zerosLike(param) };
    if (this.momentum > 0) state.momentumBuffer = ops.zerosLike(param);
    if (this.centered) state.gradAvg = ops.zerosLike(param);
    return state;
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, _step: number, lr: number): void {
    const g = this.weightDecay !== 0 ? ops.add(grad, param, this.weightDecay) : grad;
    ops.addcmul_(ops.mul_(state.squareAvg, this.rho), g, g, 1 - this.rho);
    let avg: Tensor;
    if (this.centered) {
      ops.add_(ops.mul_(state.gradAvg, this.rho), g, 1 - this.rho);
      avg = ops.sqrt_(ops.addcmul(state.squareAvg, state.gradAvg, state.gradAvg, -1));
    } else {
      avg = ops.sqrt(state.squareAvg);
    }
    ops.add_(avg, this.epsilon);
    if (this.momentum > 0) {
      ops.addcdiv_(ops.mul_(state.momentumBuffer, this.momentum), g, avg);
      ops.add_(param, state.momentumBuffer, -lr);
    } else {
      ops.addcdiv_(param, g, avg, -lr);
    }
  }
}
