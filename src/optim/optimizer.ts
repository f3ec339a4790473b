// The optimizer base class (as in Keras: a subclass implements only its update rule). The base owns the
// parameters, their state tensors and step counts, the learning rate and its changes (schedule, Keras-style
// decay, setLr from callbacks), gradient clipping, zeroGrad, step, getConfig and the state dict.
//
// The learning rate an update uses is
//     lr = schedule(t, config.lr) · scale / (1 + decay · iterations)
// where t is the epoch (setEpoch) or the iteration count, per the schedule's `every`; without a schedule the
// first factor is config.lr. `iterations` counts step() calls before this one (Keras's legacy `decay`).
// setLr(x) sets `scale` so that the current rate becomes x; later schedule values are scaled by the same
// ratio (as when PyTorch's ReduceLROnPlateau and a scheduler both change the rate).
import { ConfigError, ShapeError } from '../engine/errors.js';
import { join, nameKey, readFields, type FieldSpec, type FieldValue } from '../engine/fields.js';
import { isFloating, keep, noGrad, ops, Tensor, tidy } from '../tensor/index.js';
import { clipGradNorm_, clipGradValue_ } from './clip.js';
import { FIELD_HINTS } from './hints.js';
import { schedule as makeSchedule, type Schedule, type ScheduleConfig } from './schedules.js';

/** Fields every optimizer takes. */
export interface CommonConfig {
  /** The base learning rate (default per optimizer, PyTorch's). */
  lr?: number;
  /** Keras's legacy decay: lr / (1 + decay · iterations). Default 0. */
  decay?: number;
  /** Scale all gradients together so that their global L2 norm is at most this (clip_grad_norm_). */
  clipNorm?: number | null;
  /** Clamp every gradient element into [-clipValue, clipValue] (clip_grad_value_); applied before clipNorm. */
  clipValue?: number | null;
  /** A learning-rate schedule (see schedules.ts). */
  schedule?: ScheduleConfig | null;
}

/** A plain optimizer config: `{ name, ...fields }`, as getConfig returns and optimizer() takes. */
export interface OptimizerConfig extends CommonConfig {
  name: string;
  [field: string]: unknown;
}

/** One parameter's state tensors by name (e.g. expAvg, expAvgSq). */
export type ParamState = Record<string, Tensor>;

/** What stateDict returns: JSON metadata and named tensors `${paramIndex}.${stateName}`. */
export interface OptimizerState {
  meta: OptimizerStateMeta;
  tensors: Record<string, Tensor>;
}

export interface OptimizerStateMeta {
  format: typeof STATE_FORMAT;
  name: string;
  /** The config of the optimizer that saved it (for the record; loading keeps the loader's config). */
  config: OptimizerConfig;
  iterations: number;
  epoch: number;
  lrScale: number;
  /** Updates applied to each parameter (0: none yet, no state tensors). */
  steps: number[];
}

export const STATE_FORMAT = 'nnlab.optimizer/1';

function commonFields(defaultLr: number): Record<string, FieldSpec> {
  return {
    lr: { type: 'number', default: defaultLr, min: 0, aliases: ['learningRate'] },
    decay: { type: 'number', default: 0, min: 0 },
    clipNorm: { type: 'optionalNumber', min: 0, exclusiveMin: true },
    clipValue: { type: 'optionalNumber', min: 0, exclusiveMin: true },
    schedule: { type: 'object' },
  };
}

export abstract class Optimizer {
  /** The parameters, in order; the state dict names their state by index. */
  readonly params: readonly Tensor[];
  /** Every field of the config, given or default (the subclass reads its own from here). */
  protected readonly fields: Readonly<Record<string, FieldValue>>;
  /** The schedule, if the config has one. */
  readonly schedule: Schedule | null;

  private state: (ParamState | undefined)[];
  private steps: number[];
  private iterationCount = 0;
  private epochIndex = 0;
  private lrScale = 1;
  private disposed = false;

