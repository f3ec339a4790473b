// B1/B3, nnlab side (run in its own process so its peak RSS is its own): one fit() epoch of the 784-800-10 MLP
// (Adam 0.00168, batch 256) on 50,000 MNIST images, then evaluate() on the 10,000 test images. Arguments:
// `device` (default cpu; cuda:0 for the GPU check) and `synthetic` (random images of MNIST's shape, where the
// MNIST package is not at hand: the speed is the same, the accuracy meaningless).
import { loadMnist, Preprocessor, flattenFeatures, subset, disposeDataset, makeDataset } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { getThreads } from '../../src/engine/threads.js';
import { Sequential } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { arange, ops, rand, tidy } from '../../src/tensor/index.js';
import { report } from './report.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { device?: string; synthetic?: boolean };
const random = (n: number, name: string) => tidy(() => makeDataset({ name, x: rand([n, 784]), y: ops.randint(0, 10, [n]), classes: [...'0123456789'] }));
let x50k, xTest;
if (args.synthetic) {
  manualSeed(1);
  [x50k, xTest] = [random(50_000, 'train'), random(10_000, 'test')];
} else {
  const { train, test } = loadMnist();
  const pre = Preprocessor.fit('scale', train);
  const first50k = subset(train, arange(0, 50_000));
  disposeDataset(train);
  x50k = flattenFeatures(pre.applyTo(first50k));
  disposeDataset(first50k);
  xTest = test.finalEvaluation((t) => flattenFeatures(pre.applyTo(t)));
  test.dispose();
}
manualSeed(0);
const model = new Sequential({ inputShape: [784], layers: [{ type: 'dense', units: 800, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }] });
const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.00168 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], device: args.device ?? 'cpu' });
const history = await trainer.fit(x50k, { epochs: 1, batchSize: 256, seed: 0 });
let started = performance.now();
const evaluation = trainer.evaluate(xTest, { batchSize: 1000 });
const evalS = (performance.now() - started) / 1000;
started = performance.now();
trainer.evaluate(xTest, { batchSize: 32 }); // Keras's default evaluation batch
const eval32S = (performance.now() - started) / 1000;
report({
  trainSamplesPerS: history.epochs[0].samplesPerS,
  evalSamplesPerS: 10_000 / evalS,
  eval32SamplesPerS: 10_000 / eval32S,
  trainAccuracy: history.epochs[0].train.accuracy,
  testAccuracy: evaluation.accuracy,
  threads: getThreads(),
});
for (const d of [x50k, xTest]) disposeDataset(d);
