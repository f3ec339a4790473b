// Keras-style training: compile a model with an optimizer, a loss and metrics, then fit / evaluate / predict.
// Data is a Dataset, or arrays as Keras's fit(x, y) takes them (array-data.ts). The optimizer is needed only
// to fit, and the loss only to fit and evaluate: a Trainer without them predicts.
//
// Each training step runs in one tidy() scope: forward, loss (+ weight penalties), backward, optimizer step.
// When the model ends in softmax (or sigmoid) and the loss takes probabilities, the loss is computed from the
// logits instead (log-softmax / BCE-with-logits): the same value, numerically stable, and cheaper; metrics
// see the outputs as src/nn/outputs.ts reads them (P(class 1) for one output unit). Metrics accumulate over the whole epoch, and the epoch's loss is the sample-weighted
// mean of its batch losses.
//
// Randomness: every epoch starts by seeding libtorch's generator from (run seed, epoch) (run-random.ts), so
// an epoch's shuffle, dropout masks and augmentation do not depend on what ran before it. With `checkpoint`,
// the run's whole state is written after every epoch (run-checkpoint.ts); `resume` restores it into the model,
// optimizer and callbacks the caller built as for the original run and continues with the next epoch: on
// CPU the result equals the uninterrupted run's exactly.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ConfigError } from '../engine/errors.js';
import { manualSeed } from '../engine/seed.js';
import { setThreads, threadsFor, type ThreadRequest } from '../engine/threads.js';
import { CheckpointError } from '../io/checkpoint.js';
import { noGrad, ops, tidy, type Tensor } from '../tensor/index.js';
import { DataLoader, datasetSize, splitValidation, disposeDataset, type AugmentConfig, type Dataset } from '../data/index.js';
import { loss as makeLoss, type Loss, type LossConfig } from '../nn/losses.js';
import { metric as makeMetric, type Metric, type MetricConfig } from '../nn/metrics.js';
import { checkClassWeight, resolveClassWeight, sampleWeightsFromClassWeight, type ClassWeight, type ClassWeightConfig } from '../nn/class-weight.js';
import type { Model } from '../nn/model.js';
import type { Layer } from '../nn/layers/layer.js';
import { classProbabilities, metricInput, outputHead, predictedClasses, type OutputHead } from '../nn/outputs.js';
import { optimizer as makeOptimizer, type Optimizer, type OptimizerConfig } from '../optim/index.js';
import type { Callback, TrainContext } from './callbacks/callback.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import type { EpochLog, History, Logs, RunStatus } from '../record/history.js';
import { drawRunSeed, seedEpoch } from './run-random.js';
import { arrayDataset, isDataset, samplesTensor, splitLast, type SampleInput, type TargetInput } from './array-data.js';
import type { SavedModelInfo } from './model-io.js';
import {
  callbackStates,
  DEFAULT_KEEP,
  openCheckpoint,
  restoreCallbackStates,
  saveTrainingCheckpoint,
  type FinalStop,
  type RunShape,
  type TrainingCheckpoint,
  type TrainingState,
} from './run-checkpoint.js';

export interface CompileConfig {
  /** An optimizer config, or its name alone ('adam'); needed only to fit. */
  optimizer?: OptimizerConfig | string;
  /** Needed to fit and to evaluate; predicting takes neither. */
  loss?: LossConfig;
  /** Metric configs ('accuracy', { name: 'f1', average: 'macro' }, ...). */
  metrics?: MetricConfig[];
  /**
   * Where the weights, the optimizer state and the batches' computation live: 'cpu' (default) or 'cuda:N' (a
   * device resolveDevice gave). The model is moved there; data stays on the CPU and each batch is copied over,
   * from page-locked memory, asynchronously; metrics count on the CPU from the batch outputs.
   */
  device?: string;
}

