// A seeded random-forest regressor for parameter importance (importance.ts): CART trees grown by squared error
// on bootstrap samples, as scikit-learn's RandomForestRegressor grows them for Optuna's fANOVA, plus what
// fANOVA needs of a tree: its leaves as cells of the features' domain, which partition it.
//
// - A numeric feature splits at a threshold, the midpoint between two consecutive distinct sample values
//   (x <= threshold goes left), as CART does.
// - A categorical feature (a choice, by category index) splits into two sets of categories: the categories
//   present at the node, in order of their mean target, cut where the squared error drops most (Breiman's
//   ordering, exact for squared error). Categories of the node's domain that none of its samples has go to the
//   child with more samples, so every category of the domain lands in one leaf.
// - Every feature is tried at every node (scikit-learn's default max_features, 1.0, which Optuna gets), in
//   order; among equal drops the first wins, so the only randomness is the bootstrap, drawn from Rng(seed, tree).
// - A node stays a leaf below minSamplesSplit samples, at maxDepth (the root is depth 0), when its targets are
//   all equal, or when no split leaves minSamplesLeaf samples each side and lowers the squared error.
import { Rng } from '../rng.js';

/** A feature's domain: a numeric interval (internal scale) or categories 0..size-1. */
export type Feature = { kind: 'numeric'; low: number; high: number } | { kind: 'categorical'; size: number };

export interface TreeOptions {
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
}

export interface ForestOptions extends TreeOptions {
  trees: number;
  seed: number;
  /** Each tree on n samples drawn with replacement (true), or on the samples themselves. */
  bootstrap: boolean;
}

type Node =
  | { kind: 'leaf'; value: number; samples: number }
  | { kind: 'numeric'; feature: number; threshold: number; left: Node; right: Node }
  | { kind: 'categorical'; feature: number; goesLeft: boolean[]; left: Node; right: Node };

/** A leaf's extent along one feature: an interval, or the categories (by index) that reach it. */
export type Cell = { low: number; high: number } | { categories: boolean[] };

/** A leaf of a tree: its prediction, and its cell along each feature (their product is its region). */
export interface Leaf {
  value: number;
  cells: Cell[];
}

/** A fitted regression tree. */
export class RegressionTree {
  constructor(
    private readonly root: Node,
    readonly features: readonly Feature[],
  ) {}

  /** The prediction at `x` (numeric values in their feature's scale, categories by index). */
  predict(x: readonly number[]): number {
    let node = this.root;
    while (node.kind !== 'leaf') {
      const v = x[node.feature];
      const left = node.kind === 'numeric' ? v <= node.threshold : node.goesLeft[v] === true;
      node = left ? node.left : node.right;
    }
    return node.value;
  }

  /** The leaves with their regions, which partition the features' domain. */
  leaves(): Leaf[] {
    const out: Leaf[] = [];
    const start: Cell[] = this.features.map((f) => (f.kind === 'numeric' ? { low: f.low, high: f.high } : { categories: Array<boolean>(f.size).fill(true) }));
    const walk = (node: Node, cells: Cell[]): void => {
      if (node.kind === 'leaf') {
        out.push({ value: node.value, cells });
        return;
      }
      const [left, right] = [cells.slice(), cells.slice()];
      if (node.kind === 'numeric') {
        const c = cells[node.feature] as { low: number; high: number };
        left[node.feature] = { low: c.low, high: Math.min(c.high, node.threshold) };
        right[node.feature] = { low: Math.max(c.low, node.threshold), high: c.high };
      } else {
        const c = (cells[node.feature] as { categories: boolean[] }).categories;
        left[node.feature] = { categories: c.map((on, k) => on && node.goesLeft[k]) };
        right[node.feature] = { categories: c.map((on, k) => on && !node.goesLeft[k]) };
      }
      walk(node.left, left);
      walk(node.right, right);
    };
    walk(this.root, start);
    return out;
  }

