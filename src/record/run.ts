// What a run records, as plain data: the run, its study, its environment and final metrics, and a search's
// trials as the runs they are. The store keeps these records; the statistics, the tuner and the reports read
// them without knowing the database (src/store/types.ts re-exports them beside the store's interface).
import type { RunStatus } from './history.js';

/**
 * A run's status: `running` while it trains, then how it ended. `failed`: an error stopped it; `crashed`: its
 * heartbeat stopped (the process died), found by markCrashed.
 */
export type StoredRunStatus = 'running' | RunStatus | 'failed' | 'crashed';

export interface StudyRecord {
  id: number;
  name: string;
  /** The experiment file it came from (absolute path), if any. */
  file: string | null;
  /** The experiment as loaded (after overrides), JSON. */
  experiment: unknown;
  createdAt: string; // ISO 8601
  /** The baselines scored on the study's splits (the lab's BaselineResult list), or null. */
  baselines: unknown | null;
  /** 'study': configurations listed by the file (or repeats of one); 'tune': a hyper-parameter search, its runs the trials. */
  kind: StudyKind;
  /** Every look at the study's test set, oldest first (see TestLook). */
  testLooks: TestLook[];
}

/**
 * One look at a study's test set: which config (or trial) was evaluated, on which runs, when, and why. A study
 * looks once, at the config it chose on validation; any later look is an explicit `nnlab test`, counted.
 */
export interface TestLook {
  /** What was evaluated: the config's label (a study) or `trial N` (a search). */
  target: string;
  /** The trial number, for a search. */
  trial: number | null;
  runIds: number[];
  /** 'final': the study's own choice, made once when its runs ended; 'explicit': asked for with `nnlab test`. */
  how: 'final' | 'explicit';
  at: string; // ISO 8601
}

export type StudyKind = 'study' | 'tune';

/** Where and on what a run ran. */
export interface RunEnvironment {
  nnlab: string;
  libtorch: string;
  node: string;
  threads: { intraOp: number; interOp: number; blas: number | null };
  /** Where it trained: 'cpu' or 'cuda:N' (absent in runs stored before devices). */
  device?: string;
  /** A hash of the data the run trained on (dataset, split, preprocessing, task). */
  dataFingerprint: string;
  host: string;
}

/** Final metrics by split: { train: { loss, accuracy }, val: {...}, test: {...} }. */
export type FinalMetrics = Partial<Record<'train' | 'val' | 'test', Record<string, number | number[] | number[][]>>>;

export interface RunRecord {
  id: number;
  studyId: number | null;
  /** The config label within its study, e.g. "activation=relu, lr=0.01" ('' for a single run). */
  label: string;
  /** The study factor values of this run, by field path. */
  values: Record<string, unknown>;
  /** The full resolved run config (data, model, training, seed), JSON. */
  config: unknown;
  seed: number;
  /** 0-based repeat index (for a tuner's trial: its execution). */
  repeat: number;
  /** The tuner's trial number (0-based) this run is an execution of, or null outside a search. */
  trial: number | null;
  /** The trial number this run's trial retries (a crashed trial queued again once with its parameters), or null. */
  retryOf: number | null;
  /**
   * The study cell (config) this run is a repeat of: its index in the experiment's cells, claimed once per
   * (study, cell, repeat); null for a search's trials and runs stored before claims.
   */
  cell: number | null;
  status: StoredRunStatus;
  message: string | null;
  startedAt: string;
  endedAt: string | null;
  wallTimeS: number | null;
  environment: RunEnvironment;
  metrics: FinalMetrics;
}

/** The fields of a run a search's trial needs (listTrialRuns: no config, environment or metrics to read). */
export type TrialRun = Pick<RunRecord, 'id' | 'trial' | 'retryOf' | 'repeat' | 'status' | 'message' | 'values' | 'wallTimeS'>;
