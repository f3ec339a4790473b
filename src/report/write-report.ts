// writeReport: a study's report folder — report.html, summary.md, summary.csv, runs.csv and plots/*.svg|png.
// The folder is checked before anything is computed (an unwritable one is an NnlabError naming it), every file
// is rendered in memory, and the folder is then filled as a temp sibling and renamed into place: a failed
// report leaves no half-written folder, and a previous report stays whole until the new one replaces it.
// The folder's manifest (.nnlab-report) lists the files nnlab wrote there; anything else in the folder (a
// user's notes) is carried into the new folder as it is, so regenerating a report replaces only nnlab's files.
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import type { RunRecord, StudyRecord } from '../store/types.js';
import { NnlabError } from '../engine/errors.js';
import { replaceDirAtomic } from '../io/atomic.js';
import { COUNTED_STATUSES, epochsOf, type EpochsByRun, type StudySummary } from '../stats/index.js';
import { configNames, metricTitle, slug } from './format.js';
import { runsCsv, summaryCsv } from './csv.js';
import { markdownReport } from './markdown.js';
import { configOfRun } from './table.js';
import { htmlReport } from './html.js';
import { renderSvg, svgToPng } from './plots/render.js';
import { runCurvesSpec } from './plots/run-curves.js';
import { overlaySpec } from './plots/overlay.js';
import { metricBarsSpec } from './plots/metric-bars.js';
import { confusionSpec, sumMatrices } from './plots/confusion-heatmap.js';
import { optimizationHistorySpec } from './plots/optimization-history.js';
import { parallelCoordinatesSpec } from './plots/parallel-coordinates.js';
import { sliceSpec } from './plots/slice.js';
import { intermediateValuesSpec } from './plots/intermediate-values.js';
import { importanceSpec } from './plots/importance-bars.js';
import { trialsCsv } from './tune-table.js';
import type { TuneSummary } from '../tune/summary.js';

export interface ReportInput {
  study: StudyRecord | null;
  runs: readonly RunRecord[];
  epochsByRun: EpochsByRun;
  summary: StudySummary;
  /** For a search (a study of kind 'tune'): its trials, best trial and importance; the report is then the search's. */
  tune?: TuneSummary;
}

export interface ReportOptions {
  /** Class names for confusion-matrix axes (default: class indices). */
  classNames?: readonly string[];
  /** Also write PNGs beside the SVGs (default true). */
  png?: boolean;
  /** A curves plot for every run (default true). */
  runCurves?: boolean;
}

export interface ReportResult {
  /** The report folder, absolute. */
  dir: string;
  /** Files written, relative to `dir`. */
  files: string[];
}

/**
 * The report folder's manifest: marks it as an nnlab report (so that writing a new report may replace it) and
 * lists the files nnlab wrote there, which are the only ones a new report replaces or removes.
 */
export const MARKER = '.nnlab-report';

interface Marker {
  generator: 'nnlab';
  createdAt: string;
  /** The files this report wrote, relative to its folder, '/'-separated (the marker itself not included). */
  files: string[];
}

/**
 * The files nnlab wrote in the report folder `abs`, from its marker. A marker written before markers listed
 * files (no `files`) stands for a report folder that nnlab replaced whole: its own files are the fixed names
 * and the plots' SVGs and PNGs.
 */
function ownedFiles(abs: string): Set<string> {
  let marker: Partial<Marker>;
  try {
    marker = JSON.parse(readFileSync(path.join(abs, MARKER), 'utf8')) as Partial<Marker>;
  } catch (e) {
    throw new NnlabError(`cannot write the report to ${abs}: its ${MARKER} file is not readable JSON (${(e as Error).message}); remove it to say the folder's files may be replaced`);
  }
  if (Array.isArray(marker?.files)) return new Set(marker.files.filter((f): f is string => typeof f === 'string'));
  const legacy = ['report.html', 'summary.md', 'summary.csv', 'runs.csv', 'trials.csv'].filter((f) => existsSync(path.join(abs, f)));
  const plots = existsSync(path.join(abs, 'plots')) ? readdirSync(path.join(abs, 'plots')).filter((f) => /\.(svg|png)$/.test(f)).map((f) => `plots/${f}`) : [];
  return new Set([...legacy, ...plots]);
}