export interface FitOptions {
  epochs: number;
  /** Default 32, as Keras. */
  batchSize?: number;
  /** A new order every epoch (default true). */
  shuffle?: boolean;
  dropLast?: boolean;
  /** Validation data, evaluated after each epoch: a Dataset or [x, y] arrays (as Keras's validation_data). */
  validationData?: Dataset | [SampleInput, TargetInput];
  /** Or hold out this fraction of `train` (its last samples, as Keras). */
  validationSplit?: number;
  callbacks?: Callback[];
  /**
   * Loss weight per class index ({ 0: 1, 1: 5 }), or 'balanced': scikit-learn's n_samples / (n_classes ·
   * count), computed from the training labels (after a validationSplit).
   */
  classWeight?: ClassWeightConfig;
  /**
   * Seeds the run's randomness: the shuffles, dropout masks and augmentation (each epoch's from (seed, epoch));
   * the same seed and the same starting weights repeat a CPU run exactly. Without a seed, one is drawn from
   * libtorch's generator when fit starts (and recorded in checkpoints). It does not draw the weights: those
   * were drawn when the model was built; give the model a seed for them (`buildModel({ ..., seed })`, `new Sequential({ ..., seed })`, or
   * `manualSeed(seed)` before building it), as PyTorch's torch.manual_seed before the model.
   */
  seed?: number;
  augment?: AugmentConfig;
  /** Thread settings; default: measured best for the model (dense or convolutional). */
  threads?: ThreadRequest;
  /** Ends the run with status `interrupted` after the current step (Ctrl-C). */
  signal?: AbortSignal;
  /** Write a checkpoint after every epoch (after the callbacks' onEpochEnd) into this run's folder. */
  checkpoint?: CheckpointOptions;
  /**
   * Continue a run from a checkpoint: a folder (see ResumeOptions) or one already loaded (the caller keeps
   * and disposes it). The model, optimizer and callbacks must be built as for the original run; fit restores
   * their state, then trains the epochs after the checkpoint's up to `epochs`. The history returned covers
   * every epoch, restored and new. The seed, if given, must be the original run's.
   */
  resume?: ResumeOptions | TrainingCheckpoint;
  /**
   * What a saved model needs beside its weights to be used again (class names, preprocessing, input
   * shape...): callbacks that save the model (modelCheckpoint) save it with them, so `nnlab predict` can load
   * what they wrote. The output head is added by fit.
   */
  modelInfo?: SavedModelInfo;
}

export interface CheckpointOptions {
  /** The run's checkpoint folder: epoch-NNNN/ per checkpoint (NNNN: epochs completed). */
  dir: string;
  /** How many complete checkpoints to keep, newest first (default 2). */
  keep?: number;
}

export interface ResumeOptions {
  /** A run's checkpoint folder (its newest checkpoint is used) or one epoch-NNNN folder in it. */
  dir: string;
  /** When the newest checkpoint fails verification, use the newest that passes (default: a CheckpointError). */
  fallback?: boolean;
}

const DEFAULT_BATCH = 32;

export class Trainer {
  readonly metrics: Metric[];
  /** What the model's outputs hold (src/nn/outputs.ts): how metrics, predictions and classes read them. */
  readonly head: OutputHead;
  /** The loss on logits used in training when the model ends in softmax/sigmoid (else null). */
  private readonly logitLoss: Loss | null;
  private readonly compiledLoss: Loss | null;
  private readonly compiledOptimizer: Optimizer | null;
  /** Where the model computes. */
  readonly device: string;

