// B7, nnlab side: sequential MNIST, each image as 28 steps of 28 pixels (data.view: sequence), through an LSTM of
// 128 units and a dense softmax layer; Adam 0.001, batch 128: one fit() epoch on the first `n` training images
// (default 12,800) after a one-batch warm-up, then evaluate() on the 10,000 test images, batch 1000. `device`:
// cpu (default) or cuda:0; `synthetic`: random images of MNIST's shape (the speed is the same, the accuracy not).
import { disposeDataset, imagesAsSequences, loadMnist, makeDataset, Preprocessor, subset, type Dataset } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { getThreads } from '../../src/engine/threads.js';
import { Sequential } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { arange, ops, rand, tidy } from '../../src/tensor/index.js';
import { report } from './report.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { n?: number; device?: string; synthetic?: boolean };
const n = Number(args.n ?? 12_800);
const rows = (ds: Dataset): Dataset => tidy(() => ({ name: ds.name, x: imagesAsSequences(ds.x), y: ops.detach(ds.y), classes: ds.classes }));
const random = (count: number, name: string) => tidy(() => makeDataset({ name, x: rand([count, 28, 28]), y: ops.randint(0, 10, [count]), classes: [...'0123456789'] }));
let train: Dataset, test: Dataset;
if (args.synthetic) {
  manualSeed(1);
  [train, test] = [random(n, 'train'), random(10_000, 'test')];
} else {
  const mnist = loadMnist();
  const pre = Preprocessor.fit('scale', mnist.train);
  const first = subset(mnist.train, arange(0, n));
  const scaled = pre.applyTo(first);
  train = rows(scaled);
  for (const d of [mnist.train, first, scaled]) disposeDataset(d);
  test = mnist.test.finalEvaluation((t) => {
    const s = pre.applyTo(t);
    const r = rows(s);
    disposeDataset(s);
    return r;
  });
  mnist.test.dispose();
}
manualSeed(0);
const model = new Sequential({ inputShape: [28, 28], layers: [{ type: 'lstm', units: 128 }, { type: 'dense', units: 10, activation: 'softmax' }] });
const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.001 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], device: args.device ?? 'cpu' });
const warm = subset(train, arange(0, 128));
await trainer.fit(warm, { epochs: 1, batchSize: 128 });
const history = await trainer.fit(train, { epochs: 1, batchSize: 128, seed: 0 });
const started = performance.now();
const evaluation = trainer.evaluate(test, { batchSize: 1000 });
const evalS = (performance.now() - started) / 1000;
report({
  trainSamplesPerS: history.epochs[0].samplesPerS,
  evalSamplesPerS: 10_000 / evalS,
  trainAccuracy: history.epochs[0].train.accuracy,
  testAccuracy: evaluation.accuracy,
  threads: getThreads(),
});
for (const d of [warm, train, test]) disposeDataset(d);
