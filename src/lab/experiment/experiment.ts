// Experiment files: one YAML (or JSON) file describes the data, the model, the training, and optionally a study
// that compares configurations, each run `repeats` times. Loading one checks everything that can be checked
// without the data, and reports the first problem as a ConfigError naming the file, the line and the field path
// (with a did-you-mean for unknown names), before anything trains. The schema is schema/experiment.schema.json.
//
//   # yaml-language-server: $schema=../schema/experiment.schema.json
//   name: fashion-activations         # default: the file name
//   description: ...                  # default none
//   seed: 1                           # default 0; repeat r of every configuration runs with seed + r
//   repeats: 2                        # default 1
//   data:
//     dataset: fashion-mnist          # mnist | fashion-mnist | { imageFolder: { path, size, color, ... } } | { idx: folder }
//                                     # (relative paths start at the experiment file's folder)
//     task: multiclass                # default; or { oneVsRest: <class name or index> }
//     subset: { perClass: 500 }       # default none; { classes: [...], perClass | total, stratify, take, seed }
//     split: { fraction: 0.2 }        # default { fraction: 0.2, take: random, stratify: true }; or { count: 5000 }
//     preprocess: scale               # default scale (to [0, 1]); none | standardize | { name: standardize, per: global }
//     augment: [flip, { name: rotate, degrees: 10 }]   # default none; or { steps: [...], seed }
//     shuffle: true                   # default true (every epoch)
//     flatten: false                  # default false (the templates flatten inside the model)
//     view: image                     # default image; sequence: each image as its rows [H, W·C], for lstm/gru layers
//   model:                            # a template...
//     template: mlp                   # flatten, dense per entry of units, dense output (one unit per class)
//     units: [128]
//     activation: relu                # default relu; any activation name or { name, ...parameters }
//     initializer: glorotUniform      # default glorotUniform (kernels of every dense layer)
//     biasInitializer: zeros          # default zeros
//     regularizer: null               # default none; { name: l2, l2: 0.01 } on every kernel
//     dropout: 0                      # default 0; or one rate per hidden layer: [0, 0.5, 0]
//     batchNorm: false                # default false
//     outputActivation: softmax       # default softmax (a two-class task with sigmoid: one output unit)
//   # model: { template: cnn, filters: [16, 32], kernelSize: 3, padding: same, pool: max, poolSize: 2, dense: [64],
//   #          dropout: 0.25, batchNorm: true, activation: relu }   conv blocks, flatten, dense head, output
//   # model: { layers: [ { type: conv2d, filters: 16, kernelSize: 3 }, { type: flatten },
//   #                    { type: dense, units: classes, activation: softmax } ] }   layer configs of src/nn/layers
//   training:
//     optimizer: { name: adam, lr: 0.001 }   # default adam (PyTorch's defaults); a name alone works too
//     loss: sparseCategoricalCrossentropy    # default
//     metrics: [accuracy]                    # default [accuracy]
//     epochs: 5                              # default 10
//     batchSize: 64                          # default 32
//     callbacks: [{ name: earlyStopping, patience: 2 }]   # default none
//     classWeight: null                      # default none; { 0: 1, 1: 5 }
//   evaluateTest: true                # default false. The sealed test set is evaluated once per run: true = the
//                                     # single config's runs, or in a study only the runs of the config chosen on
//                                     # validation (= best); all: every run of every config
//   study:                            # default none: a single configuration
//     mode: cross                     # default cross (every combination); zip: the i-th values together
//     metric: val.accuracy            # default val.accuracy: the final metric that ranks configs (val.precision, val.loss, ...)
//     direction: max                  # default: min for losses and errors, else max
//     factors:                        # field path -> values; any field of data, model, training
//       model.activation: [sigmoid, relu, selu, leakyRelu]
//       training.optimizer.lr: [0.1, 0.01]
//       training.optimizer:           # named levels: labels show the names (optimizer=SGD)
//         SGD: { name: sgd, lr: 0.1 }
//         Adam: { name: adam, lr: 0.01 }
//       regularisation:               # levels that each set fields of their own
//         set: { none: {}, dropout: { model.dropout: 0.5 }, L2: { model.regularizer: { name: l2, l2: 0.01 } } }
//       activation:                   # one factor setting several fields, named by its key
//         paths: [model.layers.1.activation, model.layers.3.activation]   # (or model.layers[1]... in a block list)
//         values: [sigmoid, relu]
//   baselines: [majority, uniform, constant]   # default none: classification baselines on the same splits
//   plugins: [./my-layers.js]         # default none: ES modules registering layers, losses and metrics, loaded
//                                     # (relative to this file) before any name is checked; see src/lab/plugins.ts
//   tune:                             # instead of study: a hyper-parameter search (see tune.ts and src/tune/)
//     objective: val.accuracy         # or { metric, direction, reduce: best | last }
//     sampler: tpe                    # random | grid | tpe | gp, or { name, ...settings }
//     pruner: none                    # none | median | asha | hyperband, or { name, ...settings }
//     trials: 30                      # the study's budget; executionsPerTrial, timeoutS, seed optional
//     space:                          # field path -> { type: float | int | choice | bool | fixed, ... }
//       training.optimizer.lr: { type: float, low: 0.00001, high: 0.1, log: true }
//
// Component names and parameters (activations, optimizers, ...) match in any spelling (leakyRelu, leaky_relu,
// LeakyReLU; learning_rate for lr), as their factories read them; the experiment's own fields are camelCase.
// The result is an Experiment (src/lab/types.ts): one StudyCell per configuration, each with a RunSpec whose
// model is a layer list; see templates.ts for what the templates expand to and for `units: 'classes'`.
import path from 'node:path';
import { ConfigError } from '../../engine/errors.js';
import { FileReadError, readRegularFile } from '../../io/regular-file.js';
import type { Experiment, StudyCell } from '../types.js';
import { Locator } from './locate.js';
import { applyOverrides } from './overrides.js';
import { formatPath, isPrefix, isRecord, setPath, type Segment } from './paths.js';
import { defaultAt, runSpecOf } from './run-spec.js';
import { Source } from './source.js';
import { factorPaths, readStudy, studyCells } from './study.js';
import { validateExperiment } from './validate.js';
import { isPluginLoaded } from '../plugins.js';
import { applyParams, checkTuneAlone, cornerParams, paramsLabel, readTune, tunePaths } from './tune.js';
import type { Params } from '../../tune/space.js';

