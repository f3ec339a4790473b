// fit / evaluate / predict behaviour: divergence, zero initialisation, reproducibility, validation, class
// weights, save and load, and that a training run leaks no tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { liveTensors, ops, tensor, tidy } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { ConfigError, ShapeError } from '../engine/errors.js';
import { makeDataset, disposeDataset, type Dataset } from '../data/index.js';
import { Sequential, type ModelConfig } from '../nn/model.js';
import { Trainer } from './trainer.js';
import { loadModel, saveModel } from './model-io.js';

/** Two Gaussian blobs per class in 2-D: learnable, small. */
function blobs(n: number, seed: number, classes = 3): Dataset {
  manualSeed(seed);
  return tidy(() => {
    const y = ops.remainder(ops.arange(0, n, 1, 'int64'), classes);
    const centers = tensor([[2, 0], [-2, 1], [0, -2], [3, 3]].slice(0, classes));
    const x = ops.add(ops.indexSelect(centers, 0, y), ops.mul(ops.randn([n, 2], 'float32'), 0.5));
    return makeDataset({ name: `blobs-${seed}`, x, y, classes: Array.from({ length: classes }, (_, i) => `c${i}`) });
  });
}

const mlp = (init?: string): ModelConfig => ({
  inputShape: [2],
  layers: [
    { type: 'dense', units: 16, activation: 'relu', ...(init ? { kernelInitializer: init, biasInitializer: init } : {}) },
    { type: 'dense', units: 3, activation: 'softmax', ...(init ? { kernelInitializer: init, biasInitializer: init } : {}) },
  ],
});

test('training learns, validation is reported, and no tensor leaks', async () => {
  const base = liveTensors().tensors;
  const train = blobs(300, 1);
  const val = blobs(90, 2);
  manualSeed(0);
  const model = new Sequential(mlp());
  const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.05 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', { name: 'f1', average: 'macro' }] });
  const h = await trainer.fit(train, { epochs: 8, batchSize: 32, validationData: val, seed: 0 });
  assert.equal(h.status, 'completed');
  assert.equal(h.epochs.length, 8);
  const last = h.epochs[7];
  assert.ok((last.val!.accuracy as number) > 0.9, `val accuracy ${last.val!.accuracy}`);
  assert.ok((last.train.loss as number) < (h.epochs[0].train.loss as number));
  assert.ok(last.samplesPerS > 0 && last.trainTimeS <= last.timeS);
  assert.equal(typeof last.val!.f1Macro, 'number');
  const evalLogs = trainer.evaluate(val, { batchSize: 7 });
  assert.ok(Math.abs((evalLogs.loss as number) - (last.val!.loss as number)) < 1e-5, 'evaluate() matches the last validation');
  const probs = trainer.predict(val.x, { batchSize: 16 });
  assert.deepEqual(probs.shape, [90, 3]);
  assert.ok(Math.abs(tidy(() => ops.sum(probs).item()) - 90) < 1e-3, 'predict returns probabilities');
  const classes = trainer.predictClasses(val.x);
  assert.deepEqual(classes.toNumbers(), tidy(() => ops.argmax(probs, 1).toNumbers()));
  assert.ok(tidy(() => ops.eq(classes, val.y).sum().item()) / 90 > 0.9);
  classes.dispose();
  probs.dispose();
  trainer.dispose();
  model.dispose();
  disposeDataset(train);
  disposeDataset(val);
  assert.equal(liveTensors().tensors, base);
});

