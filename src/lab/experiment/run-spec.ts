// From one configuration as written (already checked against the schema) to the RunSpec the runner trains:
// defaults filled in, the model template expanded to layers, and every name and parameter checked by its own
// factory (activations, initializers, layers, optimizers, losses, metrics, callbacks, splits, augmentation),
// so a typo fails here, before any data loads, naming the file, line and field. What only the data can tell
// (a class name in subset.classes or task.oneVsRest, shapes that do not fit the images) the runner checks
// when it prepares the data and builds the models, still before the first run.
import path from 'node:path';
import { closest } from '../../engine/errors.js';
import { BUILTIN_DATASETS } from '../../data/builtin/index.js';
import { checkSplitConfig } from '../../data/split.js';
import { checkAugmentConfig, type AugmentConfig } from '../../data/augment.js';
import { activation } from '../../nn/activations.js';
import { initializer } from '../../nn/initializers.js';
import { regularizer } from '../../nn/regularizers.js';
import { layer, layerPlugin } from '../../nn/layers/registry.js';
import type { LayerConfig } from '../../nn/layers/layer.js';
import { loss as makeLoss, lossPlugin } from '../../nn/losses.js';
import { metric as makeMetric, metricPlugin } from '../../nn/metrics.js';
import { checkClassWeight } from '../../nn/class-weight.js';
import { optimizer as makeOptimizer } from '../../optim/optimizers.js';
import { callback } from '../../train/callbacks/registry.js';
import { zeros } from '../../tensor/index.js';
import type { DataSpec, RunSpec, TrainingSpec } from '../types.js';
import type { Locator } from './locate.js';
import { CLASSES, expandModel, TEMPLATE_DEFAULTS, type ModelSection } from './templates.js';
import { expandBlocks, usesBlocks } from './blocks.js';
import type { Segment } from './paths.js';
import { graphConnections } from '../../nn/graph.js';
import { FileReadError, RegularFile } from '../../io/regular-file.js';
import { isGraphConfig } from '../../nn/model.js';
import { ConfigError } from '../../engine/errors.js';

type Raw = Record<string, unknown>;

/** Defaults of the training section (Keras's where Keras has one). */
export const TRAINING_DEFAULTS = {
  optimizer: 'adam',
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy'],
  epochs: 10,
  batchSize: 32,
  device: 'auto',
} as const;

/**
 * The default of a field that a --set or a study factor reaches into when the file leaves it out (setting
 * training.optimizer.lr starts from the default optimizer), or undefined.
 */
export function defaultAt(segments: readonly (string | number)[]): unknown {
  const key = segments.join('.');
  const defaults: Record<string, unknown> = {
    'training.optimizer': TRAINING_DEFAULTS.optimizer,
    'training.loss': TRAINING_DEFAULTS.loss,
    'model.activation': TEMPLATE_DEFAULTS.activation,
    'model.outputActivation': TEMPLATE_DEFAULTS.outputActivation,
    'model.initializer': TEMPLATE_DEFAULTS.initializer,
    'data.preprocess': 'scale',
  };
  return defaults[key];
}

/**
 * The run spec of one configuration. `baseDir` is where relative dataset paths start (the experiment file's
 * folder). Problems are ConfigErrors located by `loc`.
 */