  /**
   * The tree in scikit-learn's layout (nodes in preorder, the root first; feature -2 and threshold -2 at leaves,
   * children -1), to hand to Optuna's fANOVA code in tests. Numeric splits only: a categorical split has no
   * threshold, and throws.
   */
  toArrays(): { feature: number[]; threshold: number[]; childrenLeft: number[]; childrenRight: number[]; value: number[] } {
    const out = { feature: [] as number[], threshold: [] as number[], childrenLeft: [] as number[], childrenRight: [] as number[], value: [] as number[] };
    const visit = (node: Node): number => {
      const i = out.feature.length;
      out.feature.push(-2);
      out.threshold.push(-2);
      out.childrenLeft.push(-1);
      out.childrenRight.push(-1);
      out.value.push(node.kind === 'leaf' ? node.value : NaN);
      if (node.kind === 'leaf') return i;
      if (node.kind === 'categorical') throw new Error('toArrays: a categorical split has no scikit-learn form');
      out.feature[i] = node.feature;
      out.threshold[i] = node.threshold;
      out.childrenLeft[i] = visit(node.left);
      out.childrenRight[i] = visit(node.right);
      return i;
    };
    visit(this.root);
    return out;
  }

  /** How many leaves it has. */
  get size(): number {
    let n = 0;
    const count = (node: Node): void => {
      if (node.kind === 'leaf') n++;
      else {
        count(node.left);
        count(node.right);
      }
    };
    count(this.root);
    return n;
  }
}

/** `trees` trees, tree t fitted on a bootstrap sample drawn from Rng(seed, t) (or on every sample). */
export function fitForest(x: readonly (readonly number[])[], y: readonly number[], features: readonly Feature[], options: ForestOptions): RegressionTree[] {
  if (x.length !== y.length || x.length === 0) throw new Error(`fitForest: ${x.length} rows for ${y.length} targets`);
  return Array.from({ length: options.trees }, (_, t) => {
    const rng = new Rng(options.seed, t);
    const rows = options.bootstrap ? Array.from({ length: x.length }, () => rng.int(x.length)) : x.map((_, i) => i);
    return fitTree(x, y, features, options, rows);
  });
}

/** One tree on the given rows of (x, y) (a row may repeat: a bootstrap sample); every row by default. */
export function fitTree(
  x: readonly (readonly number[])[],
  y: readonly number[],
  features: readonly Feature[],
  options: TreeOptions,
  rows: readonly number[] = x.map((_, i) => i),
): RegressionTree {
  const domain = features.map((f) => (f.kind === 'categorical' ? Array<boolean>(f.size).fill(true) : null));
  return new RegressionTree(grow({ x, y, features, options }, rows, 0, domain), features);
}

interface Data {
  x: readonly (readonly number[])[];
  y: readonly number[];
  features: readonly Feature[];
  options: TreeOptions;
}

/** The best split of a node: the drop in squared error, and how to split. */
type Split =
  | { gain: number; kind: 'numeric'; feature: number; threshold: number }
  | { gain: number; kind: 'categorical'; feature: number; goesLeft: boolean[] };

/** `domain[f]`: the categories that can reach this node, for each categorical feature (null for numeric ones). */
function grow(data: Data, rows: readonly number[], depth: number, domain: (boolean[] | null)[]): Node {
  const { y, options } = data;
  let mean = 0;
  let [min, max] = [Infinity, -Infinity];
  for (const r of rows) {
    mean += y[r];
    min = Math.min(min, y[r]);
    max = Math.max(max, y[r]);
  }
  mean = min === max ? min : mean / rows.length;
  let sse = 0;
  for (const r of rows) sse += (y[r] - mean) ** 2;
  const leaf: Node = { kind: 'leaf', value: mean, samples: rows.length };
  if (rows.length < options.minSamplesSplit || depth >= options.maxDepth || min === max) return leaf;
  const best = bestSplit(data, rows, mean, domain);
  // A drop at the level of rounding error is no split.
  if (best === null || !(best.gain > sse * 1e-12)) return leaf;
  const goesLeft = (r: number) => (best.kind === 'numeric' ? data.x[r][best.feature] <= best.threshold : best.goesLeft[data.x[r][best.feature]]);
  const leftRows = rows.filter(goesLeft);
  const rightRows = rows.filter((r) => !goesLeft(r));
  if (best.kind === 'numeric') {
    return { kind: 'numeric', feature: best.feature, threshold: best.threshold, left: grow(data, leftRows, depth + 1, domain), right: grow(data, rightRows, depth + 1, domain) };
  }
  const d = domain[best.feature]!;
  const leftDomain = domain.slice();
  const rightDomain = domain.slice();
  leftDomain[best.feature] = d.map((on, k) => on && best.goesLeft[k]);
  rightDomain[best.feature] = d.map((on, k) => on && !best.goesLeft[k]);
  return {
    kind: 'categorical',
    feature: best.feature,
    goesLeft: best.goesLeft,
    left: grow(data, leftRows, depth + 1, leftDomain),
    right: grow(data, rightRows, depth + 1, rightDomain),
  };
}