/**
 * What the user put in the report folder `abs`: every entry (relative, '/'-separated, parents before children)
 * that is neither the marker nor a file nnlab wrote. Folders are listed so that an empty one is kept too.
 */
function foreignEntries(abs: string, owned: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(abs, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      if (p === MARKER || owned.has(p)) continue;
      if (lstatSync(path.join(abs, p)).isDirectory()) {
        // nnlab's own folders (plots/) are not the user's, but what the user put inside them is.
        if (![...owned].some((f) => f.startsWith(`${p}/`))) found.push(p);
        walk(p);
      } else {
        found.push(p);
      }
    }
  };
  walk('');
  return found;
}

/**
 * Puts the user's entry `rel` of `from` at the same place in `to`: a folder is made anew, a file hard-linked
 * (the same file, not a copy; copied where the file system refuses links), a symlink recreated.
 */
function carryEntry(from: string, to: string, rel: string): void {
  const src = path.join(from, rel);
  const dst = path.join(to, rel);
  const st = lstatSync(src);
  mkdirSync(path.dirname(dst), { recursive: true });
  if (st.isDirectory()) {
    mkdirSync(dst, { recursive: true });
    chmodSync(dst, st.mode & 0o7777);
  } else if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(src), dst);
  } else if (st.isFile()) {
    try {
      linkSync(src, dst);
    } catch {
      copyFileSync(src, dst);
    }
  } else {
    throw new NnlabError(`cannot write the report to ${from}: ${rel} is neither a file, a folder nor a symlink, so it cannot be kept; move it away`);
  }
}

/**
 * Checks that a report can be written to `dir` (without writing anything there): the nearest existing
 * ancestor must be a folder we can create entries in, and an existing `dir` must be a folder that is empty or
 * holds an earlier nnlab report (a report replaces the whole folder, so any other folder is refused).
 * Returns the absolute path; throws an NnlabError naming the folder otherwise.
 */
