// (b) Curves across a comparison: one colour per config, each line the mean over the config's repeats at
// each epoch (over the runs that reached that epoch); training solid, validation dashed.
import type { TopLevelSpec } from 'vega-lite';
import type { EpochLog } from '../../record/history.js';
import { CONFIG, SCHEMA } from './render.js';
import { curvePanels, curvePoints } from './run-curves.js';

export interface OverlayPoint {
  config: string;
  epoch: number;
  metric: string;
  split: 'train' | 'validation';
  /** Mean over the runs that logged this epoch. */
  value: number;
  /** How many runs that mean is over. */
  runs: number;
}

/** Mean curves per config: `groups` maps a config's display name to the epoch logs of its runs. */
export function meanCurves(groups: ReadonlyMap<string, readonly (readonly EpochLog[])[]>, metrics: readonly string[]): OverlayPoint[] {
  const out: OverlayPoint[] = [];
  for (const [config, runs] of groups) {
    const sums = new Map<string, { epoch: number; metric: string; split: OverlayPoint['split']; sum: number; runs: number }>();
    for (const epochs of runs) {
      for (const p of curvePoints(epochs, metrics)) {
        const key = `${p.epoch}|${p.metric}|${p.split}`;
        const s = sums.get(key) ?? { epoch: p.epoch, metric: p.metric, split: p.split, sum: 0, runs: 0 };
        s.sum += p.value;
        s.runs += 1;
        sums.set(key, s);
      }
    }
    for (const s of sums.values()) out.push({ config, epoch: s.epoch, metric: s.metric, split: s.split, value: s.sum / s.runs, runs: s.runs });
  }
  return out.sort((a, b) => a.epoch - b.epoch);
}

/** Vega-Lite spec overlaying the configs' mean curves (a panel per metric). */
export function overlaySpec(groups: ReadonlyMap<string, readonly (readonly EpochLog[])[]>, title: string, metrics: readonly string[] = ['accuracy', 'loss']): TopLevelSpec {
  const points = meanCurves(groups, metrics);
  const panels = curvePanels(points, metrics, { field: 'config', title: 'Config' }).map((p) => ({
    ...p,
    encoding: { ...p.encoding, color: { ...p.encoding.color, sort: [...groups.keys()] }, tooltip: [{ field: 'config' }, { field: 'epoch' }, { field: 'value', format: '.4f' }, { field: 'runs' }] },
  }));
  return { $schema: SCHEMA, title, config: CONFIG, data: { values: points }, hconcat: panels } as TopLevelSpec;
}
