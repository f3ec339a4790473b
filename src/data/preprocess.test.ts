// Preprocessing: none / scale / standardize, statistics from the training split only, compared with PyTorch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../tensor/index.js';
import { closeness, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { disposeDataset, makeDataset, type Dataset } from './dataset.js';
import { preprocessSplits, Preprocessor } from './preprocess.js';
import { TestSet } from './test-set.js';

function images(seed: number, shape: number[], lo = 0, hi = 256): { ds: Dataset; values: number[] } {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, () => Math.floor(lo + (hi - lo) * rand()));
  const ds = makeDataset({
    name: `d${seed}`,
    x: tensor(Uint8Array.from(values), shape),
    y: tensor(new Float64Array(shape[0]), [shape[0]], 'int64'),
    classes: ['only'],
  });
  return { ds, values };
}

test('standardize (per channel and global) matches PyTorch, fitted on train and applied to val', () => {
  const base = liveTensors().tensors;
  // 9,000 samples cross the 8,192-sample chunk boundary of the statistics.
  const train = images(1, [9000, 3, 2, 2], 0, 256);
  // A different distribution for val: its own statistics must not be used.
  const val = images(2, [5, 3, 2, 2], 100, 140);
  const perChannel = Preprocessor.fit({ name: 'standardize' }, train.ds);
  const global = Preprocessor.fit({ name: 'standardize', per: 'global' }, train.ds);
  const outC = perChannel.apply(val.ds.x);
  const outG = global.apply(val.ds.x);
  assert.equal(outC.dtype, 'float32');
  const want = runTorch<{ meanC: number[]; stdC: number[]; meanG: number; stdG: number; outC: number[]; outG: number[] }>(
    `
x = torch.tensor(input['train'], dtype=torch.float64).reshape(9000, 3, 2, 2)
v = torch.tensor(input['val'], dtype=torch.float64).reshape(5, 3, 2, 2)
mc = x.mean(dim=(0, 2, 3)); sc = x.std(dim=(0, 2, 3), unbiased=False)
mg = x.mean(); sg = x.std(unbiased=False)
output = {'meanC': mc.tolist(), 'stdC': sc.tolist(), 'meanG': mg.item(), 'stdG': sg.item(),
          'outC': ((v - mc.view(1, 3, 1, 1)) / sc.view(1, 3, 1, 1)).flatten().tolist(),
          'outG': ((v - mg) / sg).flatten().tolist()}
`,
    { train: train.values, val: val.values },
  );
  assert.ok(closeness(perChannel.state.mean!, want.meanC, 1e-12) <= 1);
  assert.ok(closeness(perChannel.state.std!, want.stdC, 1e-12) <= 1);
  assert.ok(closeness(global.state.mean!, [want.meanG], 1e-12) <= 1);
  assert.ok(closeness(global.state.std!, [want.stdG], 1e-12) <= 1);
  assert.ok(closeness(outC.toNumbers(), want.outC, 1e-5, 1e-5) <= 1);
  assert.ok(closeness(outG.toNumbers(), want.outG, 1e-5, 1e-5) <= 1);
  for (const t of [outC, outG]) t.dispose();
  disposeDataset(train.ds);
  disposeDataset(val.ds);
  assert.equal(liveTensors().tensors, base);
});

test('none keeps 0-255 as float32; scale divides by 255', () => {
  const { ds } = images(3, [2, 1, 2, 2]);
  const raw = Preprocessor.fit({ name: 'none' }, ds).apply(ds.x);
  const scaled = Preprocessor.fit('scale', ds).apply(ds.x);
  assert.equal(raw.dtype, 'float32');
  assert.deepEqual(raw.toNumbers(), ds.x.toNumbers());
  assert.ok(closeness(scaled.toNumbers(), ds.x.toNumbers().map((v) => v / 255)) <= 1);
  for (const t of [raw, scaled]) t.dispose();
  disposeDataset(ds);
});

test('a constant channel (std 0) is only centred, never divided by zero', () => {
  const ds = makeDataset({ name: 'c', x: tensor(Float32Array.from([5, 1, 5, 3]), [2, 2]), y: tensor(new Float64Array(2), [2], 'int64'), classes: ['a'] });
  const p = Preprocessor.fit({ name: 'standardize' }, ds);
  assert.deepEqual(p.state.std, [1, 1]);
  const out = p.apply(ds.x);
  assert.deepEqual(out.toNumbers(), [0, -1, 0, 1]);
  out.dispose();
  disposeDataset(ds);
});

test('preprocessSplits fits on train only and maps the sealed test set without counting a use', () => {
  const base = liveTensors().tensors;
  const train = images(4, [20, 1, 2, 2]).ds;
  const val = images(5, [6, 1, 2, 2], 0, 10).ds;
  const test0 = new TestSet(images(6, [4, 1, 2, 2], 200, 256).ds);
  const { splits, preprocessor } = preprocessSplits({ train, val, test: test0 }, { name: 'standardize', per: 'global' });
  const refit = Preprocessor.fit({ name: 'standardize', per: 'global' }, train);
  assert.deepEqual(preprocessor.state, refit.state);
  assert.equal(test0.evaluations, 0);
  const testMean = splits.test.finalEvaluation((d) => tidy(() => d.x.mean().item()));
  assert.ok(testMean > 1, `test standardised with train statistics stays far from 0, got ${testMean}`);
  // The stored state rebuilds the same preprocessor.
  const restored = Preprocessor.fromState(JSON.parse(JSON.stringify(preprocessor.state)));
  const a = restored.apply(val.x);
  assert.deepEqual(a.toNumbers(), splits.val.x.toNumbers());
  assert.deepEqual(restored.getConfig(), { name: 'standardize', per: 'global' });
  a.dispose();
  for (const d of [train, val, splits.train, splits.val]) disposeDataset(d);
  test0.dispose();
  splits.test.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('bad configs name the field', () => {
  const { ds } = images(7, [2, 1, 1, 1]);
  assert.throws(() => Preprocessor.fit({ name: 'standardise' } as never, ds), /preprocess\.name: unknown preprocessing 'standardise' \(did you mean 'standardize'\?\)/);
  assert.throws(() => Preprocessor.fit({ name: 'standardize', per: 'pixel' } as never, ds), /preprocess\.per: unknown value 'pixel'; valid: channel, global/);
  assert.throws(() => Preprocessor.fit({ name: 'scale', per: 'global' } as never, ds), /preprocess\.per: unknown field of preprocessing 'scale'; it takes no fields/);
  disposeDataset(ds);
});