  /**
   * @param name the optimizer's name in configs
   * @param params leaf tensors with requiresGrad
   * @param config the plain config (its `name`, if present, must be this optimizer's)
   * @param path where the config sits, for errors (e.g. 'training.optimizer')
   * @param defaultLr the default learning rate
   * @param own the subclass's fields, with types, ranges and defaults
   */
  protected constructor(
    readonly name: string,
    params: readonly Tensor[],
    config: Record<string, unknown>,
    path: string,
    defaultLr: number,
    own: Record<string, FieldSpec>,
  ) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new ConfigError(path, `expected an optimizer config { name, ...fields }, got ${JSON.stringify(config)}`);
    }
    if (config.name !== undefined && (typeof config.name !== 'string' || nameKey(config.name) !== nameKey(name))) {
      throw new ConfigError(join(path, 'name'), `this config names '${String(config.name)}' but builds '${name}'`);
    }
    const { lr, ...rest } = commonFields(defaultLr);
    this.fields = readFields(config, { lr, ...own, ...rest }, path, `optimizer '${name}'`, { hints: FIELD_HINTS });
    this.schedule = this.fields.schedule === null ? null : makeSchedule(this.fields.schedule, join(path, 'schedule'));
    this.params = checkParams(params, name);
    this.state = params.map(() => undefined);
    this.steps = params.map(() => 0);
  }

  /** The new state tensors of one parameter (zeros, or as the rule starts). Runs under noGrad. */
  protected abstract initState(param: Tensor): ParamState;

  /**
   * Updates one parameter in place from its gradient, under noGrad inside a tidy scope (temporaries are
   * freed). `step` counts this parameter's updates, 1 on the first; `lr` is this step's learning rate.
   */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, step: number, lr: number): void;

  // ---- learning rate ---------------------------------------------------------------------------------
  /** The configured base learning rate. */
  get baseLr(): number {
    return this.fields.lr as number;
  }
  /** The learning rate the next step() uses. */
  get lr(): number {
    return this.unscaledLr() * this.lrScale;
  }
  /** Sets the current learning rate (reduceLROnPlateau, say); a schedule continues from it proportionally. */
  setLr(lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new RangeError(`setLr: the learning rate must be a finite number >= 0, got ${lr}`);
    const unscaled = this.unscaledLr();
    if (unscaled === 0) {
      if (lr !== 0) throw new RangeError(`setLr(${lr}): the schedule's learning rate is 0 here, so it cannot be scaled to ${lr}`);
      return;
    }
    this.lrScale = lr / unscaled;
  }
  /** Tells a per-epoch schedule which epoch (from 0) the following steps belong to. */
  setEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`setEpoch: expected an integer >= 0, got ${epoch}`);
    this.epochIndex = epoch;
  }
  get epoch(): number {
    return this.epochIndex;
  }
  /** The number of step() calls so far. */
  get iterations(): number {
    return this.iterationCount;
  }

  private unscaledLr(): number {
    const s = this.schedule;
    const lr = s === null ? this.baseLr : s.lrAt(s.every === 'epoch' ? this.epochIndex : this.iterationCount, this.baseLr);
    return lr / (1 + (this.fields.decay as number) * this.iterationCount);
  }

  // ---- updates ---------------------------------------------------------------------------------------
  /** Clears every parameter's gradient (set to none, as PyTorch 2 does). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad(true);
  }

  /**
   * One update of every parameter that has a gradient (others are skipped, as in PyTorch): clip the
   * gradients if configured, then apply the rule with this step's learning rate.
   */
  step(): void {
    this.checkLive();
    const lr = this.lr;
    noGrad(() =>
      tidy(() => {
        const grads = this.params.map((p) => p.grad);
        const present = grads.filter((g): g is Tensor => g !== null);
        if (this.fields.clipValue !== null) clipGradValue_(present, this.fields.clipValue as number);
        if (this.fields.clipNorm !== null) clipGradNorm_(present, this.fields.clipNorm as number);
        this.params.forEach((p, i) => {
          const g = grads[i];
          if (g === null) return;
          const state = (this.state[i] ??= this.newState(p));
          this.steps[i] += 1;
          this.update(p, g, state, this.steps[i], lr);
        });
      }),
    );
    this.iterationCount += 1;
  }

  private newState(param: Tensor): ParamState {
    const s = noGrad(() => this.initState(param));
    for (const t of Object.values(s)) keep(t);
    return s;
  }

  // ---- config and state ------------------------------------------------------------------------------
  /** The config with every default filled in: optimizer(getConfig(), params) builds the same optimizer. */
  getConfig(): OptimizerConfig {
    const config: OptimizerConfig = { name: this.name };
    for (const [k, v] of Object.entries(this.fields)) {
      if (k === 'schedule') {
        if (this.schedule) config.schedule = this.schedule.getConfig();
      } else if (v !== null) {
        config[k] = v;
      }
    }
    return config;
  }

  /**
   * The optimizer's progress: JSON metadata plus its state tensors named `${paramIndex}.${stateName}`. The
   * tensors are the live state (no copies): save them before the next step(), and do not dispose them.
   */
  stateDict(): OptimizerState {
    this.checkLive();
    const tensors: Record<string, Tensor> = {};
    this.state.forEach((s, i) => {
      if (s) for (const [k, t] of Object.entries(s)) tensors[`${i}.${k}`] = t;
    });
    const meta: OptimizerStateMeta = {
      format: STATE_FORMAT,
      name: this.name,
      config: this.getConfig(),
      iterations: this.iterationCount,
      epoch: this.epochIndex,
      lrScale: this.lrScale,
      steps: [...this.steps],
    };
    return { meta, tensors };
  }

  /**
   * Restores progress saved by stateDict (tensors are copied; the caller keeps its own). The optimizer's own
   * config stays: the state must fit it (same name, parameter count and shapes, the same state tensors).
   * Nothing changes when the state does not fit.
   */
  loadStateDict(saved: OptimizerState, path = 'optimizer state'): void {
    this.checkLive();
    const { meta, tensors } = saved;
    if (meta?.format !== STATE_FORMAT) throw new ConfigError(join(path, 'format'), `expected '${STATE_FORMAT}', got ${JSON.stringify(meta?.format)}`);
    if (meta.name !== this.name) throw new ConfigError(join(path, 'name'), `the state is of optimizer '${meta.name}', this optimizer is '${this.name}'`);
    for (const k of ['iterations', 'epoch'] as const) {
      if (!Number.isInteger(meta[k]) || meta[k] < 0) throw new ConfigError(join(path, k), `expected an integer >= 0, got ${JSON.stringify(meta[k])}`);
    }
    if (!(meta.lrScale >= 0) || !Number.isFinite(meta.lrScale)) throw new ConfigError(join(path, 'lrScale'), `expected a finite number >= 0, got ${JSON.stringify(meta.lrScale)}`);
    if (!Array.isArray(meta.steps) || meta.steps.length !== this.params.length) {
      throw new ConfigError(join(path, 'steps'), `the state has ${Array.isArray(meta.steps) ? meta.steps.length : 'no'} parameters, this optimizer ${this.params.length}`);
    }
    const fresh: (ParamState | undefined)[] = [];
    try {
      const used = new Set<string>();
      this.params.forEach((p, i) => {
        const n = meta.steps[i];
        if (!Number.isInteger(n) || n < 0) throw new ConfigError(join(path, `steps.${i}`), `expected an integer >= 0, got ${JSON.stringify(n)}`);
        if (n === 0) return fresh.push(undefined);
        const s = this.newState(p);
        fresh.push(s);
        for (const [k, t] of Object.entries(s)) {
          const key = `${i}.${k}`;
          const src = tensors[key];
          if (!(src instanceof Tensor)) throw new ConfigError(join(path, `tensors.${key}`), `missing: optimizer '${this.name}' as configured needs it`);
          if (src.shape.join() !== p.shape.join()) {
            throw new ShapeError(`${join(path, `tensors.${key}`)}: shape [${src.shape.join(', ')}] does not match parameter ${i} of shape [${p.shape.join(', ')}]`);
          }
          noGrad(() => tidy(() => void ops.copy_(t, src)));
          used.add(key);
        }
      });
      const extra = Object.keys(tensors).find((k) => !used.has(k));
      if (extra !== undefined) throw new ConfigError(join(path, `tensors.${extra}`), `unexpected: optimizer '${this.name}' as configured has no such state`);
    } catch (e) {
      for (const s of fresh) if (s) for (const t of Object.values(s)) t.dispose();
      throw e;
    }
    this.freeState();
    this.state = fresh;
    this.steps = [...meta.steps];
    this.iterationCount = meta.iterations;
    this.epochIndex = meta.epoch;
    this.lrScale = meta.lrScale;
  }

  /** The number of state tensors held (they live until dispose() or loadStateDict). */
  get stateTensorCount(): number {
    return this.state.reduce((n, s) => n + (s ? Object.keys(s).length : 0), 0);
  }

  /** Frees the state tensors; the optimizer cannot step afterwards. Idempotent. */
  dispose(): void {
    this.freeState();
    this.disposed = true;
  }

  private freeState(): void {
    for (const s of this.state) if (s) for (const t of Object.values(s)) t.dispose();
    this.state = this.params.map(() => undefined);
  }

  private checkLive(): void {
    if (this.disposed) throw new Error(`optimizer '${this.name}' was disposed`);
  }
}

/** The parameters as given, checked: a non-empty list of distinct, live, floating-point leaf tensors with requiresGrad. */
function checkParams(params: readonly Tensor[], name: string): readonly Tensor[] {
  if (!Array.isArray(params) || params.length === 0) throw new TypeError(`optimizer '${name}': got an empty parameter list`);
  params.forEach((p, i) => {
    const problem = !(p instanceof Tensor)
      ? 'is not a Tensor'
      : p.isDisposed
        ? 'was disposed'
        : !isFloating(p.dtype)
          ? `has dtype ${p.dtype}; only floating-point tensors can be optimized`
          : !p.requiresGrad
            ? 'does not require grad (call requiresGrad_() on it)'
            : p.gradFn !== null
              ? `is not a leaf tensor (it was made by ${p.gradFn}); optimize the tensors the model owns`
              : params.indexOf(p) !== i
                ? `is the same tensor as parameter ${params.indexOf(p)}`
                : null;
    if (problem) throw new TypeError(`optimizer '${name}': parameter ${i} ${problem}`);
  });
  return [...params];
}