export function runSpecOf(raw: Raw, loc: Locator, baseDir: string): RunSpec {
  const data = dataSpecOf(raw.data as Raw, loc, baseDir);
  const model = raw.model as ModelSection;
  const { layers, outputs, finalActivation } = modelLayersOf(model, loc);
  const training = trainingSpecOf((raw.training ?? {}) as Raw, loc);
  const { name, fromLogits } = training.loss as { name: string; fromLogits?: boolean };
  if (name.endsWith('Crossentropy') && fromLogits === false && finalActivation === 'linear') {
    const at = 'layers' in model ? ['model', 'layers', layers.length - 1] : ['model', 'outputActivation'];
    throw loc.error(
      at,
      `the model ends without an activation, but loss ${name} expects probabilities: end with ${name === 'binaryCrossentropy' ? 'sigmoid' : 'softmax'}, or use loss { name: ${name}, fromLogits: true }`,
    );
  }
  const transfer = transferOf(raw.model as Raw, loc, baseDir);
  // The plugin files its layers, loss and metrics come from, for the record: resume and show need them loaded.
  const plugins = [...new Set([...layers.map((l) => layerPlugin(l.type)), lossPlugin(training.loss), ...training.metrics.map(metricPlugin)].filter((p) => p !== null))];
  return {
    data,
    model: { layers, ...(outputs === undefined ? {} : { outputs }), ...transfer },
    training,
    evaluateTest: raw.evaluateTest === 'all' || raw.evaluateTest === true,
    ...(plugins.length > 0 ? { plugins } : {}),
  };
}

/** Lower case without separators: 'Fashion_MNIST' and 'fashion-mnist' meet. */
const looseKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function datasetOf(d: unknown, loc: Locator, baseDir: string): DataSpec['dataset'] {
  if (typeof d === 'string') {
    const found = BUILTIN_DATASETS.find((n) => looseKey(n) === looseKey(d));
    if (found !== undefined) return found;
    const near = closest(d, BUILTIN_DATASETS);
    throw loc.error(['data', 'dataset'], `unknown built-in dataset '${d}'${near ? ` (did you mean '${near}'?)` : ''}; valid: ${BUILTIN_DATASETS.join(', ')}, { imageFolder: { path } } or { idx: folder }`);
  }
  const o = d as { idx?: string; imageFolder?: { path: string } };
  if (o.idx !== undefined) return { idx: path.resolve(baseDir, o.idx) };
  const folder = o.imageFolder!;
  return { imageFolder: { ...folder, path: path.resolve(baseDir, folder.path) } };
}

function dataSpecOf(d: Raw, loc: Locator, baseDir: string): DataSpec {
  const task = (d.task ?? 'multiclass') as DataSpec['task'];
  const subset = (d.subset ?? null) as DataSpec['subset'];
  if (subset && subset.perClass !== undefined && subset.total !== undefined) {
    throw loc.error(['data', 'subset'], 'give perClass or total, not both');
  }
  const given = (d.split ?? {}) as DataSpec['split'];
  const take = given.take ?? 'random';
  const split: DataSpec['split'] = {
    ...(given.count === undefined ? { fraction: given.fraction ?? 0.2 } : { count: given.count }),
    take,
    stratify: given.stratify ?? take === 'random',
    ...(given.seed === undefined ? {} : { seed: given.seed }),
  };
  if (given.fraction !== undefined && given.count !== undefined) {
    throw loc.error(['data', 'split'], 'give the validation size as fraction or count, not both');
  }
  loc.check(() => checkSplitConfig(split, 'data.split'));
  return {
    dataset: datasetOf(d.dataset, loc, baseDir),
    task: typeof task === 'string' ? 'multiclass' : { oneVsRest: task.oneVsRest },
    subset: subset === null ? null : { ...subset },
    split,
    preprocess: preprocessOf(d.preprocess, loc),
    augment: augmentOf(d.augment, loc),
    shuffle: (d.shuffle as boolean | undefined) ?? true,
    flatten: (d.flatten as boolean | undefined) ?? false,
    view: viewOf(d, loc),
  };
}

function viewOf(d: Raw, loc: Locator): DataSpec['view'] {
  const view = (d.view as DataSpec['view'] | undefined) ?? 'image';
  if (view === 'sequence' && d.flatten === true) throw loc.error(['data', 'view'], 'a sequence of rows cannot also be flattened: leave out flatten: true, or the view');
  return view;
}

