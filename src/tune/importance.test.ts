// fANOVA importance: the variance decomposition on hand-made partitions (exact numbers) and against Optuna's
// own fANOVA tree code (Debian's python3-optuna, run on our trees), then importance() on known objectives: one
// dominant float, a deciding choice, a log parameter in the log scale, ints with steps, conditional
// parameters, determinism, too few trials, a constant objective. (Optuna's whole evaluator also needs
// scikit-learn's forest, which the test machines do not have, so the comparison stops at the trees.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { decompose, importance, varianceDecomposition } from './importance.js';
import { fitForest, type Feature, type Leaf } from './importance/forest.js';
import { Rng } from './rng.js';
import type { Distribution, Param, Params, Space } from './space.js';
import type { Trial } from './trial.js';

const float = (name: string, low = 0, high = 1, log = false): Param => ({ name, dist: { kind: 'float', low, high, log, step: null }, when: [] });
const choice = (name: string, values: unknown[]): Param => ({ name, dist: { kind: 'choice', values }, when: [] });
const int = (name: string, low: number, high: number, step = 1): Param => ({ name, dist: { kind: 'int', low, high, log: false, step }, when: [] });

function completed(number: number, params: Params, value: number): Trial {
  return { number, state: 'completed', params, value, intermediate: [value] };
}

/** A uniform draw of a distribution (log-uniform for log floats). */
function draw(rng: Rng, d: Distribution): unknown {
  if (d.kind === 'choice') return d.values[rng.int(d.values.length)];
  if (d.kind === 'int') return d.low + d.step * rng.int((d.high - d.low) / d.step + 1);
  return d.log ? Math.exp(rng.between(Math.log(d.low), Math.log(d.high))) : rng.between(d.low, d.high);
}

/** `n` completed trials at random points of `space`, valued by `f`. */
function study(space: Space, n: number, f: (p: Params) => number, seed = 1): Trial[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const params = Object.fromEntries(space.params.map((p) => [p.name, draw(rng, p.dist)]));
    return completed(i, params, f(params));
  });
}

const byName = (r: ReturnType<typeof importance>) => Object.fromEntries(r.params.map((p) => [p.name, p.importance]));
const sum = (r: ReturnType<typeof importance>) => r.params.reduce((a, p) => a + (p.importance ?? 0), 0);

describe('variance decomposition of a partition', () => {
  const unit: Feature[] = [{ kind: 'numeric', low: 0, high: 1 }, { kind: 'numeric', low: 0, high: 1 }];
  const box = (x0: number, x1: number, y0: number, y1: number, value: number): Leaf => ({ value, cells: [{ low: x0, high: x1 }, { low: y0, high: y1 }] });

  test('an additive function: each main effect is its own term\'s variance, and they add up to the total', () => {
    const leaves = [box(0, 0.5, 0, 0.5, 0), box(0.5, 1, 0, 0.5, 2), box(0, 0.5, 0.5, 1, 4), box(0.5, 1, 0.5, 1, 6)];
    const { total, main } = varianceDecomposition(leaves, unit);
    assert.ok(Math.abs(total - 5) < 1e-12 && Math.abs(main[0] - 1) < 1e-12 && Math.abs(main[1] - 4) < 1e-12, JSON.stringify({ total, main }));
  });

  test('an interaction only (xor): no main effects', () => {
    const leaves = [box(0, 0.5, 0, 0.5, 0), box(0.5, 1, 0, 0.5, 1), box(0, 0.5, 0.5, 1, 1), box(0.5, 1, 0.5, 1, 0)];
    const { total, main } = varianceDecomposition(leaves, unit);
    assert.equal(total, 0.25);
    assert.deepEqual(main, [0, 0]);
  });

  test('uneven cells are weighed by their volume, in the feature\'s own range', () => {
    // 4 on x in [0, 0.25] whatever y; 0 elsewhere, with y cut in two there: mean 1, variance 0.25 * 9 + 0.75 * 1.
    const leaves = [box(0, 0.25, 0, 1, 4), box(0.25, 1, 0, 0.3, 0), box(0.25, 1, 0.3, 1, 0)];
    const { total, main } = varianceDecomposition(leaves, unit);
    assert.ok(Math.abs(total - 3) < 1e-12 && Math.abs(main[0] - 3) < 1e-12 && Math.abs(main[1]) < 1e-12, JSON.stringify({ total, main }));
    const wide: Feature[] = [{ kind: 'numeric', low: -10, high: 10 }, unit[1]];
    const shifted = [box(-10, -5, 0, 1, 4), box(-5, 10, 0, 1, 0)];
    assert.ok(Math.abs(varianceDecomposition(shifted, wide).main[0] - 3) < 1e-12);
  });

  test('a categorical feature: each category weighs 1/size', () => {
    const features: Feature[] = [{ kind: 'categorical', size: 3 }, unit[0]];
    const leaves: Leaf[] = [
      { value: 0, cells: [{ categories: [true, true, false] }, { low: 0, high: 1 }] },
      { value: 3, cells: [{ categories: [false, false, true] }, { low: 0, high: 0.5 }] },
      { value: 3, cells: [{ categories: [false, false, true] }, { low: 0.5, high: 1 }] },
    ];
    const { total, main } = varianceDecomposition(leaves, features);
    assert.ok(Math.abs(total - 2) < 1e-12 && Math.abs(main[0] - 2) < 1e-12 && Math.abs(main[1]) < 1e-12, JSON.stringify({ total, main }));
  });
});

