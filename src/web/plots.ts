// The dashboard's plots: the reports' own Vega-Lite specs (report/plots), made interactive for the page: line
// points show their values on hover, and a legend entry click shows only that series (shift-click for more).
// Per-epoch curves say which fields make a series, so that the page can smooth them and put their y axis on a
// log scale (app.js: TensorBoard's smoothing slider and log-scale toggle).
import type { TopLevelSpec } from 'vega-lite';
import { classNamesOf, planPlots } from '../report/write-report.js';
import { runCurvesSpec } from '../report/plots/run-curves.js';
import { overlaySpec } from '../report/plots/overlay.js';
import { confusionSpec } from '../report/plots/confusion-heatmap.js';
import type { EpochLog } from '../record/history.js';
import type { RunRecord } from '../store/types.js';
import type { StudyView } from './data.js';

export interface Plot {
  name: string;
  title: string;
  spec: TopLevelSpec;
  /**
   * For per-epoch curves (data points { epoch, value, ... }): the fields whose values make one line, e.g.
   * ['metric', 'split'] or ['config', 'metric', 'split']; the page smooths each line along `epoch`.
   */
  curves?: { series: string[] };
}

/** The series fields of a per-epoch curves spec (run curves, overlays), or undefined for any other plot. */
export function curvesOf(spec: TopLevelSpec): Plot['curves'] {
  const values = (spec as { data?: { values?: unknown } }).data?.values;
  const first = Array.isArray(values) ? (values[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || !['epoch', 'metric', 'split', 'value'].every((k) => k in first)) return undefined;
  return { series: ['config', 'metric', 'split'].filter((k) => k in first) };
}

/** A plot for the page: interactive, and marked as curves where it is. */
function pagePlot(name: string, title: string, spec: TopLevelSpec): Plot {
  const curves = curvesOf(spec);
  return { name, title, spec: interactive(spec), ...(curves ? { curves } : {}) };
}

type Panel = { mark?: unknown; encoding?: Record<string, unknown>; params?: unknown[] };

/** The param a legend click sets: the series (colour field) to show. */
const SERIES = 'series';

/**
 * Hover and series toggling on every line panel: points on the lines with a tooltip of their values, and, when
 * the colour encodes a series, a legend-bound selection (declared once, on the first panel) that fades the
 * other series.
 */
export function interactive(spec: TopLevelSpec): TopLevelSpec {
  const s = structuredClone(spec) as TopLevelSpec & Panel & { hconcat?: Panel[] };
  const panels: Panel[] = s.hconcat ?? [s];
  let declared = false;
  for (const p of panels) {
    const mark = typeof p.mark === 'string' ? { type: p.mark } : (p.mark as { type?: string } | undefined);
    if (mark?.type !== 'line' || !p.encoding) continue;
    p.mark = { ...mark, point: { size: 16 }, ...(p.encoding.tooltip ? {} : { tooltip: { content: 'data' } }) };
    const color = p.encoding.color as { field?: string } | undefined;
    if (!color?.field) continue;
    if (!declared) {
      p.params = [...(p.params ?? []), { name: SERIES, select: { type: 'point', fields: [color.field] }, bind: 'legend' }];
      declared = true;
    }
    p.encoding.opacity = { condition: { param: SERIES, value: 1, empty: true }, value: 0.12 };
  }
  return s;
}

/** A study's plots, as its report draws them (a search's: history, coordinates, slices, importance...). */
export function studyPlots(view: StudyView): Plot[] {
  const classes = classNamesOf(view.runs);
  const plots = planPlots(
    { study: view.study, runs: view.runs, epochsByRun: view.epochsByRun, summary: view.summary, ...(view.tune ? { tune: view.tune } : {}) },
    { runCurves: view.tune !== null || view.runs.length === 1, ...(classes ? { classNames: classes } : {}) },
  );
  return plots.map((p) => pagePlot(p.name, p.title, p.spec));
}

/** A run's curves and its confusion matrices. */
export function runPlots(run: RunRecord, epochs: readonly EpochLog[]): Plot[] {
  const classes = classNamesOf([run]);
  const plots: Plot[] = [];
  if (epochs.length) plots.push(pagePlot('curves', `Run ${run.id}: accuracy and loss per epoch`, runCurvesSpec(epochs, `Run ${run.id}`)));
  for (const split of ['val', 'test'] as const) {
    const m = run.metrics[split]?.confusionMatrix;
    if (!Array.isArray(m) || !Array.isArray(m[0])) continue;
    const title = `Confusion matrix (${split === 'val' ? 'validation' : 'test'})`;
    plots.push({ name: `confusion-${split}`, title, spec: confusionSpec(m as number[][], title, classes) });
  }
  return plots;
}

/** The picked runs' curves overlaid, one colour per run. */
export function comparePlots(runs: readonly RunRecord[], epochsByRun: ReadonlyMap<number, readonly EpochLog[]>): Plot[] {
  const groups = new Map(runs.map((r) => [`run ${r.id}${r.label ? `: ${r.label}` : ''}`, [epochsByRun.get(r.id) ?? []]]));
  if (![...groups.values()].some((g) => g[0].length)) return [];
  return [pagePlot('overlay', 'Accuracy and loss per epoch, by run', overlaySpec(groups, 'Curves by run'))];
}
