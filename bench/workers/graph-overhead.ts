// The graph model's overhead: B1's MLP (784-800-10, Adam 0.00168, batch 256) as a Sequential and as a Graph
// written with the functional API, in this one process: each round one fit() epoch of each on the first `n` MNIST
// training images, then evaluate() on the first `evalN` test images (batch 1000), the order swapped every round,
// after a warm-up round that is not counted. Short rounds, many of them: this VM's speed drifts by ±10% over
// seconds, and a round's ratio only cancels what both sides of it saw. Both start from the same weights (the same
// seed) and see the same batches, so they do the same work; the report has each round's figures and both sides'
// first-epoch loss and accuracy (equal when the two compute the same model).
import { loadMnist, Preprocessor, flattenFeatures, subset, disposeDataset, makeDataset } from '../../src/data/index.js';
import { manualSeed } from '../../src/engine/seed.js';
import { getThreads } from '../../src/engine/threads.js';
import { apply, graphModel, input } from '../../src/nn/functional.js';
import { Sequential, type Model } from '../../src/nn/model.js';
import { Trainer } from '../../src/train/trainer.js';
import { arange, ops, rand, tidy } from '../../src/tensor/index.js';
import { report } from './report.js';

const args = JSON.parse(process.argv[2] ?? '{}') as { rounds?: number; n?: number; evalN?: number; synthetic?: boolean };
const rounds = Number(args.rounds ?? 120);
const n = Number(args.n ?? 5_120);
const evalN = Number(args.evalN ?? 2_000);
const random = (n: number, name: string) => tidy(() => makeDataset({ name, x: rand([n, 784]), y: ops.randint(0, 10, [n]), classes: [...'0123456789'] }));
let xTrain, xTest;
if (args.synthetic) {
  manualSeed(1);
  [xTrain, xTest] = [random(n, 'train'), random(evalN, 'test')];
} else {
  const { train, test } = loadMnist();
  const pre = Preprocessor.fit('scale', train);
  const firstN = subset(train, arange(0, n));
  disposeDataset(train);
  xTrain = flattenFeatures(pre.applyTo(firstN));
  disposeDataset(firstN);
  xTest = test.finalEvaluation((t) => {
    const first = subset(t, arange(0, evalN));
    const prepared = flattenFeatures(pre.applyTo(first));
    disposeDataset(first);
    return prepared;
  });
  test.dispose();
}

const hidden = { type: 'dense', units: 800, activation: 'relu' };
const head = { type: 'dense', units: 10, activation: 'softmax' };
const x = input([784]);
const models: Record<'sequential' | 'graph', Model> = {
  sequential: new Sequential({ inputShape: [784], layers: [hidden, head], seed: 0 }),
  graph: graphModel(x, apply(head, apply(hidden, x)), { seed: 0 }),
};
const trainers = Object.fromEntries(
  Object.entries(models).map(([k, m]) => [k, new Trainer(m, { optimizer: { name: 'adam', lr: 0.00168 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] })]),
) as Record<keyof typeof models, Trainer>;

interface Round {
  trainSamplesPerS: number;
  evalSamplesPerS: number;
  trainLoss: number;
  testAccuracy: number;
}
const epoch = async (side: keyof typeof models): Promise<Round> => {
  const history = await trainers[side].fit(xTrain, { epochs: 1, batchSize: 256, seed: 0 });
  const started = performance.now();
  const evaluation = trainers[side].evaluate(xTest, { batchSize: 1000 });
  const evalS = (performance.now() - started) / 1000;
  return { trainSamplesPerS: history.epochs[0].samplesPerS, evalSamplesPerS: evalN / evalS, trainLoss: history.epochs[0].train.loss as number, testAccuracy: evaluation.accuracy as number };
};

const first = { sequential: await epoch('sequential'), graph: await epoch('graph') }; // warm-up, not counted
const measured: { sequential: Round; graph: Round }[] = [];
for (let r = 0; r < rounds; r++) {
  const order: (keyof typeof models)[] = r % 2 === 0 ? ['sequential', 'graph'] : ['graph', 'sequential'];
  const got: Partial<Record<keyof typeof models, Round>> = {};
  for (const side of order) got[side] = await epoch(side);
  measured.push(got as { sequential: Round; graph: Round });
}
report({
  rounds: measured,
  // After the first epoch from the same weights on the same batches: equal if the two are the same model.
  firstEpoch: { sequential: first.sequential, graph: first.graph },
  params: { sequential: models.sequential.countParams().total, graph: models.graph.countParams().total },
  threads: getThreads(),
});
for (const d of [xTrain, xTest]) disposeDataset(d);
for (const m of Object.values(models)) m.dispose();
