// Fidelity run (issue 3): the MNIST 800-ReLU MLP, Adam 0.00168, batch 256, 10 epochs on the 60,000 training
// images (10% held out for validation), then one final evaluation on the 10,000 test images. Goal >= 98.0%.
import { loadMnist, Preprocessor, flattenFeatures, disposeDataset } from '../../src/data/index.js';
import { Sequential } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { Progress } from '../../src/train/callbacks/progress.js';
import { report } from './report.js';

const { train, test } = loadMnist();
const pre = Preprocessor.fit('scale', train);
const x = flattenFeatures(pre.applyTo(train));
disposeDataset(train);
const model = new Sequential({ inputShape: [784], layers: [{ type: 'dense', units: 800, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }] });
const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.00168 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
const history = await trainer.fit(x, { epochs: 10, batchSize: 256, validationSplit: 0.1, seed: 1, callbacks: [new Progress({ stream: process.stderr, bar: false })] });
const result = test.finalEvaluation((t) => {
  const xt = flattenFeatures(pre.applyTo(t));
  const logs = trainer.evaluate(xt, { batchSize: 1000 });
  disposeDataset(xt);
  return logs;
});
report({ testAccuracy: result.accuracy, testLoss: result.loss, epochs: history.epochs.map((e) => ({ loss: e.train.loss, accuracy: e.train.accuracy, valAccuracy: e.val?.accuracy, samplesPerS: Math.round(e.samplesPerS) })) });
