// Training: compile, fit, evaluate, predict; callbacks; saving and loading models.
export { Trainer, predict, type CompileConfig, type FitOptions, type CheckpointOptions, type ResumeOptions } from './trainer.js';
export { arrayDataset, type SampleInput, type TargetInput, type NestedNumbers } from './array-data.js';
export {
  saveTrainingCheckpoint,
  loadTrainingCheckpoint,
  loadLatestCheckpoint,
  openCheckpoint,
  listCheckpoints,
  checkpointName,
  TRAINING_CHECKPOINT_FORMAT,
  DEFAULT_KEEP,
  type TrainingCheckpoint,
  type TrainingState,
  type RunShape,
  type FinalStop,
  type SavedCallback,
  type LoadLatestOptions,
} from './run-checkpoint.js';
export { epochSeed } from './run-random.js';
export { monitored, type EpochLog, type History, type Logs, type RunStatus } from '../record/history.js';
export { saveModel, loadModel, checkWeights, MODEL_FORMAT, type LoadedModel, type SavedModelInfo } from './model-io.js';
export type { Callback, CallbackState, TrainContext, BatchLog } from './callbacks/callback.js';
export { CallbackStateError } from './callbacks/state.js';
export { callback, CALLBACK_NAMES } from './callbacks/registry.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export { Progress, epochLine, type ProgressOptions } from './callbacks/progress.js';
export { CsvLogger, csvOf } from './callbacks/csv-logger.js';