  constructor(
    readonly model: Model,
    config: CompileConfig = {},
    private readonly path = 'training',
  ) {
    this.compiledLoss = config.loss === undefined ? null : makeLoss(config.loss, `${path}.loss`);
    const lossConfig = this.compiledLoss?.getConfig();
    this.head = outputHead(model, lossConfig);
    // The number of classes the outputs stand for, so that metrics such as f1 know their average up front.
    const classes = Math.max(this.head.units, 2);
    this.metrics = (config.metrics ?? []).map((m, i) => makeMetric(m, `${path}.metrics[${i}]`, { classes }));
    const names = new Set<string>(['loss']);
    for (const m of this.metrics) {
      if (names.has(m.name)) throw new ConfigError(`${path}.metrics`, `metric '${m.name}' is listed twice`);
      names.add(m.name);
    }
    this.device = config.device ?? 'cpu';
    model.to(this.device); // before the optimizer: it holds the weights it steps
    const opt = config.optimizer;
    this.compiledOptimizer = opt === undefined ? null : makeOptimizer(typeof opt === 'string' ? { name: opt } : opt, model.parameters(), `${path}.optimizer`);
    const act = this.head.activation;
    const categorical = lossConfig?.name === 'categoricalCrossentropy' || lossConfig?.name === 'sparseCategoricalCrossentropy';
    const fromProbabilities = lossConfig?.fromLogits === false;
    this.logitLoss = lossConfig && fromProbabilities && ((act === 'softmax' && categorical) || (act === 'sigmoid' && lossConfig.name === 'binaryCrossentropy')) ? makeLoss({ ...lossConfig, fromLogits: true }, `${path}.loss`) : null;
  }

  /** The optimizer fit steps; a Trainer made without one cannot fit. */
  get optimizer(): Optimizer {
    if (!this.compiledOptimizer) throw new ConfigError(`${this.path}.optimizer`, "fit needs an optimizer: give one to the Trainer, e.g. { optimizer: 'adam', loss: ... }");
    return this.compiledOptimizer;
  }

  /** The loss fit and evaluate compute; a Trainer made without one can only predict. */
  get loss(): Loss {
    if (!this.compiledLoss) throw new ConfigError(`${this.path}.loss`, "fit and evaluate need a loss: give one to the Trainer, e.g. { loss: 'sparseCategoricalCrossentropy' }");
    return this.compiledLoss;
  }

  /**
   * Trains for `epochs` epochs (or until a callback stops the run); returns the per-epoch history. Takes a
   * Dataset, or x and y arrays as Keras's fit(x, y, ...) does (see array-data.ts).
   */
  async fit(x: SampleInput, y: TargetInput, options: FitOptions): Promise<History>;
  async fit(train: Dataset, options: FitOptions): Promise<History>;
  async fit(a: Dataset | SampleInput, b: FitOptions | TargetInput, c?: FitOptions): Promise<History> {
    const arrays = isDataset(a) ? null : arrayDataset(a, b as TargetInput, this.model.inputShape);
    const options = (arrays ? c : b) as FitOptions | undefined;
    let val: ReturnType<typeof arrayDataset> | null = null;
    try {
      if (options === undefined || typeof options !== 'object') throw new ConfigError('fit', 'needs options with the number of epochs, e.g. { epochs: 10 }');
      const vd = options.validationData;
      if (Array.isArray(vd)) val = arrayDataset(vd[0], vd[1], this.model.inputShape, ['validationData[0]', 'validationData[1]']);
      const train = arrays?.dataset ?? (a as Dataset);
      const o = this.checkFit(train, { ...options, validationData: val?.dataset ?? (vd as Dataset | undefined) });
      const r = o.resume;
      const loaded = r && !('history' in r) ? openCheckpoint(r.dir, { fallback: r.fallback }) : null;
      try {
        return await this.run(train, o, loaded ?? (r as TrainingCheckpoint | undefined) ?? null, arrays !== null);
      } finally {
        loaded?.dispose();
      }
    } finally {
      arrays?.dispose();
      val?.dispose();
    }
  }

