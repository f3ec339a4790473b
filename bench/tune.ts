// The tuner bench: nnlab's samplers and ASHA beside Optuna 3.1 (Debian python3-optuna), in the same run.
//   1. Sampler quality: Branin (2-D), Hartmann-6 (6-D in [0, 1]) and a mixed HPO-like space (a log float, an
//      int with a step, a 4-way choice, a float active only for one choice, a plain float), minimised, written
//      identically here and in bench/py/tune_optuna.py. Each sampler runs a study of N = 50 trials per seed
//      (1..20: with 5, verdicts flip from run to run), driven in-process with the loop of src/tune/driver.ts
//      (suggest, evaluate, append a completed trial; no training, no store): nnlab's tpe, tpe multivariate, gp
//      and random against Optuna's TPESampler (defaults, and multivariate=True with group=True, as nnlab's
//      multivariate) and RandomSampler. Reported:
//      the median (min..max over seeds) best value after 20 and after 50 trials, the regret (best - optimum),
//      the ratio of nnlab's median regret to Optuna's, and the chance that a seed of nnlab beats a seed of
//      Optuna (over all pairs of seeds, ties half; nnlab's GP is set against Optuna's TPE).
//   2. Sampler time: nnlab's suggest() per trial over 100 trials on Hartmann-6 (median over the 100 and over
//      trials 46-50 and 96-100; each trial at its best of 3 rounds of the same seeded study) against Optuna's
//      per-trial overhead (study.optimize's time divided by its trials, the objective costing microseconds;
//      also per trial, end to end, best of 3 rounds too), and its share of a real trial: the median trial wall
//      time of part 3's searches without a pruner.
//   3. ASHA on real training, through the lab's tuner (tuneExperiment on a temporary store): a 20-trial TPE
//      search of an MNIST MLP (200 images per class, a quarter for validation, 9 epochs; lr, units, dropout)
//      without a pruner and with { name: asha, minEpochs: 1, reductionFactor: 3 }, 5 sampler seeds: the best
//      val_accuracy (median) and the epochs trained (summed over trials), as asha / none and asha - none, beside
//      the binomial standard error of one val_accuracy on the 500 validation images (the noise).
// About 3 minutes on 2 cores. Prints the tables and writes every figure to reports/bench/tune.json (--json PATH
// to change it; --seeds N; --quick for a short check that it all runs). `npm run bench -- tune [--seeds 5]`,
// or `node dist/bench/tune.js`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseExperiment } from '../src/lab/experiment/index.js';
import { tuneExperiment, type TuneOutcome } from '../src/lab/tuner.js';
import { openStore } from '../src/store/index.js';
import { samplerFrom } from '../src/tune/samplers/index.js';
import { readSpace, type Params, type Space } from '../src/tune/space.js';
import type { Trial } from '../src/tune/trial.js';
import { benchDir, median } from './common.js';

// ---- the objectives (bench/py/tune_optuna.py writes the same) ------------------------------------------------

interface Objective {
  name: string;
  title: string;
  space: Space;
  /** The known minimum. */
  optimum: number;
  f(p: Params): number;
}

function space(section: Record<string, unknown>): Space {
  return readSpace(section, (segments, problem) => new Error(`${segments.join('.')}: ${problem}`));
}

