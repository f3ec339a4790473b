// What an experiment file becomes once loaded and checked: the plain configs the runner trains, one per study
// cell, each repeated `repeats` times. Everything here is JSON data.
import type { ImageFolderConfig } from '../data/image-folder.js';
import type { ModelConfig } from '../nn/model.js';
import type { OptimizerConfig } from '../optim/index.js';
import type { LossConfig } from '../nn/losses.js';
import type { MetricConfig } from '../nn/metrics.js';
import type { Params } from '../tune/space.js';
import type { TuneSpec } from './experiment/tune.js';

/** The data section: which dataset, which task, how it is split, preprocessed, augmented and shuffled. */
export interface DataSpec {
  /** 'mnist' | 'fashion-mnist' | { imageFolder: { path, size, color } } | { idx: dir } (official IDX files). */
  dataset: string | { imageFolder: ImageFolderConfig } | { idx: string };
  /** 'multiclass' (default) or { oneVsRest: class name or index }. */
  task: 'multiclass' | { oneVsRest: string | number };
  /** Optional subset of the training data: { classes?, perClass? | total?, seed? }. */
  subset: { classes?: (string | number)[]; perClass?: number; total?: number; stratify?: boolean; take?: 'random' | 'first'; seed?: number } | null;
  /** Validation split of the training data. */
  split: { fraction?: number; count?: number; take?: 'random' | 'last'; stratify?: boolean; seed?: number };
  preprocess: 'none' | 'scale' | { name: 'standardize'; per?: 'channel' | 'global' };
  /** Augmentation steps (see src/data/augment.ts), or null. */
  augment: { steps: unknown[]; seed?: number } | null;
  /** Shuffle the training data every epoch. */
  shuffle: boolean;
  /** Flatten images for dense models (set by the model template). */
  flatten: boolean;
  /** 'sequence': images [C, H, W] read as sequences of rows [H, W·C], for recurrent layers; 'image' (or left out): as loaded. */
  view?: 'image' | 'sequence';
}

export interface TrainingSpec {
  optimizer: OptimizerConfig;
  loss: LossConfig;
  metrics: MetricConfig[];
  epochs: number;
  batchSize: number;
  /** Where to train, as written: auto, cpu, cuda or cuda:N (resolved per machine when the trainer is made). */
  device: string;
  /** Callback configs ({ name: 'earlyStopping', ... }). */
  callbacks: Record<string, unknown>[];
  /** A weight per class index, or 'balanced' (scikit-learn's, from the training labels). */
  classWeight: Record<string, number> | 'balanced' | null;
}

/** One trainable configuration: everything a run needs. */
export interface RunSpec {
  data: DataSpec;
  /** The model's config (templates and blocks expanded; a stack or a graph), inputShape filled in by the runner. */
  model: Omit<ModelConfig, 'inputShape'> & {
    inputShape?: number[];
    /** A state dict loaded into the model before training (model.weights; file made absolute). */
    weights?: { file: string; strict: boolean; skip: string[] };
    /** Weight names (globs) kept from training (model.freeze). */
    freeze?: string[];
  };
  training: TrainingSpec;
  /** Whether this run evaluates on the test set once at its end (the experiment's evaluateTest is 'all'). */
  evaluateTest: boolean;
  /** The plugin files (absolute) its layers, loss or metrics come from, if any: a resume needs them loaded. */
  plugins?: string[];
}

/** A study cell: the factor values and the resolved run spec. */
export interface StudyCell {
  /** "model.activation=relu, training.optimizer.lr=0.01"; '' without a study. */
  label: string;
  values: Record<string, unknown>;
  spec: RunSpec;
}

export interface Experiment {
  /** The file it was loaded from (absolute), or null. */
  file: string | null;
  name: string;
  description: string | null;
  seed: number;
  repeats: number;
  /** The factors (field path -> values) and how they combine, or null for a single configuration. */
  study: { factors: Record<string, unknown[]>; mode: 'cross' | 'zip'; metric?: string; direction?: 'max' | 'min' } | null;
  /**
   * Which runs see the test set, once each: 'none'; 'all' (every run at its end); 'best' (after the study, the
   * runs of the config chosen on validation by the study's metric).
   */
  evaluateTest: 'none' | 'all' | 'best';
  /**
   * The search, or null: its spec, and `cell(params)`, a trial's configuration (the file's, with the fixed
   * values and the trial's parameters set; checked, a ConfigError naming the parameter when it is not valid).
   * For a search, `cells` are configurations that reach every corner of the space, for the checks before any
   * trial (see cornerParams).
   */
  tune: (TuneSpec & { cell(params: Params): StudyCell }) | null;
  /** Classification baselines scored on the same splits: 'constant' | 'uniform' | 'majority'. */
  baselines: ('constant' | 'uniform' | 'majority')[];
  cells: StudyCell[];
  /** The experiment as written after overrides (for the record). */
  raw: unknown;
}
