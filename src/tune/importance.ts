// Parameter importance by fANOVA (Hutter, Hoos and Leyton-Brown 2014), as Optuna's FanovaImportanceEvaluator
// computes it: fit a random forest (importance/forest.ts) on the completed trials' parameters against their
// objective values, then, in each tree, split the variance of the tree's prediction over the search space
// into the part each parameter explains on its own.
//
// - The forest: 64 trees by default, max depth 64, min samples split 2, min samples leaf 1, every parameter tried
//   at every split, each tree on a bootstrap sample; seeded (default seed 0), so the same trials give the same
//   numbers. A choice is a categorical feature (a split sends a set of its values each way), floats and ints are
//   numeric in their internal scale (space.ts: the log for log parameters, where Optuna 3.1 uses the raw
//   value), over their bounds widened by half a step for ints and stepped floats, so every value weighs alike.
// - The parameters evaluated are those with a value in every completed trial (Optuna's intersection search
//   space): conditional parameters active in only some trials come back with importance null.
// - Trials used: completed, with a finite objective. With fewer than 2 of them, or an objective that is the
//   same in all of them (nothing to explain), every importance is null: no error is thrown.
import { fitForest, type Cell, type Feature, type Leaf, type RegressionTree } from './importance/forest.js';
import { choiceIndex, internalBounds, toInternal, widenedBounds, type Param, type Space } from './space.js';
import type { Trial } from './trial.js';

export interface ImportanceOptions {
  /** The forest's seed (default 0). */
  seed?: number;
  /** The number of trees (default 64). */
  trees?: number;
}

export interface ParamImportance {
  name: string;
  /** Its share of the explained variance, in [0, 1]; null when not evaluated (see importance()). */
  importance: number | null;
}

export interface ImportanceResult {
  method: 'fanova';
  /** Every parameter of the space, most important first, then those not evaluated (in the space's order). */
  params: ParamImportance[];
}

/**
 * fANOVA importance of each parameter of `space` over the completed trials. For each tree of the forest, a
 * parameter's main effect is the variance, over the parameter's range, of the tree's prediction averaged over
 * every other parameter (its marginal), divided by the variance of the prediction over the whole space (both
 * with the space uniform in the internal scale); that fraction is averaged over the trees (trees whose
 * prediction is constant are left out), and the averages are scaled to sum to 1 over the parameters evaluated.
 * So a number says what share of the objective's variation that parameter explains by itself, relative to the
 * others; what only combinations of parameters explain (interactions) is left out before the scaling.
 * Parameters not evaluated (not set in every completed trial), and all of them when fewer than 2 trials
 * completed or the objective never varies, have importance null.
 */
export function importance(space: Space, trials: readonly Trial[], options: ImportanceOptions = {}): ImportanceResult {
  const used = trials.filter((t) => t.state === 'completed' && typeof t.value === 'number' && Number.isFinite(t.value));
  const evaluated = used.length === 0 ? [] : space.params.filter((p) => used.every((t) => encode(p, t.params[p.name]) !== null));
  const shares = used.length >= 2 && evaluated.length > 0 ? mainEffects(evaluated, used, options) : null;
  const params = space.params.map((p) => {
    const i = evaluated.indexOf(p);
    return { name: p.name, importance: shares === null || i < 0 ? null : shares[i] };
  });
  const order = (v: number | null) => (v === null ? -1 : v);
  return { method: 'fanova', params: params.map((p, i) => ({ p, i })).sort((a, b) => order(b.p.importance) - order(a.p.importance) || a.i - b.i).map((e) => e.p) };
}

/** The normalised mean main-effect fractions of `params` over the forest, or null when nothing varies. */
function mainEffects(params: readonly Param[], used: readonly Trial[], options: ImportanceOptions): number[] | null {
  const features = params.map(featureOf);
  const x = used.map((t) => params.map((p, j) => clampTo(features[j], encode(p, t.params[p.name])!)));
  const y = used.map((t) => t.value!);
  const forest = fitForest(x, y, features, { trees: options.trees ?? 64, seed: options.seed ?? 0, bootstrap: true, maxDepth: 64, minSamplesSplit: 2, minSamplesLeaf: 1 });
  const sums = params.map(() => 0);
  let counted = 0;
  for (const tree of forest) {
    const { total, main } = decompose(tree);
    if (!(total > 0)) continue;
    counted++;
    main.forEach((v, j) => (sums[j] += v / total));
  }
  const total = sums.reduce((a, b) => a + b, 0);
  if (counted === 0 || !(total > 0)) return null;
  return sums.map((s) => s / total);
}