test('a ReLU MLP with all-zeros initialisation stays at loss ln(10)', async () => {
  // The seed notebook's case: every weight and bias zero, 10 balanced classes. Every hidden unit outputs 0 and
  // gets no gradient; the output bias gets none either (balanced classes), so nothing ever moves.
  const data = tidy(() =>
    makeDataset({ name: 'ten', x: ops.randn([200, 2], 'float32'), y: ops.remainder(ops.arange(0, 200, 1, 'int64'), 10), classes: Array.from({ length: 10 }, (_, i) => String(i)) }),
  );
  const zeros = { kernelInitializer: 'zeros', biasInitializer: 'zeros' };
  const model = new Sequential({
    inputShape: [2],
    layers: [
      { type: 'dense', units: 32, activation: 'relu', ...zeros },
      { type: 'dense', units: 10, activation: 'softmax', ...zeros },
    ],
  });
  const trainer = new Trainer(model, { optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const h = await trainer.fit(data, { epochs: 4, batchSize: 100, shuffle: false });
  for (const e of h.epochs) assert.ok(Math.abs((e.train.loss as number) - Math.log(10)) < 1e-4, `epoch ${e.epoch + 1}: loss ${e.train.loss}`);
  const state = model.stateDict();
  tidy(() => {
    assert.equal(ops.sum(ops.abs(state['0.weight'])).item(), 0);
    assert.equal(ops.sum(ops.abs(state['1.weight'])).item(), 0);
    // The output bias gets only rounding noise (the class gradients cancel up to float32 rounding).
    assert.ok(ops.max(ops.abs(state['1.bias'])).item() < 1e-5);
  });
  trainer.dispose();
  model.dispose();
  disposeDataset(data);
});

test('a NaN loss stops training within one step: status diverged, epoch and batch named', async () => {
  const data = blobs(256, 4);
  const model = new Sequential(mlp());
  const trainer = new Trainer(model, { optimizer: { name: 'sgd', lr: 1e30 }, loss: 'sparseCategoricalCrossentropy' });
  const losses: number[] = [];
  const h = await trainer.fit(data, { epochs: 5, batchSize: 32, callbacks: [{ name: 'spy', onBatchEnd: (l) => void losses.push(l.loss) }] });
  assert.equal(h.status, 'diverged');
  assert.match(h.message!, /loss is (NaN|Infinity) at epoch 1, batch \d+/);
  const firstBad = losses.findIndex((l) => !Number.isFinite(l));
  assert.equal(losses.length, firstBad + 1, 'no step after the first non-finite loss');
  trainer.dispose();
  model.dispose();
  disposeDataset(data);
});

test('the same seed makes a CPU run bit-identical', async () => {
  const run = async () => {
    const data = blobs(200, 5);
    manualSeed(42);
    const model = new Sequential({ ...mlp(), layers: [mlp().layers[0], { type: 'dropout', rate: 0.3 }, mlp().layers[1]] });
    const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.01 }, loss: 'sparseCategoricalCrossentropy' });
    const h = await trainer.fit(data, { epochs: 3, batchSize: 16, seed: 7, validationSplit: 0.2 });
    const weights = Object.values(model.stateDict()).flatMap((t) => t.toNumbers());
    trainer.dispose();
    model.dispose();
    disposeDataset(data);
    return { weights, losses: h.epochs.map((e) => e.train.loss) };
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a.losses, b.losses);
  assert.ok(a.weights.every((w, i) => Object.is(w, b.weights[i])), 'weights are bit-identical');
});

test('class weights change the loss as Keras does (weighted mean over the batch)', async () => {
  const data = blobs(60, 6);
  manualSeed(1);
  const model = new Sequential(mlp());
  const plain = new Trainer(model, { optimizer: { name: 'sgd', lr: 0 }, loss: 'sparseCategoricalCrossentropy' });
  const unweighted = (await plain.fit(data, { epochs: 1, batchSize: 60, shuffle: false })).epochs[0].train.loss as number;
  const weighted = (await plain.fit(data, { epochs: 1, batchSize: 60, shuffle: false, classWeight: { 0: 3, 1: 1, 2: 1 } })).epochs[0].train.loss as number;
  const perClass = tidy(() => {
    const logp = ops.logSoftmax(model.forward(data.x, { training: false }, { logits: true }), 1);
    const nll = ops.neg(ops.gather(logp, 1, ops.unsqueeze(data.y, 1))).toNumbers();
    const ys = data.y.toNumbers();
    return ys.reduce((s, c, i) => s + (c === 0 ? 3 : 1) * nll[i], 0) / ys.length;
  });
  assert.ok(Math.abs(weighted - perClass) < 1e-5, `${weighted} vs ${perClass}`);
  assert.notEqual(weighted, unweighted);
  plain.dispose();
  model.dispose();
  disposeDataset(data);
});

test('a saved model loads with identical predictions; bad configs are named', async () => {
  const data = blobs(50, 7);
  manualSeed(3);
  const model = new Sequential({ inputShape: [2], layers: [{ type: 'dense', units: 8, activation: 'tanh' }, { type: 'batchNorm' }, { type: 'dense', units: 3, activation: 'softmax' }] });
  const trainer = new Trainer(model, { optimizer: { name: 'adam' }, loss: 'sparseCategoricalCrossentropy' });
  await trainer.fit(data, { epochs: 2, batchSize: 10 });
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'nnlab-model-')), 'm');
  saveModel(dir, model, { classes: ['a', 'b', 'c'] }, trainer.optimizer);
  const loaded = loadModel(dir);
  assert.deepEqual(loaded.info.classes, ['a', 'b', 'c']);
  tidy(() => {
    const a = model.forward(data.x, { training: false }).toNumbers();
    const b = loaded.model.forward(data.x, { training: false }).toNumbers();
    assert.deepEqual(a, b);
  });
  assert.throws(() => new Trainer(model, { optimizer: { name: 'adamm' }, loss: 'mse' }), /training\.optimizer\.name: unknown optimizer 'adamm' \(did you mean 'adam'\?\)/);
  assert.throws(() => new Trainer(model, { optimizer: { name: 'adam' }, loss: 'crossentropy' }), /training\.loss: unknown loss 'crossentropy'/);
  await assert.rejects(trainer.fit(data, { epochs: 0 }), /fit\.epochs: expected an integer >= 1/);
  trainer.dispose();
  model.dispose();
  loaded.model.dispose();
  disposeDataset(data);
});