  private async run(train: Dataset, o: ReturnType<Trainer['checkFit']>, resumed: TrainingCheckpoint | null, fromArrays: boolean): Promise<History> {
    if (o.seed !== undefined) manualSeed(o.seed);
    const seed = runSeed(o.seed, resumed, o.epochs);
    setThreads(o.threads ?? threadsFor(this.model.workload));
    let owned: Dataset[] = [];
    let trainSet = train;
    let valSet = (o.validationData as Dataset | undefined) ?? null;
    if (o.validationSplit !== undefined) {
      // Arrays' targets need not be class labels: their split is a plain cut (views), as Keras's.
      const parts = fromArrays ? splitLast(train, o.validationSplit, 'fit.validationSplit') : splitValidation(train, { fraction: o.validationSplit, take: 'last' }, 'fit.validationSplit');
      owned = [parts.train, parts.val];
      [trainSet, valSet] = [parts.train, parts.val];
    }
    const classWeight = o.classWeight === undefined ? undefined : resolveClassWeight(o.classWeight, trainSet.y, 'fit.classWeight');
    const loader = new DataLoader(trainSet, { batchSize: o.batchSize, shuffle: o.shuffle, dropLast: o.dropLast, seed, augment: o.augment }, 'fit');
    const shape: RunShape = { batchSize: o.batchSize, shuffle: o.shuffle, dropLast: o.dropLast, trainSamples: datasetSize(trainSet), valSamples: valSet ? datasetSize(valSet) : null };
    if (resumed) checkShape(resumed, shape);
    const history: History = { epochs: [], status: 'completed', message: null };
    const run: { stop: { status: Exclude<RunStatus, 'completed'>; message: string } | null } = { stop: null };
    const ctx: TrainContext = {
      model: this.model,
      optimizer: this.optimizer,
      modelInfo: { ...o.modelInfo, output: this.head },
      epochs: o.epochs,
      batchesPerEpoch: loader.batchesPerEpoch,
      samplesPerEpoch: loader.samplesPerEpoch,
      history,
      stop: (status, message) => {
        run.stop ??= { status, message };
      },
    };
    const onAbort = () => ctx.stop('interrupted', 'interrupted: training stopped on request');
    o.signal?.addEventListener('abort', onAbort);
    const callbacks = [...o.callbacks];
    if (!callbacks.some((c) => c instanceof TerminateOnNaN)) callbacks.unshift(new TerminateOnNaN());
    try {
      for (const c of callbacks) c.onTrainBegin?.(ctx);
      if (resumed) {
        this.restore(resumed, callbacks, ctx);
        run.stop = resumed.stop;
      }
      for (let epoch = history.epochs.length; epoch < o.epochs && !run.stop; epoch++) {
        this.optimizer.setEpoch(epoch);
        seedEpoch(seed, epoch);
        for (const c of callbacks) c.onEpochBegin?.(epoch, ctx);
        const started = performance.now();
        const train = await this.trainEpoch(loader, epoch, classWeight, callbacks, ctx, () => run.stop !== null);
        const trainTimeS = (performance.now() - started) / 1000;
        if (run.stop) break; // diverged or interrupted inside the epoch: no validation, no epoch log
        const val = valSet ? this.evaluate(valSet, { batchSize: o.batchSize }) : null;
        const timeS = (performance.now() - started) / 1000;
        const log: EpochLog = { epoch, train: train.logs, val, lr: this.optimizer.lr, timeS, trainTimeS, samplesPerS: train.samples / trainTimeS };
        history.epochs.push(log);
        for (const c of callbacks) c.onEpochEnd?.(log, ctx);
        if (o.checkpoint) this.checkpoint(o.checkpoint, { completed: epoch + 1, seed, run: shape, stop: finalStop(run.stop), history: history.epochs }, callbacks);
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      if (run.stop) {
        history.status = run.stop.status;
        history.message = run.stop.message;
      }
      for (const c of callbacks) c.onTrainEnd?.(ctx);
      for (const d of owned) disposeDataset(d);
    }
    return history;
  }

  /** Writes the checkpoint after an epoch: `state` plus the model's, the optimizer's and the callbacks' state. */
  private checkpoint(options: CheckpointOptions, state: Omit<TrainingState, 'weights' | 'optimizer' | 'callbacks'>, callbacks: Callback[]): void {
    const full = { ...state, weights: this.model.stateDict(), optimizer: this.optimizer.stateDict(), callbacks: callbackStates(callbacks) };
    saveTrainingCheckpoint(options.dir, full, options.keep ?? DEFAULT_KEEP);
  }

  /** Puts a checkpoint's state into the model, the optimizer, the callbacks and the history. */
  private restore(c: TrainingCheckpoint, callbacks: Callback[], ctx: TrainContext): void {
    ctx.history.epochs.push(...structuredClone(c.history)); // callbacks see the history in setState
    restoreCallbackStates(callbacks, c, ctx); // before the model: a mismatch of callbacks changes nothing there
    this.model.loadStateDict(c.weights, `${c.dir}/weights.safetensors`);
    this.optimizer.loadStateDict(c.optimizer, `${c.dir}/optimizer`);
  }

  private async trainEpoch(
    loader: DataLoader,
    epoch: number,
    classWeight: ClassWeight | undefined,
    callbacks: Callback[],
    ctx: TrainContext,
    stopped: () => boolean,
  ): Promise<{ logs: Logs; samples: number }> {
    for (const m of this.metrics) m.reset();
    let lossSum = 0;
    let seen = 0;
    const started = performance.now();
    for (const batch of loader.epoch(epoch)) {
      const n = batch.y.shape[0];
      const lossValue = this.step(batch.x, batch.y, classWeight);
      lossSum += lossValue * n;
      seen += n;
      const log = { epoch, batch: batch.index, loss: lossValue, seen, elapsedS: (performance.now() - started) / 1000 };
      for (const c of callbacks) c.onBatchEnd?.(log, ctx);
      if (stopped()) break;
      await yieldToEventLoop(); // lets signals (Ctrl-C) and progress output through
    }
    const logs: Logs = { loss: lossSum / Math.max(seen, 1) };
    for (const m of this.metrics) logs[m.name] = m.result();
    return { logs, samples: seen };
  }

  /** The model's outputs on a batch and the batch loss (+ weight penalties); run inside tidy(). */
  private forwardLoss(x: Tensor, y: Tensor, training: boolean, classWeight?: ClassWeight, inference?: ReadonlyMap<Layer, Tensor>): { out: Tensor; loss: Tensor } {
    // Batches come from the CPU; on the CPU nothing moves and no tensor is asked where it lives.
    const on = (t: Tensor) => (this.device === 'cpu' ? t : toDevice(t, this.device));
    const out = this.model.forward(on(asFloat(x)), { training, ...(inference ? { inference } : {}) }, { logits: this.logitLoss !== null });
    const yd = on(y);
    const weights = classWeight ? on(sampleWeightsFromClassWeight(classWeight, y)) : undefined; // made on the CPU, from the CPU labels
    const loss = (this.logitLoss ?? this.loss).compute(out, yd, weights);
    const penalty = this.model.penalty();
    return { out, loss: penalty ? ops.add(loss, penalty) : loss };
  }

  /** Adds a batch's outputs to every metric (as src/nn/outputs.ts reads them). */
  private updateMetrics(out: Tensor, y: Tensor): void {
    noGrad(() => {
      const seen = metricInput(this.device === 'cpu' ? out : out.to({ device: 'cpu' }), this.head, this.logitLoss !== null);
      for (const m of this.metrics) m.update(seen, y);
    });
  }

  /** One optimisation step on a batch; returns the batch loss. */
  private step(x: Tensor, y: Tensor, classWeight: ClassWeight | undefined): number {
    return tidy(() => {
      const { out, loss } = this.forwardLoss(x, y, true, classWeight);
      loss.backward();
      this.optimizer.step();
      this.optimizer.zeroGrad();
      this.updateMetrics(out, y);
      return loss.item();
    });
  }

  /**
   * One training batch and one evaluation batch, to find what does not fit before a run starts: forward in
   * training mode, loss (+ penalties), backward, and every metric on the outputs, then the same in evaluation
   * mode. The weights, the optimizer and the metrics' counts are left as they were (gradients are cleared;
   * batch-norm running statistics take one step).
   */
  checkBatch(x: Tensor, y: Tensor, classWeight?: ClassWeightConfig): void {
    try {
      tidy(() => {
        // 'balanced' weighs the batch by its own counts here: the check is of shapes, not of values.
        const weights = classWeight === undefined ? undefined : resolveClassWeight(classWeight, y);
        const trained = this.forwardLoss(x, y, true, weights);
        trained.loss.backward();
        this.updateMetrics(trained.out, y);
        noGrad(() => this.updateMetrics(this.forwardLoss(x, y, false, weights).out, y));
        for (const m of this.metrics) m.result();
      });
    } finally {
      this.compiledOptimizer?.zeroGrad();
      for (const m of this.metrics) m.reset();
    }
  }

  /**
   * Loss and metrics over a dataset, or x and y arrays (as Keras's evaluate(x, y)), in evaluation mode (no
   * dropout, batch-norm running statistics). Needs a loss, not an optimizer.
   */
  evaluate(x: SampleInput, y: TargetInput, options?: { batchSize?: number }): Logs;
  evaluate(data: Dataset, options?: { batchSize?: number }): Logs;
  evaluate(a: Dataset | SampleInput, b?: { batchSize?: number } | TargetInput, c?: { batchSize?: number }): Logs {
    if (isDataset(a)) return this.evaluateDataset(a, (b as { batchSize?: number } | undefined) ?? {});
    const arrays = arrayDataset(a, b as TargetInput, this.model.inputShape);
    try {
      return this.evaluateDataset(arrays.dataset, c ?? {});
    } finally {
      arrays.dispose();
    }
  }

  private evaluateDataset(data: Dataset, options: { batchSize?: number }): Logs {
    void this.loss; // a clear error before any batch when there is none
    const loader = new DataLoader(data, { batchSize: options.batchSize ?? DEFAULT_BATCH, shuffle: false }, 'evaluate');
    for (const m of this.metrics) m.reset();
    let lossSum = 0;
    let seen = 0;
    const inference = this.model.inferenceWeights(); // the weights do not change while evaluating
    try {
      noGrad(() => {
        for (const batch of loader.epoch(0)) {
          const n = batch.y.shape[0];
          lossSum += tidy(() => {
            const { out, loss } = this.forwardLoss(batch.x, batch.y, false, undefined, inference.weights);
            this.updateMetrics(out, batch.y);
            return loss.item() * n;
          });
          seen += n;
        }
      });
    } finally {
      inference.dispose();
    }
    const logs: Logs = { loss: lossSum / Math.max(seen, 1) };
    for (const m of this.metrics) logs[m.name] = m.result();
    return logs;
  }

  /**
   * The model's outputs (probabilities for a softmax/sigmoid model) for samples x [N, ...] (a tensor, or arrays
   * as fit takes them), in batches. Needs neither an optimizer nor a loss.
   */
  predict(x: Tensor | SampleInput, options: { batchSize?: number } = {}): Tensor {
    const batchSize = options.batchSize ?? DEFAULT_BATCH;
    const xs = samplesTensor(x, this.model.inputShape);
    try {
      return predict(this.model, xs.tensor, batchSize);
    } finally {
      if (xs.owned) xs.tensor.dispose();
    }
  }

  /** The predicted class index of each sample (int64 [N]): the argmax, or P(class 1) > 0.5 for one output. */
  predictClasses(x: Tensor | SampleInput, options: { batchSize?: number } = {}): Tensor {
    return tidy(() => predictedClasses(this.predict(x, options), this.head));
  }

  /** Every class's probability for samples x [N, ...]: [N, C], two columns for a one-output binary model. */
  predictProbabilities(x: Tensor | SampleInput, options: { batchSize?: number } = {}): Tensor {
    return tidy(() => classProbabilities(this.predict(x, options), this.head));
  }

  /** Frees the optimizer's state and the metrics' counts (the model stays). */
  dispose(): void {
    for (const m of this.metrics) m.reset();
    this.compiledOptimizer?.dispose();
  }

  private checkFit(train: Dataset, o: FitOptions) {
    const path = 'fit';
    void this.optimizer; // clear errors before anything runs when the Trainer was made without these
    void this.loss;
    if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new ConfigError(`${path}.epochs`, `expected an integer >= 1, got ${JSON.stringify(o.epochs)}`);
    const batchSize = o.batchSize ?? DEFAULT_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`${path}.batchSize`, `expected an integer >= 1, got ${JSON.stringify(batchSize)}`);
    if (o.validationData && o.validationSplit !== undefined) throw new ConfigError(`${path}.validationSplit`, 'give validationData or validationSplit, not both');
    if (o.validationSplit !== undefined && !(o.validationSplit > 0 && o.validationSplit < 1)) {
      throw new ConfigError(`${path}.validationSplit`, `expected a fraction in (0, 1), got ${o.validationSplit}`);
    }
    if (o.classWeight !== undefined) checkClassWeight(o.classWeight, `${path}.classWeight`);
    if (datasetSize(train) === 0) throw new ConfigError(`${path}.train`, `${train.name} is empty`);
    const keep = o.checkpoint?.keep;
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new ConfigError(`${path}.checkpoint.keep`, `expected an integer >= 1, got ${JSON.stringify(keep)}`);
    return { ...o, batchSize, shuffle: o.shuffle ?? true, dropLast: o.dropLast ?? false, callbacks: o.callbacks ?? [] };
  }
}

