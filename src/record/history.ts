// What a training run records: one log per epoch and how the run ended.

/** Metric values by name ('loss', 'accuracy', 'f1Macro', ...). Matrices and per-class lists are kept as is. */
export type Logs = Record<string, number | number[] | number[][]>;

export interface EpochLog {
  /** 0-based. */
  epoch: number;
  /** Over the whole epoch's training batches (loss: the mean; metrics: accumulated over the epoch). */
  train: Logs;
  /** On the validation data after the epoch, or null without any. */
  val: Logs | null;
  /** The learning rate of the epoch's last step. */
  lr: number;
  /** Wall time of the epoch, validation included. */
  timeS: number;
  /** Wall time of the training phase alone. */
  trainTimeS: number;
  /** Training samples per second of the training phase alone. */
  samplesPerS: number;
}

/**
 * completed: all epochs ran; stopped: a callback ended it early (earlyStopping); diverged: the loss became NaN
 * or infinite; interrupted: stop() was called from outside (Ctrl-C); pruned: a tuner's pruner ended an
 * unpromising trial (its epochs are kept).
 */
export type RunStatus = 'completed' | 'stopped' | 'diverged' | 'interrupted' | 'pruned';

export interface History {
  epochs: EpochLog[];
  status: RunStatus;
  /** Why the run ended, when not completed (e.g. "loss is NaN at epoch 3, batch 17"). */
  message: string | null;
}

/** A value of an epoch log by Keras's name: 'loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr'. */
export function monitored(log: EpochLog, name: string): number | undefined {
  if (name === 'lr') return log.lr;
  const [logs, key] = name.startsWith('val_') ? [log.val, name.slice(4)] : [log.train, name];
  const v = logs?.[key];
  return typeof v === 'number' ? v : undefined;
}
