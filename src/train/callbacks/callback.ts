// The callback contract, as in Keras: hooks around training, each optional. A callback sees the run through
// the context: the model, the optimizer, the history so far, and stop() to end the run.
import type { Sequential } from '../../nn/model.js';
import type { Optimizer } from '../../optim/index.js';
import type { EpochLog, History, RunStatus } from '../../record/history.js';

export interface TrainContext {
  readonly model: Sequential;
  readonly optimizer: Optimizer;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  readonly samplesPerEpoch: number;
  readonly history: History;
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
}