/** The stop a checkpoint records: one that ends the run for good ('interrupted' does not; a resume goes on). */
function finalStop(stop: { status: Exclude<RunStatus, 'completed'>; message: string } | null): FinalStop | null {
  return stop && stop.status !== 'interrupted' ? { status: stop.status, message: stop.message } : null;
}

/** The run seed: the checkpoint's on resume (a given seed must match it), the given one, or one drawn now. */
function runSeed(given: number | undefined, resumed: TrainingCheckpoint | null, epochs: number): number {
  if (!resumed) return given ?? drawRunSeed();
  const file = `${resumed.dir}/trainer.json`;
  if (given !== undefined && given !== resumed.seed) throw new CheckpointError(file, `was written by a run with seed ${resumed.seed}; this fit has seed ${given}`);
  if (epochs < resumed.completed) throw new ConfigError('fit.epochs', `the checkpoint ${resumed.dir} has ${resumed.completed} epochs done, more than the ${epochs} asked`);
  return resumed.seed;
}

/** A resumed run must batch the same data the same way as the run that wrote the checkpoint. */
function checkShape(resumed: TrainingCheckpoint, shape: RunShape): void {
  for (const k of Object.keys(shape) as (keyof RunShape)[]) {
    if (resumed.run[k] !== shape[k]) {
      throw new CheckpointError(`${resumed.dir}/trainer.json`, `was written by a run with ${k} ${JSON.stringify(resumed.run[k])}; this fit has ${JSON.stringify(shape[k])}`);
    }
  }
}

