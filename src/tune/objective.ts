// What a search optimises: one metric of the stored epoch logs ('val.accuracy', 'val.loss', 'train.loss', any
// metric the training computes), its direction, and how a trial's curve becomes its value: `best` (KerasTuner's
// rule: the value at the trial's best epoch) or `last` (the final epoch's). A test metric is refused: the
// test set must not take part in choosing.
import type { EpochLog } from '../record/history.js';
import { defaultDirection } from '../stats/compare.js';
import type { Direction } from './trial.js';

export interface Objective {
  /** '<split>.<metric>' with split train or val. */
  metric: string;
  direction: Direction;
  reduce: 'best' | 'last';
}

type Fail = (field: string | null, problem: string) => Error;

/**
 * The objective of a `tune.objective` field: a metric name, or { metric, direction, reduce } (default
 * val.accuracy, the direction from the metric's name, reduce best). Problems are thrown as `fail(field, ...)`,
 * field null for the objective itself.
 */
export function readObjective(raw: unknown, fail: Fail): Objective {
  const given = raw === undefined || raw === null ? {} : typeof raw === 'string' ? { metric: raw } : (raw as Record<string, unknown>);
  const metric = (given.metric as string | undefined) ?? 'val.accuracy';
  const field = typeof raw === 'string' ? null : 'metric';
  if (/^test\./.test(metric)) {
    throw fail(field, `the search is scored on validation or training data, never on the test set (it would take part in choosing); use ${metric.replace(/^test\./, 'val.')}`);
  }
  if (!/^(train|val)\.\w+$/.test(metric)) throw fail(field, `expected <split>.<metric> with split train or val, such as val.accuracy or val.loss; got '${metric}'`);
  const direction = (given.direction as Direction | undefined) ?? defaultDirection(metric);
  const reduce = (given.reduce as 'best' | 'last' | undefined) ?? 'best';
  return { metric, direction, reduce };
}

/** The objective's value in one epoch log, or null where the epoch has none (or it is not a finite number). */
export function epochValue(log: EpochLog, metric: string): number | null {
  const [split, key] = metric.split('.', 2);
  const logs = split === 'train' ? log.train : log.val;
  const v = logs?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The objective after each epoch of a run (index = epoch). */
export function intermediateValues(epochs: readonly EpochLog[], metric: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const e of epochs) out[e.epoch] = epochValue(e, metric);
  for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = null;
  return out;
}

/**
 * A curve's value under the objective: the best epoch's (the first of equals) or the last epoch's, with that
 * epoch's index; nulls when no epoch has a value (a last epoch without one gives null).
 */
export function reduceCurve(values: readonly (number | null)[], objective: Objective): { value: number | null; epoch: number | null } {
  if (objective.reduce === 'last') {
    const last = values.length - 1;
    return last < 0 || values[last] === null ? { value: null, epoch: null } : { value: values[last], epoch: last };
  }
  let best: number | null = null;
  let at: number | null = null;
  values.forEach((v, i) => {
    if (v === null) return;
    if (best === null || (objective.direction === 'max' ? v > best : v < best)) [best, at] = [v, i];
  });
  return { value: best, epoch: at };
}
