// The callback contract, as in Keras: hooks around training, each optional. A callback sees the run through
// the context: the model, the optimizer, the history so far, and stop() to end the run.
//
// A callback that carries state from one epoch to the next (counters, a best value, kept weights) implements
// getState/setState, so that a run resumed from a checkpoint (src/train/run-checkpoint.ts) continues exactly
// as the uninterrupted run would: fit() saves getState() after every epoch's onEpochEnd and, on resume, calls
// setState() right after onTrainBegin. Stateless callbacks implement neither.
import type { Model } from '../../nn/model.js';
import type { Optimizer } from '../../optim/index.js';
import type { Tensor } from '../../tensor/index.js';
import type { EpochLog, History, RunStatus } from '../../record/history.js';
import type { SavedModelInfo } from '../model-io.js';

export interface TrainContext {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  readonly samplesPerEpoch: number;
  readonly history: History;
  /** What a saved model keeps beside its weights (fit's modelInfo and the output head): for callbacks that save it. */
  readonly modelInfo?: SavedModelInfo;
  /** Ends the run after the current step with this status and message. */
  stop(status: Exclude<RunStatus, 'completed'>, message: string): void;
}

export interface BatchLog {
  epoch: number;
  batch: number;
  /** The batch's loss (the value optimised, penalties included). */
  loss: number;
  /** Samples seen so far in this epoch. */
  seen: number;
  /** Seconds since the epoch began. */
  elapsedS: number;
}

/**
 * A callback's state for a checkpoint: JSON data (any JS number is kept exactly, NaN and ±Infinity included;
 * no undefined, functions or class instances) and named tensors.
 */
export interface CallbackState {
  json: unknown;
  tensors?: Record<string, Tensor>;
}

export interface Callback {
  readonly name: string;
  onTrainBegin?(ctx: TrainContext): void;
  onEpochBegin?(epoch: number, ctx: TrainContext): void;
  onBatchEnd?(log: BatchLog, ctx: TrainContext): void;
  /** After validation; may change the optimizer (learning rate), save weights, or stop the run. */
  onEpochEnd?(log: EpochLog, ctx: TrainContext): void;
  /** Always called, whatever the status: release what was held. */
  onTrainEnd?(ctx: TrainContext): void;
  getConfig?(): Record<string, unknown>;
  /**
   * The state to checkpoint, taken after the epoch's onEpochEnd hooks. Tensors may be the callback's own (not
   * copies): they are written out before training goes on, and never disposed by the caller.
   */
  getState?(): CallbackState;
  /**
   * Restores a state getState returned, when a run resumes (after onTrainBegin, before the first new epoch).
   * The tensors belong to the caller and are freed after the call: copy what is kept.
   */
  setState?(state: CallbackState, ctx: TrainContext): void;
}