/** A parameter's value as a feature value: a choice's index, a number in the internal scale; null when it has none. */
function encode(p: Param, value: unknown): number | null {
  if (p.dist.kind === 'choice') {
    const k = choiceIndex(p.dist, value);
    return k < 0 ? null : k;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || (p.dist.log && value <= 0)) return null;
  return toInternal(p.dist, value);
}

/** A parameter's feature domain (see the header). */
function featureOf(p: Param): Feature {
  if (p.dist.kind === 'choice') return { kind: 'categorical', size: p.dist.values.length };
  const [low, high] = p.dist.step === null ? internalBounds(p.dist) : widenedBounds(p.dist);
  return { kind: 'numeric', low, high };
}

function clampTo(f: Feature, v: number): number {
  return f.kind === 'numeric' ? Math.min(f.high, Math.max(f.low, v)) : v;
}

/** A tree's variance decomposition: the variance of its prediction over the domain, and each feature's main effect. */
export function decompose(tree: RegressionTree): { total: number; main: number[] } {
  return varianceDecomposition(tree.leaves(), tree.features);
}

/**
 * The variance decomposition of a piecewise-constant function given by `leaves` (which partition the domain
 * of `features`), the domain uniform: `total` is the variance of the function, `main[j]` the variance of its
 * marginal in feature j (the function averaged over the other features, a step function of feature j).
 */
export function varianceDecomposition(leaves: readonly Leaf[], features: readonly Feature[]): { total: number; main: number[] } {
  const fractions = leaves.map((l) => l.cells.map((c, j) => fractionOf(c, features[j])));
  const volumes = fractions.map((fs) => fs.reduce((a, b) => a * b, 1));
  let mean = 0;
  leaves.forEach((l, i) => (mean += volumes[i] * l.value));
  let total = 0;
  leaves.forEach((l, i) => (total += volumes[i] * (l.value - mean) ** 2));
  const main = features.map((f, j) => {
    // Leaf i adds value * (its volume in the other features) to the marginal wherever its cell in j is.
    const parts = leaves.map((l, i) => (fractions[i][j] > 0 ? (l.value * volumes[i]) / fractions[i][j] : 0));
    const pieces = f.kind === 'numeric' ? numericMarginal(leaves, j, f, parts) : categoricalMarginal(leaves, j, f.size, parts);
    let v = 0;
    for (const { weight, value } of pieces) v += weight * (value - mean) ** 2;
    return Math.max(0, v);
  });
  return { total: Math.max(0, total), main };
}

/** A cell's share of its feature's domain. */
function fractionOf(c: Cell, f: Feature): number {
  if ('categories' in c) return c.categories.filter(Boolean).length / c.categories.length;
  const range = (f as { low: number; high: number }).high - (f as { low: number; high: number }).low;
  return range > 0 ? Math.max(0, c.high - c.low) / range : 1;
}

/** The marginal in numeric feature j: a value on each interval between consecutive leaf bounds, weighted by its length. */
function numericMarginal(leaves: readonly Leaf[], j: number, f: { low: number; high: number }, parts: number[]): { weight: number; value: number }[] {
  const cell = (l: Leaf) => l.cells[j] as { low: number; high: number };
  const bounds = [...new Set(leaves.flatMap((l) => [cell(l).low, cell(l).high]).concat([f.low, f.high]))].sort((a, b) => a - b);
  const at = new Map(bounds.map((b, k) => [b, k]));
  const delta = Array<number>(bounds.length).fill(0);
  leaves.forEach((l, i) => {
    delta[at.get(cell(l).low)!] += parts[i];
    delta[at.get(cell(l).high)!] -= parts[i];
  });
  const range = f.high - f.low;
  const out: { weight: number; value: number }[] = [];
  let value = 0;
  for (let k = 0; k + 1 < bounds.length; k++) {
    value += delta[k];
    if (range > 0) out.push({ weight: (bounds[k + 1] - bounds[k]) / range, value });
  }
  return out;
}

/** The marginal in categorical feature j: a value for each category, each weighing 1/size. */
function categoricalMarginal(leaves: readonly Leaf[], j: number, size: number, parts: number[]): { weight: number; value: number }[] {
  const values = Array<number>(size).fill(0);
  leaves.forEach((l, i) => {
    const { categories } = l.cells[j] as { categories: boolean[] };
    for (let k = 0; k < size; k++) if (categories[k]) values[k] += parts[i];
  });
  return values.map((value) => ({ weight: 1 / size, value }));
}