test('a binary model with logit outputs and a from-logits loss: its metrics see probabilities', async () => {
  manualSeed(4);
  const data = tidy(() => {
    const x = ops.randn([200, 2], 'float32');
    const y = ops.gt(ops.add(ops.select(x, 1, 0), ops.select(x, 1, 1)), 0).to('int64');
    return makeDataset({ name: 'binary', x, y, classes: ['neg', 'pos'] });
  });
  const model = new Sequential({ inputShape: [2], layers: [{ type: 'dense', units: 1 }] });
  const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.05 }, loss: { name: 'binaryCrossentropy', fromLogits: true }, metrics: ['binaryAccuracy'] });
  await trainer.fit(data, { epochs: 5, batchSize: 20 });
  const logs = trainer.evaluate(data);
  const byHand = tidy(() => {
    const logits = model.forward(data.x, { training: false });
    return ops.eq(ops.gt(ops.sigmoid(logits), 0.5).reshape([200]).to('int64'), data.y).sum().item() / 200;
  });
  assert.equal(logs.binaryAccuracy, byHand);
  const predicted = trainer.predictClasses(data.x);
  assert.equal(tidy(() => ops.eq(predicted, data.y).sum().item()) / 200, byHand);
  predicted.dispose();
  assert.ok(byHand > 0.9, `a linear boundary is learnable: ${byHand}`);
  trainer.dispose();
  model.dispose();
  disposeDataset(data);
});

