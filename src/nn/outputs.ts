// What a classifier's outputs mean, in one place: the training metrics, Trainer.predictClasses, `nnlab predict`
// and `nnlab export-predictions` all turn a model's outputs into probabilities and classes here.
//
// A model's output head is its number of output units and what they hold:
//   'probabilities'  the last layer ends in softmax or sigmoid: used as they are;
//   'logits'         the loss takes logits (fromLogits: true): sigmoid (one unit) or softmax (C units) first;
//   'scores'         anything else (say a linear output trained with meanSquaredError on 0/1 targets): one unit
//                    is read as P(class 1) clamped to [0, 1]; C units go through softmax.
// One output unit is a binary classifier: p = P(class 1), class 1 where p > threshold (0.5), probabilities
// [1 − p, p]. C > 1 units: the class is the argmax, probabilities sum to 1 over the C classes.
//
// `preActivation`: the outputs were computed without the last layer's activation (the trainer does that to
// compute a probability loss from logits), so a 'probabilities' head applies it here.
import { ops, tidy, type Tensor } from '../tensor/index.js';
import type { Model } from './model.js';

export type OutputKind = 'probabilities' | 'logits' | 'scores';

export interface OutputHead {
  /** Output units: 1 for a binary classifier with one probability, else one per class. */
  units: number;
  kind: OutputKind;
  /** The last layer's activation when it is softmax or sigmoid (what 'probabilities' came from), else null. */
  activation: 'softmax' | 'sigmoid' | null;
}

/** The last layer's activation name when it squashes the class axis (softmax over the last axis, or sigmoid), else null. */
export function finalActivation(model: Model): 'softmax' | 'sigmoid' | null {
  const activation = model.outputLayer.outputActivation;
  if (!activation) return null;
  const { name, axis } = activation.getConfig() as { name: string; axis?: number };
  if (name === 'sigmoid') return 'sigmoid';
  if (name === 'softmax' && (axis === undefined || axis === -1 || axis === model.outputShape.length)) return 'softmax';
  return null;
}

/** The head of a model trained with `loss` (a loss config's name and fromLogits; default: probabilities as the model ends). */
export function outputHead(model: Model, loss?: Record<string, unknown>): OutputHead {
  const units = model.outputShape[model.outputShape.length - 1];
  const activation = finalActivation(model);
  const kind: OutputKind = loss?.fromLogits === true ? 'logits' : activation !== null ? 'probabilities' : 'scores';
  return { units, kind, activation };
}

/** P(class 1) [N, 1] of a one-unit head, or the C class probabilities [N, C] of a wider one. */
function probabilities(out: Tensor, head: OutputHead, preActivation: boolean): Tensor {
  const binary = head.units === 1;
  const squash = (t: Tensor) => (binary || head.activation === 'sigmoid' ? ops.sigmoid(t) : ops.softmax(t, -1));
  if (head.kind === 'logits' || (head.kind === 'probabilities' && preActivation)) return squash(out);
  if (head.kind === 'scores') return binary ? ops.clamp(out, 0, 1) : ops.softmax(out, -1);
  return out;
}

/**
 * What the epoch metrics see: P(class 1) [N, 1] for one unit (they threshold it at their `threshold`); for C
 * units the outputs as they are, since the metrics take the argmax, which softmax does not change.
 */
export function metricInput(out: Tensor, head: OutputHead, preActivation = false): Tensor {
  return head.units === 1 ? probabilities(out, head, preActivation) : out;
}

/** Every class's probability, [N, C] (two columns [1 − p, p] for a one-unit head); rows sum to 1. */
export function classProbabilities(out: Tensor, head: OutputHead, preActivation = false): Tensor {
  return tidy(() => {
    const flat = out.reshape([out.shape[0], head.units]);
    const p = probabilities(flat, head, preActivation);
    if (head.units === 1) return ops.cat([ops.neg(p).add(1), p], -1);
    return head.activation === 'sigmoid' && head.kind !== 'scores' ? ops.div(p, ops.clampMin(ops.sumDim(p, [-1], true), 1e-12)) : p;
  });
}

/** The predicted class of each sample, int64 [N]: P(class 1) > threshold for one unit, else the argmax. */
export function predictedClasses(out: Tensor, head: OutputHead, preActivation = false, threshold = 0.5): Tensor {
  return tidy(() => {
    const flat = out.reshape([out.shape[0], head.units]);
    if (head.units > 1) return ops.argmax(flat, -1);
    return ops.gt(probabilities(flat, head, preActivation), threshold).reshape([out.shape[0]]).to('int64');
  });
}
