// Optimizers, learning-rate schedules and gradient clipping.
export { Optimizer, STATE_FORMAT, type CommonConfig, type OptimizerConfig, type OptimizerState, type OptimizerStateMeta, type ParamState } from './optimizer.js';
export { optimizer, OPTIMIZER_NAMES, type OptimizerName } from './optimizers.js';
export { Sgd, type SgdConfig } from './sgd.js';
export { Rmsprop, type RmspropConfig } from './rmsprop.js';
export { Adagrad, type AdagradConfig } from './adagrad.js';
export { Adam, type AdamConfig } from './adam.js';
export { Adamw, type AdamwConfig } from './adamw.js';
export { schedule, SCHEDULE_NAMES, type Schedule, type ScheduleConfig, type ScheduleName, type ScheduleUnit } from './schedules.js';
export type { StepScheduleConfig, ExponentialScheduleConfig, CosineScheduleConfig } from './schedules.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
