// Adagrad with torch.optim.Adagrad's update rule and defaults (lr 0.01, epsilon 1e-10):
//     g ← grad + weightDecay · p
//     clr ← lr / (1 + (step − 1) · lrDecay)
//     s ← s + g²                      (s starts at initialAccumulatorValue)
//     p ← p − clr · g / (sqrt(s) + ε)
// Keras's defaults differ (lr 0.001, initialAccumulatorValue 0.1, epsilon 1e-7).
import type { FieldSpec } from '../engine/fields.js';
import { ops, type Tensor } from '../tensor/index.js';
import { Optimizer, type CommonConfig, type ParamState } from './optimizer.js';

export interface AdagradConfig extends CommonConfig {
  name?: 'adagrad';
  /** The accumulator's starting value. Default 0. */
  initialAccumulatorValue?: number;
  /** Default 1e-10. */
  epsilon?: number;
  /** PyTorch's per-parameter decay: lr / (1 + (step − 1) · lrDecay). Default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

const FIELDS: Record<string, FieldSpec> = {
  initialAccumulatorValue: { type: 'number', default: 0, min: 0 },
  epsilon: { type: 'number', default: 1e-10, min: 0, aliases: ['eps'] },
  lrDecay: { type: 'number', default: 0, min: 0 },
  weightDecay: { type: 'number', default: 0, min: 0 },
};

export class Adagrad extends Optimizer {
  private readonly initialAccumulatorValue = this.fields.initialAccumulatorValue as number;
  private readonly epsilon = this.fields.epsilon as number;
  private readonly lrDecay = this.fields.lrDecay as number;
  private readonly weightDecay = this.fields.weightDecay as number;

  constructor(params: readonly Tensor[], config: AdagradConfig = {}, path = 'optimizer') {
    super('adagrad', params, config as Record<string, unknown>, path, 0.01, FIELDS);
  }

  protected initState(param: Tensor): ParamState {
    return { sum: ops.fullLike(param, this.initialAccumulatorValue) };
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, step: number, lr: number): void {
    const g = this.weightDecay !== 0 ? ops.add(grad, param, this.weightDecay) : grad;
    const clr = lr / (1 + (step - 1) * this.lrDecay);
    ops.addcmul_(state.sum, g, g, 1);
    const std = ops.add_(ops.sqrt(state.sum), this.epsilon);
    ops.addcdiv_(param, g, std, -clr);
  }
}