export interface LoadOptions {
  /** Overrides applied before checking, in order: 'training.epochs=3', 'model.units=[64,32]'. */
  overrides?: readonly string[];
}

/**
 * Which runs are evaluated on the test set: `true` means the one config of a single experiment, and in a
 * study only the config chosen on validation ('best'), as the test set must not take part in choosing.
 */
function testPolicy(given: boolean | 'best' | 'all' | undefined, cells: number, search: boolean): Experiment['evaluateTest'] {
  if (search) return given === false ? 'none' : 'best';
  if (given === undefined || given === false) return 'none';
  if (given === 'all' || given === 'best') return given;
  return cells > 1 ? 'best' : 'all';
}

/**
 * The largest experiment file read: hand-written ones are a few KiB, and parsing takes some forty times the
 * text's size in memory (a 50 MB file took 2.1 GB), so a larger file is refused before it is read.
 */
export const MAX_EXPERIMENT_BYTES = 4 * 1024 * 1024;

/**
 * Reads and checks an experiment file (YAML or JSON): a regular file (not a FIFO or a device such as
 * /dev/zero) of at most MAX_EXPERIMENT_BYTES.
 */
export function loadExperiment(file: string, options: LoadOptions = {}): Experiment {
  return parseExperiment(readExperimentText(file), file, options);
}

