// Losses by name, with Keras's names, semantics and defaults, computed stably in libtorch:
// - from logits, cross-entropies go through log_softmax / BCE-with-logits, finite for any logit;
// - from probabilities, predictions are clamped to [1e-7, 1 − 1e-7] (Keras's epsilon) before the log, and
//   categorical ones are first normalised to sum to 1 along the class axis (as Keras does).
// Classes are on the last axis. Targets of binary, categorical and squared-error losses have the predictions'
// shape (one-hot rows for categorical ones, as Keras wants), or are integer class labels [N, ...] (what nnlab's
// datasets hold), which are one-hot encoded against the predictions' C classes first. Each sample's loss is averaged over its other non-batch elements; the batch
// loss is Σᵢ wᵢ·lossᵢ / N with per-sample weights w (all 1 by default), Keras's "sum over batch size" — so
// class weights scale a sample's contribution without renormalising by Σw (unlike PyTorch's `weight`).
import { ops, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { canonicalName, resolveConfig, type ParamSpec, type ParamValue } from '../engine/fields.js';
import { checkNewNames, currentOrigin, describeOrigin, findHolder, type Origin } from './registration.js';

/** Keras's backend epsilon: probabilities are kept this far from 0 and 1. */
export const EPSILON = 1e-7;

const fromLogits: ParamSpec = { type: 'boolean', default: false };

const SPECS = {
  /** Targets in [0, 1], the shape of the predictions (an [N] target also fits [N, 1] predictions), or class labels. */
  binaryCrossentropy: { fromLogits },
  /** One-hot (or soft) targets of the predictions' shape [N, ..., C], or integer class labels [N, ...]. */
  categoricalCrossentropy: { fromLogits },
  /** Integer class labels [N, ...] (or [N, ..., 1]) for predictions [N, ..., C]; any dtype holding integers. */
  sparseCategoricalCrossentropy: { fromLogits },
  /** Targets of the predictions' shape, or integer class labels [N, ...] (one-hot encoded). */
  meanSquaredError: {},
} satisfies Record<string, Record<string, ParamSpec>>;

export type LossName = keyof typeof SPECS;
export const LOSS_NAMES = Object.keys(SPECS) as LossName[];
const ALIASES: Record<string, LossName> = { mse: 'meanSquaredError' };

/** A loss config: a name, or `{ name, fromLogits? }`. */
export type LossConfig = LossName | string | { name: string; [param: string]: unknown };

export interface Loss {
  /** The canonical name: a built-in loss's, or a registered one's. */
  readonly name: string;
  /**
   * The mean loss of a batch, a 0-d tensor carrying yPred's gradient. `sampleWeight` ([N] or [N, 1]) weights
   * each sample's loss (class weights go through sampleWeightsFromClassWeight).
   */
  compute(yPred: Tensor, yTrue: Tensor, sampleWeight?: Tensor): Tensor;
  getConfig(): { name: string; [param: string]: ParamValue };
}

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;

/**
 * yTrue as a float tensor of yPred's shape: as it is ([N] and [N, 1] are interchangeable), or, for integer
 * class labels [N, ...] (or [N, ..., 1]) against predictions [N, ..., C] with C > 1, their one-hot rows.
 */
function sameShape(name: string, yPred: Tensor, yTrue: Tensor): Tensor {
  const [p, t] = [yPred.shape, yTrue.shape];
  const fits = p.length === t.length ? p.every((n, i) => n === t[i]) : p[0] === t[0] && yPred.size === yTrue.size && Math.abs(p.length - t.length) === 1;
  if (fits && p.length > 0) {
    const y = p.length === t.length ? yTrue : ops.reshape(yTrue, p);
    return y.dtype === yPred.dtype ? y : y.to(yPred.dtype);
  }
  const labels = classLabels(yPred, yTrue);
  if (labels === null) throw new ShapeError(`${name}: predictions ${fmt(yPred)} and targets ${fmt(yTrue)} do not match`);
  const c = p[p.length - 1];
  try {
    return ops.oneHot(labels, c).to(yPred.dtype);
  } catch {
    throw new ShapeError(`${name}: targets ${fmt(yTrue)} are not class labels in [0, ${c}) for predictions ${fmt(yPred)}; give labels or one-hot targets of the predictions' shape`);
  }
}

/** yTrue as int64 labels of yPred's leading shape when it is shaped as class labels for yPred's C > 1 classes, else null. */
function classLabels(yPred: Tensor, yTrue: Tensor): Tensor | null {
  const p = yPred.shape;
  const t = yTrue.shape;
  const lead = p.slice(0, -1);
  const shaped = p.length >= 2 && p[p.length - 1] > 1 && (t.length === lead.length || (t.length === p.length && t[t.length - 1] === 1)) && lead.every((n, i) => n === t[i]);
  return shaped ? (yTrue.dtype === 'int64' ? yTrue : yTrue.to('int64')).reshape(lead) : null;
}

/** The mean over every axis but the batch axis: [N, ...] -> [N]. */
function perSample(l: Tensor): Tensor {
  return l.rank <= 1 ? l : ops.meanDim(l, [...Array(l.rank - 1).keys()].map((i) => i + 1));
}

/** log of probabilities normalised along the last axis and clamped away from 0 and 1. */
function logProbabilities(p: Tensor): Tensor {
  const normalised = ops.div(p, ops.sumDim(p, [-1], true));
  return ops.log(ops.clamp(normalised, EPSILON, 1 - EPSILON));
}

type PerSample = (yPred: Tensor, yTrue: Tensor, logits: boolean) => Tensor;

const LOSSES: Record<LossName, PerSample> = {
  binaryCrossentropy(yPred, yTrue, logits) {
    const y = sameShape('binaryCrossentropy', yPred, yTrue);
    const l = logits
      ? ops.binaryCrossEntropyWithLogits(yPred, y, null, null, 0)
      : ops.binaryCrossEntropy(ops.clamp(yPred, EPSILON, 1 - EPSILON), y, null, 0);
    return perSample(l);
  },
  categoricalCrossentropy(yPred, yTrue, logits) {
    if (yPred.rank < 2) throw new ShapeError(`categoricalCrossentropy: predictions need a class axis, got ${fmt(yPred)}`);
    const y = sameShape('categoricalCrossentropy', yPred, yTrue);
    const logp = logits ? ops.logSoftmax(yPred, -1) : logProbabilities(yPred);
    return perSample(ops.neg(ops.sumDim(ops.mul(y, logp), [-1])));
  },
  sparseCategoricalCrossentropy(yPred, yTrue, logits) {
    const p = yPred.shape;
    const t = yTrue.shape;
    const lead = p.slice(0, -1);
    const fits = p.length >= 2 && (t.length === lead.length || (t.length === p.length && t[t.length - 1] === 1)) && lead.every((n, i) => n === t[i]);
    if (!fits) throw new ShapeError(`sparseCategoricalCrossentropy: predictions ${fmt(yPred)} need integer labels [${lead.join(', ')}], got ${fmt(yTrue)}`);
    const labels = (yTrue.dtype === 'int64' ? yTrue : yTrue.to('int64')).reshape([...lead, 1]);
    const logp = logits ? ops.logSoftmax(yPred, -1) : logProbabilities(yPred);
    return perSample(ops.neg(ops.squeezeDim(ops.gather(logp, -1, labels), -1)));
  },
  meanSquaredError(yPred, yTrue) {
    return perSample(ops.mseLoss(yPred, sameShape('meanSquaredError', yPred, yTrue), 0));
  },
};

/**
 * A registered loss: from its parameters, a function of a batch's predictions and targets that returns each
 * sample's loss, [N] (or [N, ...], averaged over each sample's other axes), through tensor ops so autograd
 * carries the gradient. Sample and class weights and the batch mean are applied as for the built-in losses.
 * A `fromLogits` parameter, when declared, tells predict and the metrics that the model outputs logits.
 */
export type LossFactory = (params: Record<string, ParamValue>) => (yPred: Tensor, yTrue: Tensor) => Tensor;

/** Losses registered at run time, by canonical name. */
const REGISTERED = new Map<string, { factory: LossFactory; params: Record<string, ParamSpec>; aliases: string[]; origin: Origin }>();

/** The plugin file that registered a loss (a name or config in any spelling), or null for a built-in, unknown or in-code one. */
export function lossPlugin(config: unknown): string | null {
  const given = typeof config === 'string' ? config : (config as { name?: unknown } | null)?.name;
  if (typeof given !== 'string') return null;
  const aliases = Object.fromEntries([...REGISTERED].flatMap(([n, r]) => r.aliases.map((a) => [a, n])));
  const name = canonicalName(given, [...REGISTERED.keys()], aliases);
  return name === null ? null : REGISTERED.get(name)!.origin;
}

/** Every loss name: the built-in ones, then those registered. */
export function lossNames(): string[] {
  return [...LOSS_NAMES, ...REGISTERED.keys()];
}

/**
 * Adds a loss by name. `params` declares its parameters as the built-in ones do ({ delta: { type: 'number',
 * default: 1 } }), checked in any spelling when a config names the loss; `aliases` are other names for it. A
 * name taken in any spelling (a built-in loss or alias, or a registered one) is a ConfigError naming who holds it.
 */
export function registerLoss(name: string, factory: LossFactory, options: { params?: Record<string, ParamSpec>; aliases?: readonly string[] } = {}): void {
  const call = `registerLoss('${String(name)}')`;
  if (typeof factory !== 'function') throw new ConfigError(call, 'expected a factory: (params) => (yPred, yTrue) => per-sample losses');
  const aliases = options.aliases ?? [];
  if (!Array.isArray(aliases)) throw new ConfigError(call, `aliases must be a list of names, got ${JSON.stringify(aliases)}`);
  checkNewNames(call, 'loss', [name, ...aliases], (key) =>
    findHolder(key, [...LOSS_NAMES.map((n) => [n, n] as [string, string]), ...Object.entries(ALIASES)], (n, target) => `the built-in loss '${target}'${n === target ? '' : ` (as '${n}')`}`) ??
    findHolder(key, [...REGISTERED].flatMap(([n, r]) => [n, ...r.aliases].map((a) => [a, { n, r }] as [string, { n: string; r: typeof r }])), (a, { n, r }) =>
      `the loss '${n}'${a === n ? '' : ` (as '${a}')`} registered by ${describeOrigin(r.origin)}`,
    ),
  );
  REGISTERED.set(name, { factory, params: { ...(options.params ?? {}) }, aliases: [...aliases], origin: currentOrigin() });
}

/** The loss a config names ('mse' is an alias); unknown names and bad parameters name `path`. */
export function loss(config: LossConfig, path = 'loss'): Loss {
  const specs: Record<string, Record<string, ParamSpec>> = { ...SPECS };
  const aliases: Record<string, string> = { ...ALIASES };
  for (const [n, r] of REGISTERED) {
    specs[n] = r.params;
    for (const a of r.aliases) aliases[a] = n;
  }
  const { name, params } = resolveConfig(config, path, 'loss', specs, aliases);
  const registered = REGISTERED.get(name);
  const fn: PerSample = registered ? registeredLoss(name, registered.factory(params)) : LOSSES[name as LossName];
  const logits = params.fromLogits === true;
  return {
    name,
    compute: (yPred, yTrue, sampleWeight) =>
      tidy(() => {
        // The common case in one fused call, as PyTorch's F.cross_entropy: logits [N, C], labels [N], no weights.
        if (name === 'sparseCategoricalCrossentropy' && logits && sampleWeight === undefined && yTrue.dtype === 'int64') {
          const [p, t] = [yPred.shape, yTrue.shape];
          if (p.length === 2 && t.length === 1 && p[0] === t[0]) return ops.crossEntropyLoss(yPred, yTrue);
        }
        const l = fn(yPred, yTrue, logits);
        if (sampleWeight === undefined) return ops.mean(l);
        if (sampleWeight.size !== l.size || sampleWeight.rank > 2) {
          throw new ShapeError(`${name}: sample weights ${fmt(sampleWeight)} do not fit a batch of ${l.size}`);
        }
        const w = ops.reshape(sampleWeight.dtype === l.dtype ? sampleWeight : sampleWeight.to(l.dtype), [l.size]);
        return ops.div(ops.sum(ops.mul(l, w)), l.size);
      }),
    getConfig: () => ({ name, ...params }),
  };
}

/** A registered loss's function as a PerSample: its result checked to hold one loss per sample. */
function registeredLoss(name: string, fn: (yPred: Tensor, yTrue: Tensor) => Tensor): PerSample {
  return (yPred, yTrue) => {
    const l = fn(yPred, yTrue);
    if (l === null || typeof l !== 'object' || !Array.isArray(l.shape) || l.rank < 1 || l.shape[0] !== yPred.shape[0]) {
      const got = l !== null && typeof l === 'object' && Array.isArray(l.shape) ? fmt(l) : String(l);
      throw new ShapeError(`loss '${name}': must return each sample's loss, [${yPred.shape[0]}] for predictions ${fmt(yPred)}, got ${got}`);
    }
    return perSample(l);
  };
}