export function checkReportDir(dir: string): string {
  const abs = path.resolve(dir);
  const fail = (why: string) => new NnlabError(`cannot write the report to ${abs}: ${why}`);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw fail('it exists and is not a folder');
    const entries = readdirSync(abs);
    if (entries.length > 0 && !entries.includes(MARKER)) throw fail('it is a folder that holds other files (not an earlier nnlab report); choose a new or empty folder');
  }
  let ancestor = path.dirname(abs);
  while (!existsSync(ancestor)) ancestor = path.dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw fail(`${ancestor} is not a folder`);
  try {
    rmdirSync(mkdtempSync(path.join(ancestor, '.nnlab-write-check-')));
  } catch (e) {
    throw fail(`cannot create files in ${ancestor} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}

/** The class names the runs were trained with (their config's `classes`), for confusion-matrix axes. */
export function classNamesOf(runs: readonly RunRecord[]): string[] | undefined {
  for (const r of runs) {
    const classes = (r.config as { classes?: unknown } | null)?.classes;
    if (Array.isArray(classes)) return classes as string[];
  }
  return undefined;
}

export interface PlannedPlot {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

/**
 * Which plots the report has: overlay and metric bars for comparisons, confusion matrices, per-run curves (a
 * search: its own plots, see planSearchPlots). The dashboard shows the same ones.
 */
export function planPlots(input: ReportInput, options: ReportOptions): PlannedPlot[] {
  if (input.tune) return planSearchPlots(input, input.tune, options);
  const { summary, runs, epochsByRun } = input;
  const names = configNames(summary.configs);
  const byId = new Map(runs.map((r) => [r.id, r]));
  const plots: PlannedPlot[] = [];
  if (summary.configs.length >= 2) {
    const groups = new Map(summary.configs.map((c, i) => [names[i], c.runIds.map((id) => epochsOf(epochsByRun, id))]));
    plots.push({ name: 'overlay', title: 'Accuracy and loss per epoch, mean over repeats, by config', spec: overlaySpec(groups, 'Mean curves by config') });
    const keys = [...new Set([summary.comparison?.metric, 'val.accuracy', 'val.loss', 'test.accuracy'])].filter(
      (k): k is string => k !== undefined && summary.configs.some((c) => c.metrics[k]?.mean != null),
    );
    for (const key of keys) {
      const bars = summary.configs.flatMap((c, i) => {
        const m = c.metrics[key];
        return m?.mean == null ? [] : [{ config: names[i], mean: m.mean, low: m.ci95?.[0] ?? null, high: m.ci95?.[1] ?? null, n: m.n }];
      });
      const title = `${metricTitle(key)} by config`;
      plots.push({ name: `bars-${slug(key)}`, title: `${title} (bars: mean; error bars: 95% CI)`, spec: metricBarsSpec(bars, metricTitle(key), title) });
    }
  }
  summary.configs.forEach((c, i) => {
    const counted = c.runIds.map((id) => byId.get(id)).filter((r): r is RunRecord => !!r && COUNTED_STATUSES.includes(r.status));
    for (const split of ['val', 'test'] as const) {
      const matrices = counted.map((r) => r.metrics[split]?.confusionMatrix).filter((m): m is number[][] => Array.isArray(m) && Array.isArray(m[0]));
      if (matrices.length === 0) continue;
      const where = `confusion matrix of ${names[i]} (${split})`;
      const title = `Confusion matrix: ${names[i]} (${split === 'val' ? 'validation' : 'test'}${matrices.length > 1 ? `, ${matrices.length} runs summed` : ''})`;
      plots.push({ name: `confusion-${split}-${i + 1}-${slug(names[i])}`, title, spec: confusionSpec(sumMatrices(matrices, where), title, options.classNames) });
    }
  });
  if (options.runCurves ?? true) {
    const runConfig = configOfRun(summary);
    for (const run of runs) {
      const epochs = epochsOf(epochsByRun, run.id);
      if (epochs.length === 0) continue;
      const name = runConfig.get(run.id) ?? (run.label || 'run');
      const title = `Run ${run.id}: ${name}, seed ${run.seed} (${run.status})`;
      plots.push({ name: `run-${run.id}-curves`, title, spec: runCurvesSpec(epochs, title) });
    }
  }
  return plots;
}

/**
 * A search's plots: optimisation history, parallel coordinates, a slice per parameter, intermediate values,
 * importance, and the best trial's curves and confusion matrices (a curves plot per trial would be hundreds).
 */
function planSearchPlots(input: ReportInput, tune: TuneSummary, options: ReportOptions): PlannedPlot[] {
  const what = metricTitle(tune.objective.metric);
  const plots: PlannedPlot[] = [{ name: 'optimization-history', title: `Optimisation history: ${what} per trial, and the best so far`, spec: optimizationHistorySpec(tune, 'Optimisation history') }];
  const scored = tune.trials.filter((t) => t.value !== null).length;
  if (tune.space.params.length > 0 && scored > 0) {
    plots.push({ name: 'parallel-coordinates', title: `Parallel coordinates: each trial's parameters and ${what}`, spec: parallelCoordinatesSpec(tune, 'Parallel coordinates') });
    for (const p of tune.space.params) plots.push({ name: `slice-${slug(p.name)}`, title: `Slice: ${what} against ${p.name}`, spec: sliceSpec(tune, p, `Slice: ${p.name}`) });
  }
  if (tune.trials.some((t) => t.intermediate.some((v) => v !== null))) {
    plots.push({ name: 'intermediate-values', title: `Intermediate values: ${what} after each epoch of each trial (pruned: dashed)`, spec: intermediateValuesSpec(tune, 'Intermediate values') });
  }
  if (tune.importance && tune.importance.params.some((p) => p.importance !== null)) {
    plots.push({ name: 'importance', title: 'Parameter importance (fANOVA)', spec: importanceSpec(tune.importance, 'Parameter importance') });
  }
  const best = tune.best;
  if (best) {
    for (const id of best.runIds) {
      const run = input.runs.find((r) => r.id === id);
      const epochs = epochsOf(input.epochsByRun, id);
      if (run && epochs.length && (options.runCurves ?? true)) plots.push({ name: `best-trial-run-${id}-curves`, title: `Best trial ${best.number}, run ${id} (seed ${run.seed})`, spec: runCurvesSpec(epochs, `Best trial ${best.number}: run ${id}`) });
      for (const split of ['val', 'test'] as const) {
        const m = run?.metrics[split]?.confusionMatrix;
        if (!Array.isArray(m) || !Array.isArray(m[0])) continue;
        const title = `Confusion matrix: best trial ${best.number}, run ${id} (${split === 'val' ? 'validation' : 'test'})`;
        plots.push({ name: `confusion-${split}-run-${id}`, title, spec: confusionSpec(m as number[][], title, options.classNames) });
      }
    }
  }
  return plots;
}

