// Learning-rate schedules: plain configs that give the learning rate at epoch (or step) t from the optimizer's
// base rate, in closed form, as torch.optim.lr_scheduler's StepLR, ExponentialLR and CosineAnnealingLR do
// (PyTorch steps its schedulers once per epoch by default, Keras once per batch: `every` picks).
//
// Attached to an optimizer through its `schedule` field; the optimizer evaluates it at its epoch (set by the
// training loop with setEpoch) or at its iteration count, before each update.
import { ConfigError } from '../engine/errors.js';
import { asObject, join, readFields, readName, type FieldSpec } from '../engine/fields.js';
import { FIELD_HINTS } from './hints.js';

export type ScheduleUnit = 'epoch' | 'step';

/** base · gamma^floor(t / stepSize), as StepLR. */
export interface StepScheduleConfig {
  name: 'step';
  stepSize: number;
  /** Default 0.1 (StepLR's). */
  gamma?: number;
  every?: ScheduleUnit;
}

/**
 * base · gamma^t (ExponentialLR), or Keras's ExponentialDecay: base · decayRate^(t / decaySteps), with the
 * exponent floored when `staircase`. Give `gamma`, or `decayRate` with `decaySteps`.
 */
export interface ExponentialScheduleConfig {
  name: 'exponential';
  gamma?: number;
  decayRate?: number;
  decaySteps?: number;
  staircase?: boolean;
  every?: ScheduleUnit;
}

/**
 * An optional linear warm-up over `warmup` epochs (steps) from base · warmupStartFactor to base, then
 * etaMin + (base − etaMin) · (1 + cos(π u / tMax)) / 2 with u counted from the end of the warm-up, as
 * CosineAnnealingLR (after LinearLR in a SequentialLR). Unlike PyTorch, whose cosine rises again after tMax,
 * the rate stays at etaMin from u = tMax on (as Keras's CosineDecay).
 */
export interface CosineScheduleConfig {
  name: 'cosine';
  tMax: number;
  /** Default 0. */
  etaMin?: number;
  /** Warm-up length in epochs (steps); default 0, none. */
  warmup?: number;
  /** The first warm-up rate as a fraction of the base rate; default 0.1. */
  warmupStartFactor?: number;
  every?: ScheduleUnit;
}

export type ScheduleConfig = StepScheduleConfig | ExponentialScheduleConfig | CosineScheduleConfig;
export type ScheduleName = ScheduleConfig['name'];

export interface Schedule {
  readonly name: ScheduleName;
  /** Whether t counts epochs (default) or optimizer steps. */
  readonly every: ScheduleUnit;
  /** The learning rate at epoch (step) t ≥ 0, counted from 0, for the base rate `baseLr`. */
  lrAt(t: number, baseLr: number): number;
  /** The config with every default filled in; schedule(getConfig()) behaves the same. */
  getConfig(): ScheduleConfig;
}

export const SCHEDULE_NAMES: readonly ScheduleName[] = ['step', 'exponential', 'cosine'];

const every: FieldSpec = { type: 'choice', default: 'epoch', choices: ['epoch', 'step'] };

const FIELDS: Record<ScheduleName, Record<string, FieldSpec>> = {
  step: {
    stepSize: { type: 'optionalNumber', min: 1, aliases: ['step_size'] },
    gamma: { type: 'number', default: 0.1, min: 0, exclusiveMin: true },
    every,
  },
  exponential: {
    gamma: { type: 'optionalNumber', min: 0, exclusiveMin: true },
    decayRate: { type: 'optionalNumber', min: 0, exclusiveMin: true },
    decaySteps: { type: 'optionalNumber', min: 0, exclusiveMin: true },
    staircase: { type: 'boolean', default: false },
    every,
  },
  cosine: {
    tMax: { type: 'optionalNumber', min: 0, exclusiveMin: true, aliases: ['T_max', 'decaySteps'] },
    etaMin: { type: 'number', default: 0, min: 0, aliases: ['eta_min'] },
    warmup: { type: 'number', default: 0, min: 0, integer: true, aliases: ['warmupSteps', 'warmupEpochs'] },
    warmupStartFactor: { type: 'number', default: 0.1, min: 0, exclusiveMin: true, max: 1 },
    every,
  },
};