/** The text of an experiment file, read as loadExperiment reads it; problems are ConfigErrors naming the file. */
export function readExperimentText(file: string): string {
  try {
    return readRegularFile(file, MAX_EXPERIMENT_BYTES, 'an experiment file').toString('utf8');
  } catch (e) {
    if (!(e instanceof FileReadError)) throw e;
    // The system's refusals (no such file, no permission) as before; a FIFO, a device or a file too large as what it is.
    if (e.code === undefined) throw new ConfigError('', `the experiment file ${e.reason}`, file);
    throw new ConfigError('', `cannot read the experiment file: ${e.code === 'ENOENT' ? 'no such file' : e.reason.replace(/^cannot read the file: /, '')}`, file);
  }
}

/**
 * Checks an experiment given as text; `file` (or null) names it in errors, and relative dataset paths start at
 * its folder (else at the working directory).
 */
export function parseExperiment(text: string, file: string | null, options: LoadOptions = {}): Experiment {
  const source = new Source(text, file ?? undefined);
  const raw = source.data();
  if (!isRecord(raw)) {
    const problem = raw === null || raw === undefined ? 'the file is empty' : `expected the experiment's fields (data, model, training, ...), got ${JSON.stringify(raw)}`;
    throw new ConfigError('', `${problem}; see schema/experiment.schema.json or examples/`, file ?? undefined, 1);
  }
  const placed = applyOverrides(raw, options.overrides ?? [], file ?? undefined);
  const loc = new Locator(source, placed);

  // The experiment as written, less the fields that study factors set (they are checked cell by cell).
  const searched = tunePaths(raw.tune);
  const varied = [...factorPaths(raw.study), ...searched];
  validateExperiment(raw, loc, varied);
  checkSeeds(raw, loc);
  const baseDir = file === null ? process.cwd() : path.dirname(path.resolve(file));
  // The layers, losses and metrics the file names may come from its plugins: loaded before any name is checked.
  checkPlugins(raw, loc, baseDir, varied);
  if (raw.tune !== undefined && raw.tune !== null) {
    checkTuneAlone(raw, loc);
    for (const p of placed) {
      const param = searched.find((s) => isPrefix(s, p.path) || isPrefix(p.path, s));
      if (param !== undefined) {
        throw new ConfigError(formatPath(p.path), `the search sets ${formatPath(param)}, so this value would never be used; change tune.space instead ${p.origin.note}`, file ?? undefined);
      }
    }
    return searchExperiment(raw, loc, file, baseDir);
  }
  const study = readStudy(raw.study, loc);
  for (const p of placed) {
    const factor = study?.factors.find((f) => f.paths.some((fp) => isPrefix(fp, p.path)));
    if (factor !== undefined) {
      throw new ConfigError(formatPath(p.path), `the study varies ${factor.key}, so this value would never be used; change the factor's values instead ${p.origin.note}`, file ?? undefined);
    }
  }

  const combinations = study === null ? [{ label: '', values: {}, levels: {}, placed: [] }] : studyCells(study, loc);
  const evaluateTest = testPolicy(raw.evaluateTest as boolean | 'best' | 'all' | undefined, combinations.length, false);
  if (evaluateTest === 'best' && study?.metric?.startsWith('test.')) {
    throw loc.error(['study', 'metric'], `the config evaluated on the test set is chosen by this metric, so it cannot be a test metric (the test set would choose it); use ${study.metric.replace(/^test\./, 'val.')}`);
  }
  const cells: StudyCell[] = combinations.map((cell) => {
    const cellRaw = structuredClone(raw);
    const cellLoc = loc.with(cell.placed);
    for (const f of study?.factors ?? []) {
      for (const { segments, value } of f.sets[cell.levels[f.key]]) cellLoc.check(() => setPath(cellRaw, segments, structuredClone(value), f.key, defaultAt));
    }
    if (study !== null && study.factors.length > 0) validateExperiment(cellRaw, cellLoc);
    const spec = runSpecOf(cellRaw, cellLoc, baseDir);
    return { label: cell.label, values: structuredClone(cell.values), spec: { ...spec, evaluateTest: evaluateTest === 'all' } };
  });

  return {
    file: file === null ? null : path.resolve(file),
    name: nameOf(raw, file),
    description: (raw.description as string | null | undefined) ?? null,
    seed: (raw.seed as number | undefined) ?? 0,
    repeats: (raw.repeats as number | undefined) ?? 1,
    study:
      study === null
        ? null
        : {
            mode: study.mode,
            factors: Object.fromEntries(study.factors.map((f) => [f.key, f.values])),
            ...(study.metric === null ? {} : { metric: study.metric }),
            ...(study.direction === null ? {} : { direction: study.direction }),
          },
    evaluateTest,
    tune: null,
    baselines: (raw.baselines as Experiment['baselines'] | undefined) ?? [],
    cells,
    raw,
  };
}

