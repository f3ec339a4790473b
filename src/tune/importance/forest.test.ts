// The random forest behind fANOVA: a tree fits distinct training points exactly, its leaves partition the
// domain and agree with predict(), categorical splits group categories by their mean, unseen categories
// follow the larger side, depth and leaf-size limits hold, a forest is a function of its seed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../rng.js';
import { fitForest, fitTree, type Feature, type Leaf } from './forest.js';

const options = { maxDepth: 64, minSamplesSplit: 2, minSamplesLeaf: 1 };

/** Random rows over `features` and a target from `f`. */
function data(features: Feature[], n: number, f: (x: number[]) => number, seed = 1): { x: number[][]; y: number[] } {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => features.map((ft) => (ft.kind === 'numeric' ? rng.between(ft.low, ft.high) : rng.int(ft.size))));
  return { x, y: x.map(f) };
}

/** Whether point `x` lies in the leaf's region. */
function inside(leaf: Leaf, x: number[]): boolean {
  return leaf.cells.every((c, j) => ('categories' in c ? c.categories[x[j]] : x[j] >= c.low && x[j] <= c.high));
}

describe('random forest', () => {
  const features: Feature[] = [{ kind: 'numeric', low: -2, high: 3 }, { kind: 'categorical', size: 4 }, { kind: 'numeric', low: 0, high: 1 }];
  const f = (x: number[]) => Math.sin(x[0]) + [0, 2, -1, 0.5][x[1]] + x[2] * x[0];

  test('a tree on every sample fits distinct points exactly; its leaves partition the domain and agree with predict()', () => {
    const { x, y } = data(features, 80, f);
    const tree = fitTree(x, y, features, options);
    x.forEach((row, i) => assert.ok(Math.abs(tree.predict(row) - y[i]) < 1e-12));
    const leaves = tree.leaves();
    assert.equal(leaves.length, tree.size);
    const volume = leaves.reduce((a, l) => a + l.cells.reduce((v, c, j) => {
      const ft = features[j];
      return v * ('categories' in c ? c.categories.filter(Boolean).length / c.categories.length : (c.high - c.low) / ((ft as { high: number }).high - (ft as { low: number }).low));
    }, 1), 0);
    assert.ok(Math.abs(volume - 1) < 1e-9, `volumes sum to ${volume}`);
    const rng = new Rng(5);
    for (let k = 0; k < 300; k++) {
      const p = [rng.between(-2, 3), rng.int(4), rng.uniform()];
      const holding = leaves.filter((l) => inside(l, p));
      assert.ok(holding.length >= 1);
      assert.ok(holding.some((l) => l.value === tree.predict(p)));
    }
  });

  test('a categorical split groups categories by mean; categories without samples follow the larger side', () => {
    const cat: Feature[] = [{ kind: 'categorical', size: 5 }];
    // Categories 0, 2 near 0; 1 near 10; category 3 and 4 never seen; 0 and 2 have the most samples.
    const x = [[0], [0], [2], [2], [0], [1], [1]];
    const y = [0, 0.1, 0.2, 0, 0.1, 10, 10.2];
    const tree = fitTree(x, y, cat, { ...options, maxDepth: 1 });
    assert.equal(tree.size, 2);
    const [low, high] = [tree.predict([0]), tree.predict([1])];
    assert.ok(Math.abs(low - 0.08) < 1e-12 && Math.abs(high - 10.1) < 1e-12);
    assert.equal(tree.predict([2]), low);
    assert.equal(tree.predict([3]), low);
    assert.equal(tree.predict([4]), low);
    const cells = tree.leaves().map((l) => (l.cells[0] as { categories: boolean[] }).categories);
    assert.deepEqual(cells.map((c) => c.filter(Boolean).length).sort(), [1, 4]);
  });

  test('maxDepth, minSamplesLeaf and minSamplesSplit hold', () => {
    const { x, y } = data(features, 60, f, 2);
    assert.equal(fitTree(x, y, features, { ...options, maxDepth: 0 }).size, 1);
    assert.equal(fitTree(x, y, features, { ...options, maxDepth: 1 }).size, 2);
    assert.ok(fitTree(x, y, features, { ...options, maxDepth: 3 }).size <= 8);
    const coarse = fitTree(x, y, features, { ...options, minSamplesLeaf: 10 });
    for (const leaf of coarse.leaves()) assert.ok(x.filter((row) => inside(leaf, row)).length >= 10);
    assert.equal(fitTree(x, y, features, { ...options, minSamplesSplit: 61 }).size, 1);
    assert.equal(fitTree(x, x.map(() => 4), features, options).size, 1); // a constant target: nothing to split
  });

  test('a forest is a function of its seed; bootstrap trees differ from each other', () => {
    const { x, y } = data(features, 40, f, 3);
    const grow = (seed: number) => fitForest(x, y, features, { ...options, trees: 8, seed, bootstrap: true });
    const probe = [[0.5, 1, 0.5], [-1, 2, 0.1], [2.5, 0, 0.9]];
    const predictions = (forest: ReturnType<typeof grow>) => forest.map((t) => probe.map((p) => t.predict(p)));
    assert.deepEqual(predictions(grow(1)), predictions(grow(1)));
    assert.notDeepEqual(predictions(grow(1)), predictions(grow(2)));
    assert.ok(new Set(predictions(grow(1)).map((p) => JSON.stringify(p))).size > 1);
    const plain = fitForest(x, y, features, { ...options, trees: 3, seed: 1, bootstrap: false });
    assert.deepEqual(predictions(plain)[0], predictions(plain)[2]);
  });
});