function preprocessOf(p: unknown, loc: Locator): DataSpec['preprocess'] {
  const c = (typeof p === 'string' ? { name: p } : (p ?? { name: 'scale' })) as { name: 'none' | 'scale' | 'standardize'; per?: 'channel' | 'global' };
  if (c.name === 'standardize') return { name: 'standardize', per: c.per ?? 'channel' };
  if (c.per !== undefined) throw loc.error(['data', 'preprocess', 'per'], `'per' belongs to standardize, not to '${c.name}'`);
  return c.name;
}

function augmentOf(a: unknown, loc: Locator): DataSpec['augment'] {
  if (a === undefined || a === null) return null;
  const config = (Array.isArray(a) ? { steps: a } : a) as AugmentConfig;
  return loc.check(() => checkAugmentConfig(config, 'data.augment'));
}

/** A stand-in class count for checking a layer config whose units are 'classes'. */
const SOME_CLASSES = 2;

/**
 * The layer configs of the model section, each checked, a graph's connections checked, and the activation name
 * of the output layer (or null). Problems name the line they come from: a layer of a block's use, its use.
 */
function modelLayersOf(model: ModelSection, loc: Locator): { layers: LayerConfig[]; outputs?: string; finalActivation: string | null } {
  if ('template' in model && model.template === 'resnet') {
    loc.check(() => activation((model.outputActivation ?? TEMPLATE_DEFAULTS.outputActivation) as string, 'model.outputActivation'));
  } else if (!('layers' in model)) {
    // The template's own fields, checked where they are written (the expanded layers have no lines).
    loc.check(() => activation((model.activation ?? TEMPLATE_DEFAULTS.activation) as string, 'model.activation'));
    loc.check(() => activation((model.outputActivation ?? TEMPLATE_DEFAULTS.outputActivation) as string, 'model.outputActivation'));
    loc.check(() => initializer((model.initializer ?? TEMPLATE_DEFAULTS.initializer) as string, 'model.initializer'));
    if (model.biasInitializer !== undefined) loc.check(() => initializer(model.biasInitializer as string, 'model.biasInitializer'));
    if (model.regularizer !== undefined) loc.check(() => regularizer(model.regularizer as string, 'model.regularizer'));
    const hidden = model.template === 'mlp' ? (typeof model.units === 'number' ? 1 : model.units.length) : 0;
    if (model.template === 'mlp' && Array.isArray(model.dropout) && model.dropout.length !== hidden) {
      throw loc.error(['model', 'dropout'], `gives ${model.dropout.length} dropout rates for ${hidden} hidden layers (units ${JSON.stringify(model.units)}); give one rate per hidden layer, or one rate for all`);
    }
  }
  const list = 'layers' in model ? model : null;
  const expanded = list && usesBlocks(list.layers) ? loc.check(() => expandBlocks(list.layers, list.blocks, list.outputs)) : null;
  const layers = expanded?.layers ?? expandModel(model);
  const outputs = expanded ? expanded.outputs : list?.outputs;
  // An error about the i-th layer of the expanded list points at where that layer is written.
  const origin = (i: number): Segment[] => expanded?.origins[i] ?? ['model', 'layers', i];
  const located = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      const m = e instanceof ConfigError && e.file === undefined ? /^model\.layers\[(\d+)\](.*)$/.exec(e.path) : null;
      if (!(e instanceof ConfigError) || !m || !expanded) {
        return loc.check(() => {
          throw e;
        });
      }
      const rest = e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message;
      throw loc.error(origin(Number(m[1])), `${m[2] ? `${m[2].replace(/^\./, '')}: ` : ''}${rest}`);
    }
  };
  const outputName = outputs ?? (layers[layers.length - 1].name as string | undefined);
  let finalActivation: string | null = null;
  layers.forEach((l, i) => {
    const at = `model.layers[${i}]`;
    const units = l.units;
    if (typeof units === 'string' && units !== CLASSES) {
      throw loc.error([...origin(i), 'units'], `expected a positive integer or '${CLASSES}' (one unit per class), got '${units}'`);
    }
    const { inputs: _inputs, ...own } = l;
    const made = located(() => layer(units === CLASSES ? { ...own, units: SOME_CLASSES } : own, at));
    if (i === layers.length - 1 || (outputName !== undefined && l.name === outputName)) {
      const act = made.getConfig().activation as { name?: string } | undefined;
      finalActivation = act?.name ?? null;
    }
    made.dispose();
  });
  const config = { inputShape: [1], layers, ...(outputs === undefined ? {} : { outputs }) };
  if (isGraphConfig(config)) {
    const probe = layers.map((l) => (l.units === CLASSES ? { ...l, units: SOME_CLASSES } : l));
    const { order } = located(() => graphConnections({ layers: probe, outputs }, 'model'));
    for (const n of order) n.layer.dispose();
  }
  return { layers, ...(outputs === undefined ? {} : { outputs }), finalActivation };
}