const branin: Objective = {
  name: 'branin',
  title: 'Branin (2-D floats)',
  space: space({ x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } }),
  optimum: 0.397887357729738,
  f(p) {
    const x1 = p.x1 as number;
    const x2 = p.x2 as number;
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

const hartmann6: Objective = {
  name: 'hartmann6',
  title: 'Hartmann-6 (6-D floats in [0, 1])',
  space: space(Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j + 1}`, { type: 'float', low: 0, high: 1 }]))),
  optimum: -3.32236801141551,
  f(p) {
    const x = Array.from({ length: 6 }, (_, j) => p[`x${j + 1}`] as number);
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i][j] * (x[j] - H_P[i][j]) ** 2;
      total += H_ALPHA[i] * Math.exp(-inner);
    }
    return -total;
  },
};

/** optimizer -> [target log10 of the effective learning rate, offset]; sgd's effective lr is lr / (1 - momentum). */
const MIXED_OPT: Record<string, [number, number]> = { sgd: [-1, 0], adam: [-3, 0.05], rmsprop: [-3.5, 0.1], adagrad: [-1.5, 0.2] };

/**
 * An HPO-like landscape: each optimizer has its best learning rate and a floor; sgd's floor is 0 but only with a
 * momentum near 0.9 (and its learning rate depends on the momentum), adam's 0.05 is easy to reach. Minimum 0 at
 * sgd, momentum 0.9, lr 0.01, units 256, dropout 0.2.
 */
const mixed: Objective = {
  name: 'mixed',
  title: 'mixed HPO-like space (log float, int step 16, 4-way choice, conditional float, float)',
  space: space({
    lr: { type: 'float', low: 1e-5, high: 0.1, log: true },
    units: { type: 'int', low: 16, high: 512, step: 16 },
    optimizer: { type: 'choice', values: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
    momentum: { type: 'float', low: 0, high: 0.99, when: { optimizer: 'sgd' } },
    dropout: { type: 'float', low: 0, high: 0.5 },
  }),
  optimum: 0,
  f(p) {
    const [target, offset] = MIXED_OPT[p.optimizer as string];
    const m = p.momentum as number | undefined;
    const eff = m === undefined ? (p.lr as number) : (p.lr as number) / (1 - m);
    let f = 0.5 * (Math.log10(eff) - target) ** 2 + offset + 0.1 * Math.log2((p.units as number) / 256) ** 2 + ((p.dropout as number) - 0.2) ** 2;
    if (m !== undefined) f += 2 * (m - 0.9) ** 2;
    return f;
  },
};

export const OBJECTIVES = [branin, hartmann6, mixed];

// ---- nnlab's samplers, in-process ---------------------------------------------------------------------------

const NNLAB_SAMPLERS: Record<string, unknown> = {
  tpe: 'tpe',
  'tpe-mv': { name: 'tpe', multivariate: true },
  gp: 'gp',
  random: 'random',
};
const OPTUNA_SAMPLERS = ['tpe', 'tpe-mv', 'random'];
/** The comparisons: nnlab's sampler against Optuna's (GP against Optuna's TPE, its default). */
const PAIRS: [string, string][] = [
  ['tpe', 'tpe'],
  ['tpe-mv', 'tpe-mv'],
  ['gp', 'tpe'],
  ['random', 'random'],
];
const LABEL: Record<string, string> = { tpe: 'TPE', 'tpe-mv': 'TPE multivariate', gp: 'GP', random: 'random' };

interface StudyResult {
  /** The best value after each trial. */
  best: number[];
  /** nnlab: suggest()'s seconds per trial; Optuna: each trial's seconds, end to end. */
  trialTimesS: number[];
  totalS: number;
}

/** A study of `trials` trials with the loop of src/tune/driver.ts: suggest, evaluate, append a completed trial. */
function nnlabStudy(objective: Objective, config: unknown, seed: number, trials: number): StudyResult {
  const { sampler } = samplerFrom(config, seed);
  const done: Trial[] = [];
  const best: number[] = [];
  const times: number[] = [];
  let soFar = Infinity;
  const t0 = performance.now();
  for (let number = 0; number < trials; number++) {
    const s0 = performance.now();
    const params = sampler.suggest(objective.space, { number, direction: 'min', trials: done });
    times.push((performance.now() - s0) / 1000);
    if (params === null) throw new Error(`${sampler.name} had nothing to propose at trial ${number}`);
    const value = objective.f(params);
    if (!Number.isFinite(value)) throw new Error(`${sampler.name} proposed ${JSON.stringify(params)}, where ${objective.name} is ${value}`);
    done.push({ number, state: 'completed', params, value, intermediate: [] });
    soFar = Math.min(soFar, value);
    best.push(soFar);
  }
  return { best, trialTimesS: times, totalS: (performance.now() - t0) / 1000 };
}

// ---- Optuna's side ------------------------------------------------------------------------------------------

let pythonFound: string | undefined;

/** A Python that imports optuna, found as the bench finds torch's: NNLAB_PYTHON, Debian's /usr/bin/python3, python3. */
function optunaPython(): string {
  if (pythonFound) return pythonFound;
  const candidates = [process.env.NNLAB_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  for (const py of candidates) {
    if (spawnSync(py, ['-c', 'import optuna'], { encoding: 'utf8' }).status === 0) return (pythonFound = py);
  }
  throw new Error(`no Python with optuna found (tried ${candidates.join(', ')}); install Debian's python3-optuna (apt-get install python3-optuna)`);
}

interface OptunaFigures {
  optuna: string;
  quality: Record<string, Record<string, Record<string, StudyResult>>>;
  timing: Record<string, StudyResult>;
}

function runOptuna(args: Record<string, unknown>): OptunaFigures {
  const r = spawnSync(optunaPython(), [path.join(benchDir, 'py', 'tune_optuna.py'), JSON.stringify(args)], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`Optuna peer tune_optuna.py failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as OptunaFigures;
}

// ---- figures and tables -------------------------------------------------------------------------------------

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(xs: number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** The chance that a draw from `a` is lower (better) than one from `b`: over all pairs, ties count half. */
function chanceLower(a: number[], b: number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x < y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

function verdict(pLower: number): string {
  return pLower >= 0.7 ? 'nnlab better' : pLower <= 0.3 ? 'Optuna better' : 'within noise';
}

const num = (v: number, digits = 4) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(digits)).toString());
const spreadText = (s: Spread) => `${num(s.median)} (${num(s.min)}..${num(s.max)})`;
const ms = (s: number) => (s >= 0.1 ? `${(s * 1000).toFixed(0)} ms` : s >= 0.001 ? `${(s * 1000).toFixed(2)} ms` : `${(s * 1e6).toFixed(0)} µs`);
const pct = (x: number) => `${(100 * x).toFixed(x < 0.001 ? 3 : 2)}%`;

/** A markdown table, columns padded. */
function printTable(title: string, header: string[], rows: string[][]): void {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i])).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

// ---- part 1 and 2: samplers ---------------------------------------------------------------------------------

interface SamplerFigures {
  best20: Spread;
  best50: Spread;
  regret50: Spread;
  /** Per seed: the best value after each trial. */
  curves: Record<string, number[]>;
  medianSuggestS: number;
}

function samplerFigures(objective: Objective, studies: Record<string, StudyResult>, at: number): SamplerFigures {
  const runs = Object.values(studies);
  const after = (n: number) => runs.map((r) => r.best[Math.min(n, r.best.length) - 1]);
  return {
    best20: spread(after(20)),
    best50: spread(after(at)),
    regret50: spread(after(at).map((v) => v - objective.optimum)),
    curves: Object.fromEntries(Object.entries(studies).map(([seed, r]) => [seed, r.best])),
    medianSuggestS: median(runs.flatMap((r) => r.trialTimesS)),
  };
}

/** Rounds of the same seeded study (the same suggestions): each trial's time and the total at their best round. */
function bestRound(rounds: StudyResult[]): StudyResult {
  return {
    best: rounds[0].best,
    trialTimesS: rounds[0].trialTimesS.map((_, i) => Math.min(...rounds.map((r) => r.trialTimesS[i]))),
    totalS: Math.min(...rounds.map((r) => r.totalS)),
  };
}

/** The median of the per-trial times of trials from..to (1-based, inclusive). */
function windowMedian(times: number[], from: number, to: number): number {
  return median(times.slice(from - 1, to));
}

// ---- part 3: ASHA on MNIST ----------------------------------------------------------------------------------

const ASHA = { name: 'asha', minEpochs: 1, reductionFactor: 3 };
/** The validation images of the MNIST searches: 200 per class, a quarter of them. */
const VAL_IMAGES = 10 * 200 * 0.25;

function searchFile(seed: number, pruner: unknown, trials: number, epochs: number): string {
  return `name: bench-tune-mnist
seed: 1
data: { dataset: mnist, subset: { perClass: 200 }, split: { fraction: 0.25 } }
model: { template: mlp, units: [128], activation: relu }
training: { optimizer: { name: adam, lr: 0.001 }, loss: sparseCategoricalCrossentropy, metrics: [accuracy], epochs: ${epochs}, batchSize: 64 }
tune:
  sampler: tpe
  pruner: ${JSON.stringify(pruner)}
  trials: ${trials}
  seed: ${seed}
  objective: { metric: val.accuracy, direction: max, reduce: best }
  space:
    training.optimizer.lr: { type: float, low: 0.0001, high: 0.1, log: true }
    model.units: { type: choice, values: [[32], [128], [512]] }
    model.dropout: { type: float, low: 0, high: 0.5 }
`;
}

interface SearchFigures {
  seed: number;
  pruner: string;
  best: number;
  bestTrial: number;
  testAccuracy: number | null;
  epochs: number;
  pruned: number;
  wallS: number;
  trialWallS: number[];
  samplerS: number[];
}

const quiet = new Writable({ write: (_c, _e, done) => done() }) as NodeJS.WritableStream;

async function search(seed: number, pruner: unknown, trials: number, epochs: number): Promise<SearchFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-bench-tune-'));
  const store = await openStore(path.join(dir, 'runs.db'));
  try {
    const exp = parseExperiment(searchFile(seed, pruner, trials, epochs), path.join(dir, 'search.yaml'));
    const t0 = performance.now();
    const out: TuneOutcome = await tuneExperiment(exp, { store, artifactsDir: path.join(dir, 'runs'), stream: quiet, bar: false });
    const wallS = (performance.now() - t0) / 1000;
    if (out.best === null || out.best.value === null) throw new Error(`the ${JSON.stringify(pruner)} search of seed ${seed} has no best trial`);
    const failed = out.trials.filter((t) => t.state === 'failed' || t.state === 'interrupted');
    if (failed.length) throw new Error(`trials ${failed.map((t) => t.number).join(', ')} of the ${JSON.stringify(pruner)} search failed: ${failed[0].message}`);
    return {
      seed,
      pruner: typeof pruner === 'string' ? pruner : (pruner as { name: string }).name,
      best: out.best.value,
      bestTrial: out.best.number,
      testAccuracy: typeof out.test?.accuracy === 'number' ? out.test.accuracy : null,
      epochs: out.trials.reduce((s, t) => s + t.epochs, 0),
      pruned: out.trials.filter((t) => t.state === 'pruned').length,
      wallS,
      trialWallS: out.trials.map((t) => t.wallTimeS),
      samplerS: out.samplerTimesS,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- the bench ----------------------------------------------------------------------------------------------

export interface TuneBenchOptions {
  seeds: number;
  trials: number;
  timingTrials: number;
  /** Rounds of each timing study; a trial's time is its best round's (the bench's best-of rounds). */
  timingRounds: number;
  ashaSeeds: number;
  ashaTrials: number;
  ashaEpochs: number;
  json: string;
}

export const DEFAULT_TUNE_BENCH: TuneBenchOptions = {
  seeds: 20,
  trials: 50,
  timingTrials: 100,
  timingRounds: 3,
  ashaSeeds: 5,
  ashaTrials: 20,
  ashaEpochs: 9,
  json: path.join(benchDir, '..', 'reports', 'bench', 'tune.json'),
};

export async function benchTune(o: TuneBenchOptions = DEFAULT_TUNE_BENCH): Promise<Record<string, unknown>> {
  const started = performance.now();
  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const N = o.trials;

  // Optuna first, in its own process (a few seconds).
  const py = runOptuna({
    objectives: OBJECTIVES.map((x) => x.name),
    samplers: OPTUNA_SAMPLERS,
    seeds,
    trials: N,
    timingObjective: 'hartmann6',
    timingSeed: 1,
    timingTrials: o.timingTrials,
    timingRounds: o.timingRounds,
  });

  // 1. quality
  const quality: Record<string, { nnlab: Record<string, SamplerFigures>; optuna: Record<string, SamplerFigures> }> = {};
  const comparisons: Record<string, unknown>[] = [];
  for (const objective of OBJECTIVES) {
    const nnlab = Object.fromEntries(
      Object.entries(NNLAB_SAMPLERS).map(([name, config]) => {
        const studies = Object.fromEntries(seeds.map((s) => [String(s), nnlabStudy(objective, config, s, N)]));
        return [name, samplerFigures(objective, studies, N)];
      }),
    );
    const optuna = Object.fromEntries(OPTUNA_SAMPLERS.map((name) => [name, samplerFigures(objective, py.quality[objective.name][name], N)]));
    quality[objective.name] = { nnlab, optuna };
    const rows: string[][] = [];
    for (const [side, figures] of [['nnlab', nnlab], ['Optuna', optuna]] as const) {
      for (const [name, f] of Object.entries(figures)) {
        rows.push([`${side} ${LABEL[name]}`, spreadText(f.best20), spreadText(f.best50), num(f.regret50.median, 3), ms(f.medianSuggestS)]);
      }
    }
    printTable(
      `${objective.title}: best value (minimised; optimum ${num(objective.optimum, 6)}), median (min..max) of ${seeds.length} seeds`,
      ['sampler', 'best after 20', `best after ${N}`, `regret after ${N}`, 'median time per trial'],
      rows,
    );
    for (const [ourName, theirName] of PAIRS) {
      const ours = nnlab[ourName];
      const theirs = optuna[theirName];
      const ourFinal = Object.values(ours.curves).map((c) => c[N - 1]);
      const theirFinal = Object.values(theirs.curves).map((c) => c[N - 1]);
      const our20 = Object.values(ours.curves).map((c) => c[19]);
      const their20 = Object.values(theirs.curves).map((c) => c[19]);
      comparisons.push({
        objective: objective.name,
        nnlab: ourName,
        optuna: theirName,
        nnlabMedianBest: ours.best50.median,
        optunaMedianBest: theirs.best50.median,
        regretRatio: ours.regret50.median / theirs.regret50.median,
        chanceNnlabBetter: chanceLower(ourFinal, theirFinal),
        chanceNnlabBetterAfter20: chanceLower(our20, their20),
        verdict: verdict(chanceLower(ourFinal, theirFinal)),
      });
    }
  }
  printTable(
    `nnlab against Optuna after ${N} trials, ${seeds.length} seeds: regret ratio = nnlab's median regret / Optuna's (< 1: nnlab closer to the optimum); P = the chance a seed of nnlab beats a seed of Optuna (0.5: a tie; nnlab better at >= 0.7, Optuna at <= 0.3)`,
    ['objective', 'nnlab', 'Optuna', 'nnlab median best', 'Optuna median best', 'regret ratio', `P (after ${N})`, 'P (after 20)', 'verdict', 'goal'],
    comparisons.map((c) => [
      c.objective as string,
      LABEL[c.nnlab as string],
      LABEL[c.optuna as string],
      num(c.nnlabMedianBest as number),
      num(c.optunaMedianBest as number),
      `${(c.regretRatio as number).toFixed(2)}x`,
      (c.chanceNnlabBetter as number).toFixed(2),
      (c.chanceNnlabBetterAfter20 as number).toFixed(2),
      c.verdict as string,
      c.nnlab === 'tpe' ? '>= Optuna' : '',
    ]),
  );

  // 2. sampler time on Hartmann-6, one seed, timingTrials trials.
  const T = o.timingTrials;
  const nnlabTiming = Object.fromEntries(
    Object.entries(NNLAB_SAMPLERS).map(([name, config]) => [name, bestRound(Array.from({ length: o.timingRounds }, () => nnlabStudy(hartmann6, config, 1, T)))]),
  );
  console.error(`[bench tune] samplers done in ${((performance.now() - started) / 1000).toFixed(0)} s; now the MNIST searches`);

  // 3. ASHA on MNIST through the lab's tuner.
  const searches: SearchFigures[] = [];
  for (let seed = 1; seed <= o.ashaSeeds; seed++) {
    for (const pruner of ['none', ASHA]) searches.push(await search(seed, pruner, o.ashaTrials, o.ashaEpochs));
  }
  const none = searches.filter((s) => s.pruner === 'none');
  const asha = searches.filter((s) => s.pruner === 'asha');
  const trialS = median(none.flatMap((s) => s.trialWallS));

  const timing = (times: number[], totalS: number) => ({
    medianS: median(times),
    at50S: windowMedian(times, Math.max(1, Math.min(50, times.length) - 4), Math.min(50, times.length)),
    atEndS: windowMedian(times, times.length - 4, times.length),
    totalPerTrialS: totalS / times.length,
  });
  const timingRows: string[][] = [];
  const timingFigures: Record<string, unknown> = {};
  for (const [side, studies] of [['nnlab', nnlabTiming], ['Optuna', py.timing]] as const) {
    for (const [name, r] of Object.entries(studies)) {
      const t = timing(r.trialTimesS, r.totalS);
      timingFigures[`${side} ${name}`] = { ...t, shareOfTrialAtEnd: t.atEndS / trialS };
      timingRows.push([`${side} ${LABEL[name]}`, ms(side === 'nnlab' ? t.medianS : t.totalPerTrialS), ms(t.at50S), ms(t.atEndS), pct(t.atEndS / trialS)]);
    }
  }
  printTable(
    `Sampler time per trial, Hartmann-6, ${T} trials, best of ${o.timingRounds} round${o.timingRounds > 1 ? 's' : ''} (nnlab: suggest(); Optuna: study.optimize's time / trials, and per trial end to end); share of a real trial of ${trialS.toFixed(2)} s (part 3, median)`,
    ['sampler', `per trial (all ${T})`, `trials ${Math.min(50, T) - 4}-${Math.min(50, T)}`, `trials ${T - 4}-${T}`, `share at ${T} (goal <= 5%)`],
    timingRows,
  );
  const ratioTpe = timing(nnlabTiming.tpe.trialTimesS, nnlabTiming.tpe.totalS).atEndS / timing(py.timing.tpe.trialTimesS, py.timing.tpe.totalS).atEndS;
  const realSamplerS = median(none.flatMap((s) => s.samplerS));
  console.log(`nnlab TPE's time at trial ${T} / Optuna TPE's: ${ratioTpe.toFixed(2)}x. In the MNIST searches (TPE, 3 parameters, ${o.ashaTrials} trials) suggest() took ${ms(realSamplerS)} (median), ${pct(realSamplerS / trialS)} of a trial.`);

  const ashaRows = searches.map((s) => [
    String(s.seed),
    s.pruner,
    s.best.toFixed(4),
    s.testAccuracy === null ? '-' : s.testAccuracy.toFixed(4),
    String(s.epochs),
    String(s.pruned),
    `${s.wallS.toFixed(1)} s`,
  ]);
  const bestNone = median(none.map((s) => s.best));
  const bestAsha = median(asha.map((s) => s.best));
  const epochsNone = median(none.map((s) => s.epochs));
  const epochsAsha = median(asha.map((s) => s.epochs));
  const totalEpochsRatio = asha.reduce((a, s) => a + s.epochs, 0) / none.reduce((a, s) => a + s.epochs, 0);
  const wallRatio = asha.reduce((a, s) => a + s.wallS, 0) / none.reduce((a, s) => a + s.wallS, 0);
  const pairedDiffs = asha.map((s) => s.best - none.find((n) => n.seed === s.seed)!.best);
  const noise = spread(none.map((s) => s.best));
  ashaRows.push(['median', 'none', bestNone.toFixed(4), '', String(epochsNone), '', '']);
  ashaRows.push(['median', 'asha', bestAsha.toFixed(4), '', String(epochsAsha), '', '']);
  printTable(
    `ASHA on MNIST through the lab's tuner: TPE, ${o.ashaTrials} trials of up to ${o.ashaEpochs} epochs (MLP, 200 images per class, a quarter for validation), per seed`,
    ['seed', 'pruner', 'best val_accuracy', 'its test accuracy', 'epochs trained', 'pruned', 'search wall time'],
    ashaRows,
  );
  // The noise of one accuracy on the validation images: its binomial standard error.
  const se = Math.sqrt((bestNone * (1 - bestNone)) / VAL_IMAGES);
  const signed = (d: number) => `${d >= 0 ? '+' : ''}${d.toFixed(4)}`;
  const ashaVerdict = `${totalEpochsRatio <= 0.5 ? 'met' : 'not met'} for the epochs, ${Math.abs(bestAsha - bestNone) <= se ? 'the same best within noise' : 'a different best'}`;
  console.log(
    `ASHA (minEpochs 1, reductionFactor 3) / none: epochs ${totalEpochsRatio.toFixed(2)}x (goal <= 0.50x), wall time ${wallRatio.toFixed(2)}x. Best val_accuracy asha - none: median ${signed(bestAsha - bestNone)}, per seed ${pairedDiffs.map(signed).join(', ')}; the noise of one val_accuracy on ${VAL_IMAGES} images is ±${se.toFixed(4)} (binomial standard error), the seed-to-seed range without a pruner ${noise.min.toFixed(4)}..${noise.max.toFixed(4)}. Goal: ${ashaVerdict}.`,
  );

  const totalS = (performance.now() - started) / 1000;
  console.log(`\nTuner bench: ${totalS.toFixed(0)} s. Optuna ${py.optuna}.`);
  const figures = {
    optuna: py.optuna,
    seeds,
    trials: N,
    quality,
    comparisons,
    timing: { objective: 'hartmann6', trials: T, realTrialS: trialS, realSamplerS, tpeRatioAtEnd: ratioTpe, samplers: timingFigures },
    asha: {
      pruner: ASHA,
      trials: o.ashaTrials,
      epochs: o.ashaEpochs,
      searches,
      medianBestNone: bestNone,
      medianBestAsha: bestAsha,
      bestDifference: bestAsha - bestNone,
      pairedDifferences: pairedDiffs,
      epochsRatio: totalEpochsRatio,
      wallRatio,
      valImages: VAL_IMAGES,
      standardError: se,
      verdict: ashaVerdict,
    },
    totalS,
  };
  mkdirSync(path.dirname(o.json), { recursive: true });
  writeFileSync(o.json, `${JSON.stringify(figures, null, 1)}\n`);
  console.log(`Figures: ${path.relative(process.cwd(), o.json) || o.json}`);
  return figures;
}

/** --seeds N, --json PATH, --quick (3 seeds, 20 trials, 2 searches: a check that it all runs). */
export function tuneBenchOptions(argv: string[]): TuneBenchOptions {
  const o = { ...DEFAULT_TUNE_BENCH };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seeds') o.seeds = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = path.resolve(argv[++i]);
    else if (argv[i] === '--quick') Object.assign(o, { seeds: 3, trials: 20, timingTrials: 30, timingRounds: 1, ashaSeeds: 1, ashaTrials: 6, ashaEpochs: 3 });
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchTune(tuneBenchOptions(process.argv.slice(2)));
}