/** Optuna's _FanovaTree on our trees (in scikit-learn's layout): each tree's variance and per-feature marginal variance. */
const OPTUNA_TREES = `
import json, sys
import numpy as np
from optuna.importance._fanova._tree import _FanovaTree
class Tree:  # the attributes of sklearn.tree._tree.Tree that _FanovaTree reads
    def __init__(self, t, n_features):
        self.feature = np.array(t['feature'], dtype=np.int64)
        self.threshold = np.array(t['threshold'], dtype=np.float64)
        self.children_left = np.array(t['childrenLeft'], dtype=np.int64)
        self.children_right = np.array(t['childrenRight'], dtype=np.int64)
        self.value = np.array([0.0 if v is None else v for v in t['value']], dtype=np.float64)
        self.node_count = len(t['feature'])
        self.n_features = n_features
data = json.loads(sys.stdin.read())
spaces = np.array(data['bounds'], dtype=np.float64)
out = []
for t in data['trees']:
    tree = _FanovaTree(Tree(t, len(spaces)), spaces)
    out.append({'total': float(tree.variance), 'main': [float(tree.get_marginal_variance(np.array([j]))) for j in range(len(spaces))]})
sys.stdout.write(json.dumps(out))
`;

describe('against Optuna\'s fANOVA trees', () => {
  test('the same variance and main effects as optuna.importance._fanova._tree on the same trees', () => {
    const features: Feature[] = [{ kind: 'numeric', low: 0, high: 1 }, { kind: 'numeric', low: -3, high: 2 }, { kind: 'numeric', low: 0, high: 10 }];
    const rng = new Rng(21);
    const x = Array.from({ length: 40 }, () => features.map((f) => (f.kind === 'numeric' ? rng.between(f.low, f.high) : 0)));
    const y = x.map(([a, b, c]) => Math.sin(4 * a) + 0.3 * b * a + 0.02 * c);
    const forest = fitForest(x, y, features, { trees: 8, seed: 4, bootstrap: true, maxDepth: 64, minSamplesSplit: 2, minSamplesLeaf: 1 });
    const input = { bounds: features.map((f) => (f.kind === 'numeric' ? [f.low, f.high] : [0, 1])), trees: forest.map((t) => t.toArrays()) };
    const python = process.env.NNLAB_PYTHON ?? '/usr/bin/python3';
    const r = spawnSync(python, ['-c', OPTUNA_TREES], { input: JSON.stringify(input), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `Optuna's fANOVA code did not run with ${python} (install it with \`bash scripts/setup.sh --dev\`, Debian python3-optuna): ${r.stderr || r.error?.message}`);
    const theirs = JSON.parse(r.stdout) as { total: number; main: number[] }[];
    forest.forEach((tree, i) => {
      const ours = decompose(tree);
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
      assert.ok(close(ours.total, theirs[i].total), `tree ${i}: variance ${ours.total} vs ${theirs[i].total}`);
      ours.main.forEach((v, j) => assert.ok(close(v, theirs[i].main[j]), `tree ${i}, feature ${j}: ${v} vs ${theirs[i].main[j]}`));
    });
  });
});

describe('fANOVA importance', () => {
  test('10 (x - 0.5)^2 + 0.1 y, z unused, 60 points: x dominates, z is near 0, the shares sum to 1', () => {
    const space: Space = { params: [float('z'), float('y'), float('x')], fixed: [] };
    const trials = study(space, 60, (p) => 10 * ((p.x as number) - 0.5) ** 2 + 0.1 * (p.y as number));
    const r = importance(space, trials, { seed: 3 });
    const imp = byName(r);
    assert.equal(r.method, 'fanova');
    assert.equal(r.params[0].name, 'x');
    assert.ok(imp.x! > 0.8, `x: ${imp.x}`);
    assert.ok(imp.z! < 0.05, `z: ${imp.z}`);
    assert.ok(Math.abs(sum(r) - 1) < 1e-9);
    for (const p of r.params) assert.ok(p.importance! >= 0);
  });

  test('a choice that decides the value ranks first', () => {
    const space: Space = { params: [float('lr'), choice('optimizer', ['sgd', 'adam', 'rmsprop', 'adagrad']), float('dropout', 0, 0.5)], fixed: [] };
    const offset: Record<string, number> = { sgd: 0, adam: 3, rmsprop: 2.5, adagrad: 0.2 };
    const trials = study(space, 60, (p) => offset[p.optimizer as string] + 0.3 * (p.lr as number) + 0.2 * (p.dropout as number), 2);
    const r = importance(space, trials);
    assert.equal(r.params[0].name, 'optimizer');
    assert.ok(byName(r).optimizer! > 0.8, JSON.stringify(r));
    // A bool (a choice of false, true) too.
    const flags: Space = { params: [float('a'), choice('flag', [false, true])], fixed: [] };
    const r2 = importance(flags, study(flags, 40, (p) => (p.flag ? 1 : 0) + 0.1 * (p.a as number), 3));
    assert.equal(r2.params[0].name, 'flag');
  });

  test('a log parameter is judged in the log scale', () => {
    // A step at lr = 1e-3, the middle of [1e-5, 1e-1] in log scale: half the space (variance 1/4), against u's 1/12.
    // In the raw scale the step would sit at 1% of the range and lr would explain almost nothing.
    const space: Space = { params: [float('lr', 1e-5, 1e-1, true), float('u')], fixed: [] };
    const trials = study(space, 80, (p) => ((p.lr as number) > 1e-3 ? 1 : 0) + (p.u as number), 4);
    const imp = byName(importance(space, trials));
    assert.ok(imp.lr! > 0.6 && imp.u! < 0.4, JSON.stringify(imp));
  });

  test('ints, and ints with steps, are numeric features over their values', () => {
    const space: Space = { params: [int('units', 32, 256, 32), int('layers', 1, 4), float('noise')], fixed: [] };
    const trials = study(space, 60, (p) => Math.abs((p.units as number) - 128) / 32 + 0.05 * (p.noise as number), 5);
    const r = importance(space, trials);
    assert.equal(r.params[0].name, 'units');
    assert.ok(byName(r).units! > 0.8, JSON.stringify(r));
  });

  test('deterministic with a seed; another seed gives other (close) numbers', () => {
    const space: Space = { params: [float('a'), float('b'), float('c')], fixed: [] };
    const trials = study(space, 50, (p) => Math.sin(6 * (p.a as number)) + (p.b as number) * (p.c as number), 6);
    const one = importance(space, trials, { seed: 11 });
    assert.deepEqual(importance(space, trials, { seed: 11 }), one);
    assert.deepEqual(importance(space, structuredClone(trials), { seed: 11, trees: 64 }), one);
    const other = importance(space, trials, { seed: 12 });
    assert.notDeepEqual(other, one);
    for (const p of one.params) assert.ok(Math.abs(p.importance! - byName(other)[p.name]!) < 0.15);
    assert.deepEqual(importance(space, trials), importance(space, trials, { seed: 0 }));
    const few = importance(space, trials, { seed: 11, trees: 4 });
    assert.ok(Math.abs(sum(few) - 1) < 1e-9);
  });

  test('only completed trials with a finite value count; fewer than 2 give every importance null, no error', () => {
    const space: Space = { params: [float('a'), choice('b', [1, 2])], fixed: [] };
    const allNull = { method: 'fanova', params: [{ name: 'a', importance: null }, { name: 'b', importance: null }] };
    assert.deepEqual(importance(space, []), allNull);
    assert.deepEqual(importance(space, [completed(0, { a: 0.5, b: 1 }, 1)]), allNull);
    const others: Trial[] = [
      { number: 1, state: 'pruned', params: { a: 0.1, b: 2 }, value: 0.5, intermediate: [0.5] },
      { number: 2, state: 'running', params: { a: 0.2, b: 1 }, value: null, intermediate: [] },
      { number: 3, state: 'failed', params: { a: 0.3, b: 2 }, value: null, intermediate: [] },
      completed(4, { a: 0.4, b: 2 }, NaN),
    ];
    assert.deepEqual(importance(space, [completed(0, { a: 0.5, b: 1 }, 1), ...others]), allNull);
    const two = importance(space, [completed(0, { a: 0.5, b: 1 }, 1), completed(1, { a: 0.7, b: 2 }, 3)]);
    assert.ok(Math.abs(sum(two) - 1) < 1e-9, JSON.stringify(two));
  });

  test('a constant objective: nothing to explain, every importance null', () => {
    const space: Space = { params: [float('a'), float('b')], fixed: [] };
    const r = importance(space, study(space, 20, () => 0.7));
    assert.deepEqual(r.params.map((p) => p.importance), [null, null]);
  });

  test('conditional parameters not set in every completed trial are not evaluated (null, listed last)', () => {
    const space: Space = {
      params: [
        choice('act', ['relu', 'leaky']),
        { name: 'alpha', dist: { kind: 'float', low: 0.01, high: 0.5, log: false, step: null }, when: [{ param: 'act', values: ['leaky'] }] },
        float('lr'),
      ],
      fixed: [],
    };
    const rng = new Rng(8);
    const trials = Array.from({ length: 40 }, (_, i) => {
      const act = i % 2 ? 'relu' : 'leaky';
      const params: Params = act === 'leaky' ? { act, alpha: rng.between(0.01, 0.5), lr: rng.uniform() } : { act, lr: rng.uniform() };
      return completed(i, params, 2 * (params.lr as number) + (act === 'leaky' ? (params.alpha as number) : 0));
    });
    const r = importance(space, trials);
    assert.deepEqual(r.params.map((p) => p.name), ['lr', 'act', 'alpha']);
    assert.equal(byName(r).alpha, null);
    assert.ok(Math.abs(sum(r) - 1) < 1e-9);
    // A value that is not one of a choice's (a space edited since) counts as not set.
    const edited = trials.map((t, i) => (i === 0 ? { ...t, params: { ...t.params, act: 'gelu' } } : t));
    assert.equal(byName(importance(space, edited)).act, null);
  });
});