const asFloat = (x: Tensor) => (x.dtype === 'float32' ? x : x.to('float32'));

/**
 * A CPU batch on `device`: itself for the CPU; else copied into page-locked memory and from there to the GPU
 * asynchronously (the copy overlaps the kernels still queued), as a PyTorch DataLoader with pin_memory does.
 */
export function toDevice(t: Tensor, device: string): Tensor {
  if (t.device === device) return t;
  if (device === 'cpu') return t.to({ device });
  const host = t.device === 'cpu' ? t.pinMemory() : t;
  return host.toCopy(null, null, device, null, true);
}

/** A model's outputs for samples x [N, ...] (on the CPU), computed in batches in evaluation mode on the model's device. */
export function predict(model: Model, x: Tensor, batchSize = DEFAULT_BATCH): Tensor {
  const n = x.shape[0];
  const device = model.device;
  const inference = model.inferenceWeights();
  try {
    return noGrad(() =>
      tidy(() => {
        const parts: Tensor[] = [];
        for (let start = 0; start < n; start += batchSize) {
          const batch = asFloat(x.narrow(0, start, Math.min(batchSize, n - start)));
          const out = model.forward(device === 'cpu' ? batch : toDevice(batch, device), { training: false, inference: inference.weights });
          parts.push(device === 'cpu' ? out : out.to({ device: 'cpu' }));
        }
        return parts.length === 1 ? parts[0] : ops.cat(parts);
      }),
    );
  } finally {
    inference.dispose();
  }
}