/**
 * Writes the report folder `dir` (replacing an earlier report there). Files: report.html, summary.md,
 * summary.csv, runs.csv, plots/<name>.svg and .png. Returns the folder and the files written.
 */
export async function writeReport(dir: string, input: ReportInput, options: ReportOptions = {}): Promise<ReportResult> {
  const abs = checkReportDir(dir);
  const files = new Map<string, string | Buffer>();
  const rendered: { title: string; file: string; svg: string }[] = [];
  for (const plot of planPlots(input, options)) {
    const svg = await renderSvg(plot.spec);
    files.set(`plots/${plot.name}.svg`, svg);
    if (options.png ?? true) files.set(`plots/${plot.name}.png`, await svgToPng(svg));
    rendered.push({ title: plot.title, file: `plots/${plot.name}.${options.png ?? true ? 'png' : 'svg'}`, svg });
  }
  files.set('summary.md', markdownReport(input.summary, input.study, rendered, input.tune));
  files.set('summary.csv', summaryCsv(input.summary));
  files.set('runs.csv', runsCsv(input.runs, input.summary));
  if (input.tune) files.set('trials.csv', trialsCsv(input.tune));
  files.set('report.html', htmlReport(input.summary, input.study, rendered, new Date(), input.tune));
  const written = [...files.keys()];
  const marker: Marker = { generator: 'nnlab', createdAt: new Date().toISOString(), files: written };

  // The user's files in an earlier report stay; one in the way of a file the new report writes is refused
  // before anything changes, never overwritten.
  const earlier = existsSync(abs) && readdirSync(abs).length > 0;
  const foreign = earlier ? foreignEntries(abs, ownedFiles(abs)) : [];
  const needed = new Set(written.flatMap((f) => f.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const clash = foreign.find((f) => needed.has(f) && !(f === 'plots' && lstatSync(path.join(abs, f)).isDirectory()));
  if (clash) throw new NnlabError(`cannot write the report to ${abs}: ${clash} is in the way of a file the report writes, and nnlab did not write it (${MARKER} does not list it); move it away`);

  replaceDirAtomic(abs, (temp) => {
    // The temp folder is private (0700); a report folder is an ordinary one, or keeps the mode it had.
    chmodSync(temp, earlier ? statSync(abs).mode & 0o7777 : 0o755);
    mkdirSync(path.join(temp, 'plots'));
    for (const [name, content] of files) writeFileSync(path.join(temp, name), content);
    for (const rel of foreign) if (!existsSync(path.join(temp, rel))) carryEntry(abs, temp, rel);
    writeFileSync(path.join(temp, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  });
  return { dir: abs, files: written };
}
