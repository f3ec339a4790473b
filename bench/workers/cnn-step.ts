// B2/B3, nnlab side: the seed CNN (5 x [conv without bias, batch norm, ReLU, maxpool 2], then linear; channels
// 16, 32, 32, 64, 64; kernels 4, 3, 2, 2, 3) on 3x128x128 images, batch 64, SGD 0.1, trained with fit() over
// `batches` batches after a one-batch warm-up; then evaluate() on the same images. `device`: cpu (default) or cuda:0.
import { makeDataset, disposeDataset, subset } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { getThreads } from '../../src/engine/threads.js';
import { Sequential, type ModelConfig } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { arange, ops, rand, tidy } from '../../src/tensor/index.js';
import { report } from './report.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { batches?: number; device?: string };
const batches = Number(args.batches ?? 8);
const n = batches * 64;
manualSeed(0);
const data = tidy(() => makeDataset({ name: 'images', x: rand([n, 3, 128, 128]), y: ops.randint(0, 2, [n]), classes: ['cat', 'dog'] }));
const block = (filters: number, kernelSize: number) => [
  { type: 'conv2d', filters, kernelSize, useBias: false },
  { type: 'batchNorm', momentum: 0.9, epsilon: 1e-5 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPool2d', poolSize: 2 },
];
export const SEED_CNN: ModelConfig = {
  inputShape: [3, 128, 128],
  layers: [...block(16, 4), ...block(32, 3), ...block(32, 2), ...block(64, 2), ...block(64, 3), { type: 'flatten' }, { type: 'dense', units: 2 }],
};
const model = new Sequential(SEED_CNN);
const trainer = new Trainer(model, { optimizer: { name: 'sgd', lr: 0.1 }, loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'], device: args.device ?? 'cpu' });
const warm = subset(data, arange(0, 64));
await trainer.fit(warm, { epochs: 1, batchSize: 64 });
const history = await trainer.fit(data, { epochs: 1, batchSize: 64, seed: 0 });
const started = performance.now();
trainer.evaluate(data, { batchSize: 64 });
const evalS = (performance.now() - started) / 1000;
report({ trainSamplesPerS: history.epochs[0].samplesPerS, evalSamplesPerS: n / evalS, threads: getThreads() });
disposeDataset(warm);
disposeDataset(data);