/** Builds a schedule from its plain config; `path` names the config in errors (e.g. 'optimizer.schedule'). */
export function schedule(config: unknown, path = 'schedule'): Schedule {
  const obj = asObject(config, path, 'a learning-rate schedule');
  const name = readName(obj, path, 'schedule', SCHEDULE_NAMES);
  const f = readFields(obj, FIELDS[name], path, `schedule '${name}'`, { hints: FIELD_HINTS });
  const unit = f.every as ScheduleUnit;
  switch (name) {
    case 'step': {
      const stepSize = required(f.stepSize, path, 'stepSize', name);
      if (!Number.isInteger(stepSize)) throw new ConfigError(join(path, 'stepSize'), `expected an integer, got ${stepSize}`);
      return new StepSchedule(stepSize, f.gamma as number, unit);
    }
    case 'exponential':
      return exponential(f, path, unit);
    case 'cosine':
      return new CosineSchedule(required(f.tMax, path, 'tMax', name), f.etaMin as number, f.warmup as number, f.warmupStartFactor as number, unit);
  }
}

function required(value: unknown, path: string, field: string, name: string): number {
  if (value === null) throw new ConfigError(join(path, field), `schedule '${name}' needs '${field}'`);
  return value as number;
}

function exponential(f: Record<string, unknown>, path: string, unit: ScheduleUnit): Schedule {
  const { gamma, decayRate, decaySteps } = f as { gamma: number | null; decayRate: number | null; decaySteps: number | null };
  if (gamma !== null) {
    const extra = decayRate !== null ? 'decayRate' : decaySteps !== null ? 'decaySteps' : f.staircase ? 'staircase' : null;
    if (extra) throw new ConfigError(join(path, extra), `give either 'gamma' or 'decayRate' with 'decaySteps', not both`);
    return new ExponentialSchedule(gamma, 1, false, true, unit);
  }
  if (decayRate === null || decaySteps === null) {
    const missing = decayRate === null ? 'decayRate' : 'decaySteps';
    throw new ConfigError(join(path, missing), `schedule 'exponential' needs 'gamma', or 'decayRate' with 'decaySteps'`);
  }
  return new ExponentialSchedule(decayRate, decaySteps, f.staircase as boolean, false, unit);
}

function checkT(t: number): void {
  if (!(t >= 0) || !Number.isFinite(t)) throw new RangeError(`schedule: t must be a finite number >= 0, got ${t}`);
}

class StepSchedule implements Schedule {
  readonly name = 'step';
  constructor(
    readonly stepSize: number,
    readonly gamma: number,
    readonly every: ScheduleUnit,
  ) {}
  lrAt(t: number, baseLr: number): number {
    checkT(t);
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
  getConfig(): StepScheduleConfig {
    return { name: 'step', stepSize: this.stepSize, gamma: this.gamma, every: this.every };
  }
}

class ExponentialSchedule implements Schedule {
  readonly name = 'exponential';
  constructor(
    readonly rate: number,
    readonly decaySteps: number,
    readonly staircase: boolean,
    /** Given as `gamma` (PyTorch) rather than decayRate/decaySteps (Keras): only changes getConfig. */
    readonly asGamma: boolean,
    readonly every: ScheduleUnit,
  ) {}
  lrAt(t: number, baseLr: number): number {
    checkT(t);
    const p = t / this.decaySteps;
    return baseLr * this.rate ** (this.staircase ? Math.floor(p) : p);
  }
  getConfig(): ExponentialScheduleConfig {
    if (this.asGamma) return { name: 'exponential', gamma: this.rate, every: this.every };
    return { name: 'exponential', decayRate: this.rate, decaySteps: this.decaySteps, staircase: this.staircase, every: this.every };
  }
}

class CosineSchedule implements Schedule {
  readonly name = 'cosine';
  constructor(
    readonly tMax: number,
    readonly etaMin: number,
    readonly warmup: number,
    readonly warmupStartFactor: number,
    readonly every: ScheduleUnit,
  ) {}
  lrAt(t: number, baseLr: number): number {
    checkT(t);
    if (t < this.warmup) {
      const f = this.warmupStartFactor;
      return baseLr * (f + ((1 - f) * t) / this.warmup);
    }
    const u = t - this.warmup;
    if (u >= this.tMax) return this.etaMin;
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * u) / this.tMax))) / 2;
  }
  getConfig(): CosineScheduleConfig {
    return { name: 'cosine', tMax: this.tMax, etaMin: this.etaMin, warmup: this.warmup, warmupStartFactor: this.warmupStartFactor, every: this.every };
  }
}
