// B6, nnlab side: a ResNet from the `resnet` template (depth 20: the CIFAR ResNet of He et al.; depth 18:
// torchvision's ResNet-18), 10 classes, built with buildModel as `nnlab run` builds it, on random images of
// `size` x `size` (3 channels), batch 128, SGD 0.1 with momentum 0.9: fit() over `batches` batches after a
// one-batch warm-up, then evaluate() on the same images. It also reports the state dict's names and shapes, so
// the bench can check that the PyTorch peer builds the same network. `device`: cpu (default) or cuda:0.
import { makeDataset, disposeDataset, subset } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { getThreads } from '../../src/engine/threads.js';
import { expandResnet, type ResnetTemplate } from '../../src/lab/experiment/resnet.js';
import { CLASSES } from '../../src/lab/experiment/templates.js';
import { buildModel } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { arange, ops, rand, tidy } from '../../src/tensor/index.js';
import { report } from './report.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { depth?: ResnetTemplate['depth']; size?: number; batches?: number; batch?: number; device?: string };
const depth = args.depth ?? 20;
const size = Number(args.size ?? 32);
const batch = Number(args.batch ?? 128);
const n = Number(args.batches ?? 8) * batch;
manualSeed(0);
const data = tidy(() => makeDataset({ name: 'images', x: rand([n, 3, size, size]), y: ops.randint(0, 10, [n]), classes: [...'0123456789'] }));
// The template's head is sized from the data (`units: classes`); here the data has 10 classes.
const layers = expandResnet({ template: 'resnet', depth }).map((l) => (l.units === CLASSES ? { ...l, units: 10 } : l));
const model = buildModel({ inputShape: [3, size, size], layers });
const trainer = new Trainer(model, {
  optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 },
  loss: 'sparseCategoricalCrossentropy', // from the logits: the model ends in softmax (trainer.ts)
  metrics: ['accuracy'],
  device: args.device ?? 'cpu',
});
const warm = subset(data, arange(0, batch));
await trainer.fit(warm, { epochs: 1, batchSize: batch });
const history = await trainer.fit(data, { epochs: 1, batchSize: batch, seed: 0 });
const started = performance.now();
trainer.evaluate(data, { batchSize: batch });
const evalS = (performance.now() - started) / 1000;
const counts = model.countParams();
report({
  trainSamplesPerS: history.epochs[0].samplesPerS,
  evalSamplesPerS: n / evalS,
  params: counts.trainable,
  stateDict: Object.fromEntries(Object.entries(model.stateDict()).map(([name, t]) => [name, t.shape])),
  threads: getThreads(),
});
disposeDataset(warm);
disposeDataset(data);
model.dispose();