/**
 * Checks the experiment's plugins (already checked against the schema: a list of paths, relative to the file):
 * none is varied by a study or a search (they are loaded once, for every run), and each is loaded (by
 * loadExperimentWithPlugins, as nnlab run does, or --plugin where a command re-reads a stored experiment).
 */
function checkPlugins(raw: Record<string, unknown>, loc: Locator, baseDir: string, varied: readonly Segment[][]): void {
  const param = varied.find((p) => isPrefix(['plugins'], p) || isPrefix(p, ['plugins']));
  if (param !== undefined) throw loc.error(param, 'plugins are loaded once, before any run, so a study or a search cannot vary them');
  ((raw.plugins ?? []) as string[]).forEach((file, i) => {
    const abs = path.resolve(baseDir, file);
    if (!isPluginLoaded(abs)) throw loc.error(['plugins', i], `plugin ${abs} is not loaded: load it first (--plugin ${abs}; in code: await loadExperimentWithPlugins(file))`);
  });
}

/**
 * The experiment's seed where it is read: repeat r runs with seed + r (execution e of a trial with seed + e),
 * and every one of those seeds must be an integer a double holds exactly (the schema bounds the seed alone).
 */
function checkSeeds(raw: Record<string, unknown>, loc: Locator): void {
  const seed = (raw.seed as number | undefined) ?? 0;
  const executions = isRecord(raw.tune) ? ((raw.tune.executionsPerTrial as number | undefined) ?? 1) : 1;
  const extra = Math.max((raw.repeats as number | undefined) ?? 1, executions) - 1;
  if (!Number.isSafeInteger(seed + extra)) {
    throw loc.error(['seed'], `runs take seeds up to seed + ${extra}, past ${Number.MAX_SAFE_INTEGER} (the largest integer held exactly); use a smaller seed`);
  }
}

/** The name an experiment goes by: its `name`, else the file's name without the extension. */
function nameOf(raw: Record<string, unknown>, file: string | null): string {
  return (raw.name as string | undefined) ?? (file === null ? 'experiment' : path.basename(file).replace(/\.(ya?ml|json)$/i, ''));
}

/** An experiment with a `tune:` section: its search, and the configurations that reach the corners of its space. */
function searchExperiment(raw: Record<string, unknown>, loc: Locator, file: string | null, baseDir: string): Experiment {
  const seed = (raw.seed as number | undefined) ?? 0;
  const spec = readTune(raw.tune as Record<string, unknown>, loc, seed);
  const evaluateTest = testPolicy(raw.evaluateTest as boolean | 'best' | 'all' | undefined, 2, true);
  const cell = (params: Params): StudyCell => {
    const { raw: cellRaw, placed } = applyParams(raw, spec, params, loc, defaultAt);
    const cellLoc = loc.with(placed);
    validateExperiment(cellRaw, cellLoc);
    return { label: paramsLabel(params), values: structuredClone(params), spec: { ...runSpecOf(cellRaw, cellLoc, baseDir), evaluateTest: false } };
  };
  const cells = cornerParams(spec.space).map(cell);
  return {
    file: file === null ? null : path.resolve(file),
    name: nameOf(raw, file),
    description: (raw.description as string | null | undefined) ?? null,
    seed,
    repeats: spec.executionsPerTrial,
    study: null,
    evaluateTest,
    tune: { ...spec, cell },
    baselines: (raw.baselines as Experiment['baselines'] | undefined) ?? [],
    cells,
    raw,
  };
}
