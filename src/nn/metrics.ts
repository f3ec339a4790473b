// Metrics over a whole epoch: each update() adds a batch's counts to native count tensors (correct
// predictions, or a confusion matrix by bincount of true·C + predicted), and result() computes the value from
// the counts of every batch seen since reset(). So an epoch's F1 is the F1 of the whole epoch, not a mean of
// batch F1s. Updates run no per-element JS code; numbers come back to JS only in result().
import { ops, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { canonicalName, resolveConfig, type ParamSpec, type ParamValue } from '../engine/fields.js';
import { checkNewNames, currentOrigin, describeOrigin, findHolder, type Origin } from './registration.js';
import { classIds, classScores, Counter, countConfusion, isBinary, toMatrix } from './confusion.js';

const threshold: ParamSpec = { type: 'number', default: 0.5 };
const numClasses: ParamSpec = { type: 'optionalInteger', min: 2 };
// 'auto' (the default): class 1's score for two classes, the macro mean for more (what scikit-learn users
// write for multi-class data), decided from the classes the metric sees; getConfig() then reports which.
const average: ParamSpec = { type: 'choice', default: 'auto', choices: ['auto', 'binary', 'macro'] };

const SPECS = {
  /** Keras's 'accuracy': binary for one prediction per sample, else categorical (one-hot) or sparse (labels). */
  accuracy: { threshold },
  /** Elementwise: (yPred > threshold) == (yTrue > 0.5), over every element (multi-label too). */
  binaryAccuracy: { threshold },
  /** argmax(yPred) == argmax(yTrue) for one-hot targets. */
  categoricalAccuracy: {},
  /** argmax(yPred) == yTrue for integer labels. */
  sparseCategoricalAccuracy: {},
  /** TP / (TP + FP) of class 1 ('binary'), or the mean over classes ('macro'; 'auto': by the number of classes); 0 when nothing is predicted. */
  precision: { average, threshold, numClasses },
  /** TP / (TP + FN) of class 1 ('binary'), or the mean over classes ('macro'; 'auto' as precision); 0 for a class without samples. */
  recall: { average, threshold, numClasses },
  /** 2·TP / (2·TP + FP + FN) of class 1 ('binary'), or the mean of the per-class F1s ('macro'; 'auto' as precision). */
  f1: { average, threshold, numClasses },
  /** C×C counts, rows the true class, columns the predicted one (sklearn's layout). */
  confusionMatrix: { threshold, numClasses },
  /** For each class, the fraction of its samples predicted as it (its recall); NaN for a class without samples. */
  perClassAccuracy: { threshold, numClasses },
} satisfies Record<string, Record<string, ParamSpec>>;

export type MetricName = keyof typeof SPECS;
export const METRIC_NAMES = Object.keys(SPECS) as MetricName[];
const ALIASES: Record<string, MetricName> = { acc: 'accuracy', f1Score: 'f1' };

/**
 * A metric config: a name, or `{ name, ...params }`: threshold (binary predictions, default 0.5), average
 * ('auto', 'binary' or 'macro') and numClasses (inferred from the first batch when not given).
 */
export type MetricConfig = MetricName | string | { name: string; [param: string]: unknown };

export interface Metric {
  /**
   * The key for histories: the metric's name, with 'Macro' appended where `average: 'macro'` is written
   * ('f1Macro'); the default average ('auto') keeps the plain name ('f1') whichever average it takes.
   */
  readonly name: string;
  /** Forgets every batch seen (frees the count tensors). */
  reset(): void;
  /**
   * Adds a batch: predictions (probabilities, scores or logits; binary ones [N] or [N, 1]) and targets (0/1,
   * one-hot rows, or integer labels). Nothing is read back to JS.
   */
  update(yPred: Tensor, yTrue: Tensor): void;
  /** The value over every batch since reset(): a number, per-class numbers, or a matrix. */
  result(): number | number[] | number[][];
  getConfig(): { name: string; [param: string]: ParamValue };
}

const fmt = (t: Tensor) => `[${t.shape.join(', ')}]`;
const sameShape = (a: Tensor, b: Tensor) => a.rank === b.rank && a.shape.every((n, i) => n === b.shape[i]);

type Kind = 'binary' | 'categorical' | 'sparse';

/** The hits (bool tensor) of one batch for an accuracy of the given kind. */
function hits(name: string, kind: Kind, yPred: Tensor, yTrue: Tensor, threshold: number): Tensor {
  if (kind === 'binary') {
    if (yTrue.size !== yPred.size) throw new ShapeError(`${name}: predictions ${fmt(yPred)} and targets ${fmt(yTrue)} differ in size`);
    return ops.eq(ops.gt(yPred, threshold), ops.gt(yTrue, 0.5).reshape(yPred.shape));
  }
  if (isBinary(yPred)) throw new ShapeError(`${name}: predictions ${fmt(yPred)} have one value per sample; use binaryAccuracy`);
  if (kind === 'categorical' && !sameShape(yPred, yTrue)) {
    throw new ShapeError(`${name}: predictions ${fmt(yPred)} need one-hot targets of the same shape, got ${fmt(yTrue)}`);
  }
  if (kind === 'sparse' && sameShape(yPred, yTrue)) {
    throw new ShapeError(`${name}: predictions ${fmt(yPred)} need integer labels [${yPred.shape.slice(0, -1).join(', ')}], got one-hot-shaped targets ${fmt(yTrue)}`);
  }
  const { pred, truth } = classIds(name, yPred, yTrue, threshold);
  return ops.eq(pred, truth);
}

function accuracyMetric(name: MetricName, fixed: Kind | null, params: Record<string, ParamValue>): Metric {
  const correct = new Counter();
  let total = 0;
  return {
    name,
    reset() {
      correct.reset();
      total = 0;
    },
    update(yPred, yTrue) {
      tidy(() => {
        const kind = fixed ?? (isBinary(yPred) ? 'binary' : sameShape(yPred, yTrue) ? 'categorical' : 'sparse');
        const h = hits(name, kind, yPred, yTrue, params.threshold as number);
        correct.add(ops.sum(h));
        total += h.size;
      });
    },
    result: () => (total === 0 ? 0 : correct.values()[0] / total),
    getConfig: () => ({ name, ...params }),
  };
}

type FromMatrix = (m: number[][], average: string) => number | number[] | number[][];

/** The average 'auto' stands for with this many classes (null: not known yet). */
const autoAverage = (classes: number | null) => (classes === null ? 'auto' : classes === 2 ? 'binary' : 'macro');

function confusionMetric(name: MetricName, params: Record<string, ParamValue>, value: FromMatrix, hints: MetricHints): Metric {
  const counts = new Counter();
  const given = (params.average as string | undefined) ?? null;
  let classes = params.numClasses as number | null;
  // What 'auto' became: decided by numClasses, the caller's hint, or the first batch, and kept (reset() too).
  let average = given === 'auto' ? autoAverage(classes ?? hints.classes ?? null) : given;
  return {
    name: given === 'macro' ? `${name}Macro` : name,
    reset() {
      counts.reset();
      classes = params.numClasses as number | null;
    },
    update(yPred, yTrue) {
      tidy(() => {
        const ids = classIds(name, yPred, yTrue, params.threshold as number);
        if (classes !== null && ids.classes !== classes) {
          throw new ShapeError(`${name}: predictions ${fmt(yPred)} have ${ids.classes} classes, expected ${classes}`);
        }
        if (average === 'auto') average = autoAverage(ids.classes);
        if (average === 'binary' && ids.classes !== 2) {
          throw new ShapeError(`${name}: average 'binary' needs two classes, predictions ${fmt(yPred)} have ${ids.classes}; use average 'macro'`);
        }
        classes = ids.classes;
        countConfusion(counts, name, ids.pred, ids.truth, classes);
      });
    },
    result: () => value(toMatrix(counts.values(), classes ?? 0), average ?? ''),
    getConfig: () => ({ name, ...params, ...(average !== null ? { average } : {}) }),
  };
}

/** Class 1's score ('binary'), or the mean over the classes that occur in targets or predictions ('macro', as sklearn). */
function averaged(score: 'precision' | 'recall' | 'f1'): FromMatrix {
  return (m, average) => {
    if (m.length === 0) return 0;
    const s = classScores(m);
    if (average === 'binary') return s[score][1];
    const present = s[score].filter((_, k) => s.present[k]);
    return present.length ? present.reduce((a, b) => a + b, 0) / present.length : 0;
  };
}

const MAKERS: Record<MetricName, (p: Record<string, ParamValue>, h: MetricHints) => Metric> = {
  accuracy: (p) => accuracyMetric('accuracy', null, p),
  binaryAccuracy: (p) => accuracyMetric('binaryAccuracy', 'binary', p),
  categoricalAccuracy: (p) => accuracyMetric('categoricalAccuracy', 'categorical', p),
  sparseCategoricalAccuracy: (p) => accuracyMetric('sparseCategoricalAccuracy', 'sparse', p),
  precision: (p, h) => confusionMetric('precision', p, averaged('precision'), h),
  recall: (p, h) => confusionMetric('recall', p, averaged('recall'), h),
  f1: (p, h) => confusionMetric('f1', p, averaged('f1'), h),
  confusionMatrix: (p, h) => confusionMetric('confusionMatrix', p, (m) => m, h),
  perClassAccuracy: (p, h) =>
    confusionMetric('perClassAccuracy', p, (m) =>
      m.map((row, k) => {
        const n = row.reduce((a, b) => a + b, 0);
        return n ? row[k] / n : NaN;
      }),
      h,
    ),
};

/** What the caller knows before any batch: the number of classes (the Trainer reads it from the model's output). */
export interface MetricHints {
  classes?: number;
}

/**
 * A fresh metric (with its own counts) from a config; Keras names and spellings ('acc', 'f1_score',
 * 'sparse_categorical_accuracy'). Unknown names and bad parameters throw a ConfigError naming `path`.
 */
export function metric(config: MetricConfig, path = 'metric', hints: MetricHints = {}): Metric {
  const specs: Record<string, Record<string, ParamSpec>> = { ...SPECS };
  const aliases: Record<string, string> = { ...ALIASES };
  for (const [n, r] of REGISTERED) {
    specs[n] = r.params;
    for (const a of r.aliases) aliases[a] = n;
  }
  const { name, params } = resolveConfig(config, path, 'metric', specs, aliases);
  const registered = REGISTERED.get(name);
  return registered ? registeredMetric(name, registered.factory(params, hints), params) : MAKERS[name as MetricName](params, hints);
}

/**
 * What a registered metric's factory makes: a function of a batch's predictions and targets returning a value
 * per sample ([N], or any shape: each element counts once), whose mean over the epoch is the metric (Keras's
 * function metrics); or a metric of its own, `{ update(yPred, yTrue), result(), reset() }`, that keeps its own counts.
 */
export type RegisteredMetric = ((yPred: Tensor, yTrue: Tensor) => Tensor) | Pick<Metric, 'update' | 'result' | 'reset'>;
export type MetricFactory = (params: Record<string, ParamValue>, hints: MetricHints) => RegisteredMetric;

/** Metrics registered at run time, by canonical name. */
const REGISTERED = new Map<string, { factory: MetricFactory; params: Record<string, ParamSpec>; aliases: string[]; origin: Origin }>();

/** The plugin file that registered a metric (a name or config in any spelling), or null for a built-in, unknown or in-code one. */
export function metricPlugin(config: unknown): string | null {
  const given = typeof config === 'string' ? config : (config as { name?: unknown } | null)?.name;
  if (typeof given !== 'string') return null;
  const aliases = Object.fromEntries([...REGISTERED].flatMap(([n, r]) => r.aliases.map((a) => [a, n])));
  const name = canonicalName(given, [...REGISTERED.keys()], aliases);
  return name === null ? null : REGISTERED.get(name)!.origin;
}

/** Every metric name: the built-in ones, then those registered. */
export function metricNames(): string[] {
  return [...METRIC_NAMES, ...REGISTERED.keys()];
}

/**
 * Adds a metric by name. `params` declares its parameters as the built-in ones do, `aliases` other names for
 * it. A name taken in any spelling (a built-in metric or alias, or a registered one) is a ConfigError naming who
 * holds it. History keys are the metric's name; names holding 'loss', 'error', 'mse' or 'mae' are minimised in studies (stats/compare.ts).
 */
export function registerMetric(name: string, factory: MetricFactory, options: { params?: Record<string, ParamSpec>; aliases?: readonly string[] } = {}): void {
  const call = `registerMetric('${String(name)}')`;
  if (typeof factory !== 'function') throw new ConfigError(call, 'expected a factory: (params) => (yPred, yTrue) => per-sample values');
  const aliases = options.aliases ?? [];
  if (!Array.isArray(aliases)) throw new ConfigError(call, `aliases must be a list of names, got ${JSON.stringify(aliases)}`);
  checkNewNames(call, 'metric', [name, ...aliases], (key) =>
    findHolder(key, [...METRIC_NAMES.map((n) => [n, n] as [string, string]), ...Object.entries(ALIASES)], (n, target) => `the built-in metric '${target}'${n === target ? '' : ` (as '${n}')`}`) ??
    findHolder(key, [...REGISTERED].flatMap(([n, r]) => [n, ...r.aliases].map((a) => [a, { n, r }] as [string, { n: string; r: typeof r }])), (a, { n, r }) =>
      `the metric '${n}'${a === n ? '' : ` (as '${a}')`} registered by ${describeOrigin(r.origin)}`,
    ),
  );
  REGISTERED.set(name, { factory, params: { ...(options.params ?? {}) }, aliases: [...aliases], origin: currentOrigin() });
}

function registeredMetric(name: string, made: RegisteredMetric, params: Record<string, ParamValue>): Metric {
  const getConfig = () => ({ name, ...params });
  if (typeof made !== 'function') {
    if (made === null || typeof made !== 'object' || typeof made.update !== 'function' || typeof made.result !== 'function' || typeof made.reset !== 'function') {
      throw new ConfigError(`metric '${name}'`, 'its factory must return (yPred, yTrue) => per-sample values, or { update, result, reset }');
    }
    return { name, update: (p, t) => made.update(p, t), result: () => made.result(), reset: () => made.reset(), getConfig };
  }
  // The epoch's mean of the values: their sum (float64, on the values' device) and count, added batch by batch.
  const sum = new Counter();
  let count = 0;
  return {
    name,
    reset() {
      sum.reset();
      count = 0;
    },
    update(yPred, yTrue) {
      tidy(() => {
        const v = made(yPred, yTrue);
        if (v === null || typeof v !== 'object' || !Array.isArray(v.shape) || v.rank < 1 || v.shape[0] !== yPred.shape[0]) {
          const got = v !== null && typeof v === 'object' && Array.isArray(v.shape) ? fmt(v) : String(v);
          throw new ShapeError(`metric '${name}': must return a value per sample, [${yPred.shape[0]}] for predictions ${fmt(yPred)}, got ${got}`);
        }
        sum.add(ops.sum(v.to('float64')));
        count += v.size;
      });
    },
    result: () => (count === 0 ? 0 : sum.values()[0] / count),
    getConfig,
  };
}