/** The split of every feature with the largest drop in squared error (the first of equals), or null. */
function bestSplit(data: Data, rows: readonly number[], mean: number, domain: (boolean[] | null)[]): Split | null {
  let best: Split | null = null;
  for (let f = 0; f < data.features.length; f++) {
    const split = data.features[f].kind === 'numeric' ? numericSplit(data, rows, mean, f) : categoricalSplit(data, rows, mean, f, domain[f]!);
    if (split !== null && (best === null || split.gain > best.gain)) best = split;
  }
  return best;
}

/**
 * The drop in squared error when n samples split into nLeft and n - nLeft, the left ones summing to `sumLeft`
 * about the node's mean: sumLeft^2 * n / (nLeft * nRight), from centred sums for accuracy.
 */
function gainOf(sumLeft: number, nLeft: number, n: number): number {
  return (sumLeft * sumLeft * n) / (nLeft * (n - nLeft));
}

function numericSplit(data: Data, rows: readonly number[], mean: number, f: number): Split | null {
  const { x, y } = data;
  const minLeaf = data.options.minSamplesLeaf;
  const sorted = [...rows].sort((a, b) => x[a][f] - x[b][f]);
  const n = sorted.length;
  let best: Split | null = null;
  let sumLeft = 0;
  for (let i = 1; i < n; i++) {
    sumLeft += y[sorted[i - 1]] - mean;
    const lo = x[sorted[i - 1]][f];
    const hi = x[sorted[i]][f];
    if (!(lo < hi) || i < minLeaf || n - i < minLeaf) continue;
    const gain = gainOf(sumLeft, i, n);
    if (best === null || gain > best.gain) {
      const mid = (lo + hi) / 2;
      best = { gain, kind: 'numeric', feature: f, threshold: mid < hi ? mid : lo };
    }
  }
  return best;
}

function categoricalSplit(data: Data, rows: readonly number[], mean: number, f: number, domain: boolean[]): Split | null {
  const { x, y } = data;
  const minLeaf = data.options.minSamplesLeaf;
  const size = domain.length;
  const count = Array<number>(size).fill(0);
  const sum = Array<number>(size).fill(0);
  for (const r of rows) {
    count[x[r][f]]++;
    sum[x[r][f]] += y[r] - mean;
  }
  const present = count.map((c, k) => k).filter((k) => count[k] > 0);
  if (present.length < 2) return null;
  present.sort((a, b) => sum[a] / count[a] - sum[b] / count[b] || a - b);
  const n = rows.length;
  let best: { gain: number; cut: number; nLeft: number } | null = null;
  let sumLeft = 0;
  let nLeft = 0;
  for (let i = 1; i < present.length; i++) {
    sumLeft += sum[present[i - 1]];
    nLeft += count[present[i - 1]];
    if (nLeft < minLeaf || n - nLeft < minLeaf) continue;
    const gain = gainOf(sumLeft, nLeft, n);
    if (best === null || gain > best.gain) best = { gain, cut: i, nLeft };
  }
  if (best === null) return null;
  const goesLeft = Array<boolean>(size).fill(false);
  for (const k of present.slice(0, best.cut)) goesLeft[k] = true;
  // The domain's categories without samples here follow the larger side.
  const unseenLeft = best.nLeft >= n - best.nLeft;
  for (let k = 0; k < size; k++) if (domain[k] && count[k] === 0) goesLeft[k] = unseenLeft;
  return { gain: best.gain, kind: 'categorical', feature: f, goesLeft };
}