test('fit, evaluate and predict take plain arrays and typed arrays as Keras users pass them, with shape errors naming both shapes', async () => {
  const base = liveTensors().tensors;
  const data = blobs(240, 4);
  const x2d = tidy(() => data.x.toNumbers());
  const rows: number[][] = Array.from({ length: 240 }, (_, i) => [x2d[2 * i], x2d[2 * i + 1]]);
  const labels = data.y.toNumbers();
  disposeDataset(data);
  const model = new Sequential({ ...mlp(), seed: 5 });
  const trainer = new Trainer(model, { optimizer: { name: 'adam', lr: 0.05 }, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'f1'] });
  const h = await trainer.fit(rows, labels, { epochs: 6, batchSize: 16, validationSplit: 0.25, seed: 0 });
  assert.equal(h.status, 'completed');
  const last = h.epochs[5];
  assert.ok((last.val!.accuracy as number) > 0.9, `val accuracy ${last.val!.accuracy}`);
  assert.equal(typeof last.val!.f1, 'number', 'f1 on three classes: the macro mean, not an error');
  assert.equal(trainer.metrics[1].getConfig().average, 'macro');
  // The same samples as one flat Float32Array (N × 2 end to end), as { data, shape }, and labels as Int32Array.
  const flat = Float32Array.from(rows.flat());
  const logs = trainer.evaluate(flat, Int32Array.from(labels));
  assert.deepEqual(trainer.evaluate({ data: flat, shape: [240, 2] }, labels), logs);
  assert.deepEqual(trainer.evaluate(rows, labels), logs);
  const p = trainer.predict(rows.slice(0, 5));
  assert.deepEqual(p.shape, [5, 3]);
  assert.deepEqual(tidy(() => trainer.predict(flat.subarray(0, 10)).toNumbers()), p.toNumbers());
  p.dispose();
  // validationData as [x, y] arrays.
  const h2 = await trainer.fit(rows.slice(0, 200), labels.slice(0, 200), { epochs: 1, validationData: [rows.slice(200), labels.slice(200)] });
  assert.equal(typeof h2.epochs[0].val!.loss, 'number');
  // What does not fit the model is a ShapeError naming both shapes, before any training.
  await assert.rejects(trainer.fit([[1, 2, 3]], [0], { epochs: 1 }), (e: Error) => e instanceof ShapeError && e.message === 'x has samples of shape [3] (x [1, 3]), but the model takes [2]');
  await assert.rejects(trainer.fit(new Float32Array(7), [0, 1, 2], { epochs: 1 }), /x has 7 values, not a whole number of samples of the model's input shape \[2\] \(2 values each\)/);
  await assert.rejects(trainer.fit(rows, labels.slice(1), { epochs: 1 }), /x has 240 samples but y has 239 targets/);
  await assert.rejects(trainer.fit([[1, 2], [3]], [0, 1], { epochs: 1 }), /x\[1\] has 1 entries where x\[0\]\.\.\. has 2: x must be rectangular/);
  await assert.rejects(trainer.fit({ data: [1, 2, 3], shape: [2, 2] }, [0, 1], { epochs: 1 }), /x\.data has 3 values; shape \[2, 2\] needs 4/);
  assert.throws(() => trainer.predict([[1, 2, 3, 4]]), /x has samples of shape \[4\] \(x \[1, 4\]\), but the model takes \[2\]/);
  trainer.dispose();
  model.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('evaluate and predict need no optimizer (predict no loss either); fit says what is missing', async () => {
  const base = liveTensors().tensors;
  const model = new Sequential({ ...mlp(), seed: 2 });
  const rows = [[2, 0], [-2, 1], [0, -2]];
  const predictor = new Trainer(model);
  const p = predictor.predict(rows);
  assert.deepEqual(p.shape, [3, 3]);
  p.dispose();
  assert.throws(() => predictor.evaluate(rows, [0, 1, 2]), (e: Error) => e instanceof ConfigError && /training\.loss: fit and evaluate need a loss/.test(e.message));
  const evaluator = new Trainer(model, { loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  assert.equal(typeof evaluator.evaluate(rows, [0, 1, 2]).accuracy, 'number');
  await assert.rejects(evaluator.fit(rows, [0, 1, 2], { epochs: 1 }), (e: Error) => e instanceof ConfigError && /training\.optimizer: fit needs an optimizer: give one to the Trainer, e\.g\. \{ optimizer: 'adam'/.test(e.message));
  predictor.dispose();
  evaluator.dispose();
  model.dispose();
  assert.equal(liveTensors().tensors, base);
});

test("the weights' seed is the model's: the same seed builds the same weights, and fit's seed then repeats the run", async () => {
  const weights = (m: Sequential) => tidy(() => m.stateDict()['0.weight'].toNumbers());
  const rows = [[2, 0], [-2, 1], [0, -2], [1, 1], [-1, -1], [0.5, 2]];
  const labels = [0, 1, 2, 0, 1, 2];
  const runs: number[][] = [];
  for (const drawBetween of [false, true]) {
    const model = new Sequential({ ...mlp(), seed: 11 });
    if (drawBetween) tidy(() => ops.rand([5])); // whatever ran before does not matter
    const trainer = new Trainer(model, { optimizer: { name: 'sgd', lr: 0.1 }, loss: 'sparseCategoricalCrossentropy' });
    runs.push(weights(model));
    await trainer.fit(rows, labels, { epochs: 2, batchSize: 2, seed: 4 });
    runs.push(weights(model));
    trainer.dispose();
    model.dispose();
  }
  assert.deepEqual(runs[2], runs[0], 'same model seed, same initial weights');
  assert.deepEqual(runs[3], runs[1], 'and the same trained weights with the same fit seed');
  const other = new Sequential({ ...mlp(), seed: 12 });
  assert.notDeepEqual(weights(other), runs[0]);
  other.dispose();
  assert.throws(() => new Sequential({ ...mlp(), seed: -1 }), /model\.seed: expected an integer >= 0, got -1/);
});

test("classWeight 'balanced' weighs each class by n / (k · count) of the training labels", async () => {
  // Three samples of class 0 and one of class 1: balanced weights 4/6 and 2. The first epoch's loss with them
  // equals the loss with that map given by hand (same seed, same batches).
  const rows = [[1, 0], [0.9, 0.1], [1.1, -0.1], [-1, 0]];
  const labels = [0, 0, 0, 1];
  const losses: number[] = [];
  for (const classWeight of ['balanced', { 0: 4 / 6, 1: 2 }] as const) {
    const model = new Sequential({ inputShape: [2], layers: [{ type: 'dense', units: 2, activation: 'softmax' }], seed: 1 });
    // The optimizer by name alone, as an experiment file gives it.
    const trainer = new Trainer(model, { optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const h = await trainer.fit(rows, labels, { epochs: 1, batchSize: 4, seed: 0, classWeight });
    losses.push(h.epochs[0].train.loss as number);
    trainer.dispose();
    model.dispose();
  }
  assert.ok(Math.abs(losses[0] - losses[1]) < 1e-7, `${losses[0]} vs ${losses[1]}`);
});