/**
 * model.weights (the file made absolute from the experiment's folder, checked to be a regular file now) and
 * model.freeze, as the run spec holds them; nothing when the section has neither.
 */
function transferOf(model: Raw, loc: Locator, baseDir: string): Pick<RunSpec['model'], 'weights' | 'freeze'> {
  const out: Pick<RunSpec['model'], 'weights' | 'freeze'> = {};
  const w = model.weights as { file: string; strict?: boolean; skip?: string[] } | undefined;
  if (w !== undefined) {
    const file = path.resolve(baseDir, w.file);
    try {
      RegularFile.open(file).close();
    } catch (e) {
      if (e instanceof FileReadError) throw loc.error(['model', 'weights', 'file'], e.reason);
      throw e;
    }
    out.weights = { file, strict: w.strict ?? true, skip: [...(w.skip ?? [])] };
  }
  if (model.freeze !== undefined) out.freeze = [...(model.freeze as string[])];
  return out;
}

const named = (c: unknown) => (typeof c === 'string' ? { name: c } : (c as Record<string, unknown>));

function trainingSpecOf(t: Raw, loc: Locator): TrainingSpec {
  const d = TRAINING_DEFAULTS;
  const optimizer = loc.check(() => {
    // An optimizer is checked by building one over a single stand-in parameter (no state until a step).
    const param = zeros([1]).requiresGrad_(true);
    try {
      const built = makeOptimizer(named(t.optimizer ?? d.optimizer), [param], 'training.optimizer');
      const config = built.getConfig();
      built.dispose();
      return config;
    } finally {
      param.dispose();
    }
  });
  const loss = loc.check(() => makeLoss((t.loss ?? d.loss) as string, 'training.loss').getConfig());
  const seen = new Map<string, number>();
  const metrics = ((t.metrics ?? d.metrics) as unknown[]).map((m, i) => {
    const made = loc.check(() => makeMetric(m as string, `training.metrics[${i}]`));
    if (seen.has(made.name)) throw loc.error(['training', 'metrics', i], `metric '${made.name}' is already listed at training.metrics[${seen.get(made.name)}]`);
    seen.set(made.name, i);
    return made.getConfig();
  });
  const callbacks = ((t.callbacks ?? []) as unknown[]).map((c, i) => {
    loc.check(() => callback(named(c), `training.callbacks[${i}]`));
    return { ...named(c) };
  });
  const classWeight = (t.classWeight ?? null) as Record<string, number> | 'balanced' | null;
  if (classWeight !== null) loc.check(() => checkClassWeight(classWeight, 'training.classWeight'));
  return {
    optimizer,
    loss,
    metrics,
    epochs: (t.epochs as number | undefined) ?? d.epochs,
    batchSize: (t.batchSize as number | undefined) ?? d.batchSize,
    device: (t.device as string | undefined) ?? d.device,
    callbacks,
    classWeight: classWeight === null || classWeight === 'balanced' ? classWeight : { ...classWeight },
  };
}
