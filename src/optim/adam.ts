// Adam with torch.optim.Adam's update rule and defaults (lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-8):
//     g ← grad + weightDecay · p                  (L2 in the gradient; adamw.ts decouples it)
//     m ← beta1 · m + (1 − beta1) · g
//     v ← beta2 · v + (1 − beta2) · g²
//     amsgrad: v̂ ← max(v̂, v), else v̂ ← v
//     p ← p − lr / (1 − beta1^t) · m / (sqrt(v̂) / sqrt(1 − beta2^t) + ε)
// PyTorch's `betas` pair is Keras's beta1/beta2 here; `eps` is epsilon. Keras's epsilon default is 1e-7.
import type { FieldSpec } from '../engine/fields.js';
import { getNative } from '../engine/native.js';
import { ops, type Tensor } from '../tensor/index.js';
import { Optimizer, type CommonConfig, type ParamState } from './optimizer.js';

export interface AdamConfig extends CommonConfig {
  name?: 'adam';
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** Normalise by the largest second moment so far (AMSGrad). Default false. */
  amsgrad?: boolean;
  /** L2 penalty added to the gradient (coupled, as torch.optim.Adam). Default 0. */
  weightDecay?: number;
}

/** The fields Adam and AdamW share. */
export function adamFields(weightDecay: number): Record<string, FieldSpec> {
  return {
    beta1: { type: 'number', default: 0.9, min: 0, below: 1 },
    beta2: { type: 'number', default: 0.999, min: 0, below: 1 },
    epsilon: { type: 'number', default: 1e-8, min: 0, aliases: ['eps'] },
    amsgrad: { type: 'boolean', default: false },
    weightDecay: { type: 'number', default: weightDecay, min: 0 },
  };
}

/** Adam's (and AdamW's) state: the moment averages, and the running maximum for AMSGrad. */
export function adamState(param: Tensor, amsgrad: boolean): ParamState {
  const state: ParamState = { expAvg: ops.zerosLike(param), expAvgSq: ops.zerosLike(param) };
  if (amsgrad) state.maxExpAvgSq = ops.zerosLike(param);
  return state;
}

/**
 * The whole Adam/AdamW update of one parameter in one native pass (native/src/optim_kernels.cc): same formulas,
 * one read of each buffer instead of ~8 ops and two temporaries. Weight decay is coupled (Adam: added to the
 * gradient) or decoupled (AdamW: the parameter shrinks by lr·weightDecay first). Returns false when the tensors
 * do not fit the fused path (not contiguous CPU float32/float64): the caller then runs the op path below.
 */
export function fusedAdamStep(
  param: Tensor,
  grad: Tensor,
  state: ParamState,
  step: number,
  lr: number,
  h: { beta1: number; beta2: number; epsilon: number; amsgrad: boolean },
  weightDecay: number,
  decoupled: boolean,
): boolean {
  return getNative().adamStep(
    param.h, grad.h, state.expAvg.h, state.expAvgSq.h, h.amsgrad ? state.maxExpAvgSq.h : null,
    lr, h.beta1, h.beta2, h.epsilon, weightDecay, decoupled, step,
  );
}

/** The moment updates and the bias-corrected step that Adam and AdamW share (after any weight decay). */
export function adamStep(
  param: Tensor,
  g: Tensor,
  state: ParamState,
  step: number,
  lr: number,
  h: { beta1: number; beta2: number; epsilon: number; amsgrad: boolean },
): void {
  ops.add_(ops.mul_(state.expAvg, h.beta1), g, 1 - h.beta1);
  ops.addcmul_(ops.mul_(state.expAvgSq, h.beta2), g, g, 1 - h.beta2);
  const stepSize = lr / (1 - h.beta1 ** step);
  const bias2Sqrt = Math.sqrt(1 - h.beta2 ** step);
  let second = state.expAvgSq;
  if (h.amsgrad) {
    ops.copy_(state.maxExpAvgSq, ops.maximum(state.maxExpAvgSq, state.expAvgSq));
    second = state.maxExpAvgSq;
  }
  const denom = ops.add_(ops.div(ops.sqrt(second), bias2Sqrt), h.epsilon);
  ops.addcdiv_(param, state.expAvg, denom, -stepSize);
}

/**
 * Adam and AdamW: the same moments and step; weight decay added to the gradient (Adam, coupled) or applied to
 * the parameter before the step (AdamW, decoupled). Subclasses only name themselves and their defaults.
 */
export abstract class AdamFamily extends Optimizer {
  private readonly hyper = {
    beta1: this.fields.beta1 as number,
    beta2: this.fields.beta2 as number,
    epsilon: this.fields.epsilon as number,
    amsgrad: this.fields.amsgrad as boolean,
  };
  private readonly weightDecay = this.fields.weightDecay as number;

  constructor(name: 'adam' | 'adamw', params: readonly Tensor[], config: Record<string, unknown>, path: string, private readonly decoupled: boolean) {
    super(name, params, config, path, 0.001, adamFields(decoupled ? 0.01 : 0));
  }

  protected initState(param: Tensor): ParamState {
    return adamState(param, this.hyper.amsgrad);
  }

  protected update(param: Tensor, grad: Tensor, state: ParamState, step: number, lr: number): void {
    if (fusedAdamStep(param, grad, state, step, lr, this.hyper, this.weightDecay, this.decoupled)) return;
    let g = grad;
    if (this.decoupled) ops.mul_(param, 1 - lr * this.weightDecay);
    else if (this.weightDecay !== 0) g = ops.add(grad, param, this.weightDecay);
    adamStep(param, g, state, step, lr, this.hyper);
  }
}

export class Adam extends AdamFamily {
  constructor(params: readonly Tensor[], config: AdamConfig = {}, path = 'optimizer') {
    super('adam', params, config as Record<string, unknown>, path, false);
  }
}
