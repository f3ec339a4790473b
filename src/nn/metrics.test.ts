// Metrics: small examples worked out by hand, epoch values equal to whole-set values (not batch means),
// target formats, errors, configs, and the count tensors' lifetime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy, type Tensor } from '../tensor/index.js';
import { ConfigError, NnlabError, ShapeError } from '../engine/errors.js';
import { seededRandom } from '../testing/torch-oracle.js';
import { metric, METRIC_NAMES, type MetricConfig } from './metrics.js';

const labels = (v: number[]) => tensor(v, undefined, 'int64');
/** Score rows whose argmax is each given class. */
function scores(pred: number[], classes: number): Tensor {
  return tensor(pred.map((p) => Array.from({ length: classes }, (_, j) => (j === p ? 0.7 : 0.3 / (classes - 1)))));
}
function oneHot(v: number[], classes: number): Tensor {
  return tensor(v.map((k) => Array.from({ length: classes }, (_, j) => (j === k ? 1 : 0))));
}
function value(config: MetricConfig, yPred: Tensor, yTrue: Tensor): ReturnType<ReturnType<typeof metric>['result']> {
  const m = metric(config);
  m.update(yPred, yTrue);
  const r = m.result();
  m.reset();
  return r;
}
const near = (a: unknown, b: number, label: string) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${label}: ${a} vs ${b}`);

test('binary metrics by hand', () => {
  tidy(() => {
    // (true, predicted at 0.5): (1,1) (0,0) (0,1) (1,0) (1,1) (1,0): TP 2, TN 1, FP 1, FN 2.
    const p = tensor([0.9, 0.2, 0.6, 0.4, 0.7, 0.1]);
    const y = tensor([1, 0, 0, 1, 1, 1]);
    near(value('accuracy', p, y), 3 / 6, 'accuracy');
    near(value('binary_accuracy', p.reshape([6, 1]), y), 3 / 6, 'binaryAccuracy [N, 1]');
    near(value('precision', p, y), 2 / 3, 'precision');
    near(value('recall', p, y), 2 / 4, 'recall');
    near(value('f1', p, y), 4 / 7, 'f1');
    assert.deepEqual(value('confusionMatrix', p, y), [[1, 1], [2, 2]]);
    assert.deepEqual(value('perClassAccuracy', p, y), [1 / 2, 2 / 4]);
    // Threshold 0 for logits: predicted 1 for 0.1 and above.
    near(value({ name: 'recall', threshold: 0 }, tensor([2, -1, 0.1, -3]), tensor([1, 1, 1, 0])), 2 / 3, 'recall at threshold 0');
    // Elementwise binary accuracy over multi-label predictions.
    near(value('binaryAccuracy', tensor([[0.9, 0.1], [0.6, 0.8]]), tensor([[1, 1], [0, 1]])), 2 / 4, 'multi-label');
  });
});

test('multi-class metrics by hand: macro averages over the classes that occur', () => {
  tidy(() => {
    // (true, predicted): (0,0) (1,2) (2,2) (2,1) (1,1) (0,0) (2,2) (0,1).
    const t = [0, 1, 2, 2, 1, 0, 2, 0];
    const predicted = [0, 2, 2, 1, 1, 0, 2, 1];
    const p = scores(predicted, 3);
    assert.deepEqual(value('confusionMatrix', p, labels(t)), [[2, 1, 0], [0, 1, 1], [0, 1, 2]]);
    near(value('accuracy', p, labels(t)), 5 / 8, 'accuracy (sparse)');
    near(value('accuracy', p, oneHot(t, 3)), 5 / 8, 'accuracy (one-hot)');
    near(value('categoricalAccuracy', p, oneHot(t, 3)), 5 / 8, 'categoricalAccuracy');
    near(value('sparse_categorical_accuracy', p, tensor(t).reshape([8, 1])), 5 / 8, 'sparse, float labels [N, 1]');
    // precision per class 1, 1/3, 2/3; recall 2/3, 1/2, 2/3; F1 4/5, 2/5, 2/3.
    near(value({ name: 'precision', average: 'macro' }, p, labels(t)), (1 + 1 / 3 + 2 / 3) / 3, 'macro precision');
    near(value({ name: 'recall', average: 'macro' }, p, oneHot(t, 3)), (2 / 3 + 1 / 2 + 2 / 3) / 3, 'macro recall');
    near(value({ name: 'f1', average: 'macro' }, p, labels(t)), (4 / 5 + 2 / 5 + 2 / 3) / 3, 'macro F1');
    assert.deepEqual(value('perClassAccuracy', p, labels(t)), [2 / 3, 1 / 2, 2 / 3]);
    // A fourth class that never occurs is left out of the macro mean (as sklearn), and has no per-class accuracy.
    const p4 = scores(predicted, 4);
    near(value({ name: 'f1', average: 'macro' }, p4, labels(t)), (4 / 5 + 2 / 5 + 2 / 3) / 3, 'macro F1, absent class');
    const pc = value('perClassAccuracy', p4, labels(t)) as number[];
    assert.deepEqual(pc.slice(0, 3), [2 / 3, 1 / 2, 2 / 3]);
    assert.ok(Number.isNaN(pc[3]));
  });
});

test('precision, recall and f1 default to class 1 for two classes and to the macro mean for more (as scikit-learn with average=macro)', () => {
  tidy(() => {
    // The matrix of the test above, [[2, 1, 0], [0, 1, 1], [0, 1, 2]]: sklearn's precision_score(t, p,
    // average='macro') is mean(2/2, 1/3, 2/3), recall_score mean(2/3, 1/2, 2/3), f1_score mean(4/5, 2/5, 2/3).
    const t = [0, 1, 2, 2, 1, 0, 2, 0];
    const p = scores([0, 2, 2, 1, 1, 0, 2, 1], 3);
    for (const [name, want] of [['precision', (1 + 1 / 3 + 2 / 3) / 3], ['recall', (2 / 3 + 1 / 2 + 2 / 3) / 3], ['f1', (4 / 5 + 2 / 5 + 2 / 3) / 3]] as const) {
      const m = metric(name);
      assert.equal(m.name, name, 'the history key stays the plain name');
      assert.equal(m.getConfig().average, 'auto', 'undecided before any batch');
      m.update(p, labels(t));
      near(m.result(), want, `${name}, three classes`);
      assert.equal(m.getConfig().average, 'macro', `${name}: the config says which average was taken`);
      m.reset();
    }
    // Two classes: class 1's score, as before (TP 2, FP 1, FN 2).
    const f1 = metric('f1');
    f1.update(tensor([0.9, 0.2, 0.6, 0.4, 0.7, 0.1]), tensor([1, 0, 0, 1, 1, 1]));
    near(f1.result(), 4 / 7, 'binary f1');
    assert.equal(f1.getConfig().average, 'binary');
    f1.reset();
    // The caller can tell the number of classes up front (the Trainer does, from the model's output).
    assert.equal(metric('recall', 'm', { classes: 10 }).getConfig().average, 'macro');
    assert.equal(metric('recall', 'm', { classes: 2 }).getConfig().average, 'binary');
    assert.equal(metric({ name: 'recall', numClasses: 4 }).getConfig().average, 'macro');
  });
});

/** The confusion matrix of whole arrays, counted in JS: the reference for the epoch test. */
function referenceMatrix(t: number[], p: number[], c: number): number[][] {
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  t.forEach((k, i) => m[k][p[i]]++);
  return m;
}

test('epoch values are whole-set values, not means of batch values', () => {
  const rand = seededRandom(9);
  const n = 150;
  const c = 4;
  // Skewed predictions so that batch F1s differ from the epoch's.
  const t = Array.from({ length: n }, () => Math.floor(rand() * c));
  const p = t.map((k, i) => (rand() < (i < 50 ? 0.9 : 0.4) ? k : Math.floor(rand() * c)));
  const m = referenceMatrix(t, p, c);
  const f1s = m.map((row, k) => (2 * row[k]) / (row.reduce((a, b) => a + b) + m.reduce((s, r) => s + r[k], 0)));
  const wholeF1 = f1s.reduce((a, b) => a + b) / c;
  const wholeAcc = m.reduce((s, row, k) => s + row[k], 0) / n;

  const configs: MetricConfig[] = ['accuracy', { name: 'f1', average: 'macro' }, 'confusionMatrix', { name: 'precision', average: 'macro' }];
  const metrics = configs.map((cfg) => metric(cfg));
  const batchF1s: number[] = [];
  const before = liveTensors().tensors;
  for (const [lo, hi] of [[0, 50], [50, 64], [64, 150]]) {
    tidy(() => {
      const yp = scores(p.slice(lo, hi), c);
      const yt = labels(t.slice(lo, hi));
      for (const mt of metrics) mt.update(yp, yt);
      batchF1s.push(value({ name: 'f1', average: 'macro' }, yp, yt) as number);
    });
  }
  // One count tensor per metric survives the batches' tidy scopes.
  assert.equal(liveTensors().tensors, before + metrics.length);
  near(metrics[0].result(), wholeAcc, 'epoch accuracy');
  near(metrics[1].result(), wholeF1, 'epoch macro F1');
  assert.deepEqual(metrics[2].result(), m);
  const meanOfBatches = batchF1s.reduce((a, b) => a + b) / batchF1s.length;
  assert.ok(Math.abs(meanOfBatches - wholeF1) > 0.01, `the mean of batch F1s (${meanOfBatches}) differs from the epoch F1 (${wholeF1})`);
  // The same as one update with the whole set.
  tidy(() => near(value({ name: 'f1', average: 'macro' }, scores(p, c), labels(t)), wholeF1, 'one update'));
  // reset() forgets everything and frees the counts.
  for (const mt of metrics) mt.reset();
  assert.equal(liveTensors().tensors, before);
  assert.equal(metrics[0].result(), 0);
  assert.deepEqual(metrics[2].result(), []);
  tidy(() => metrics[2].update(scores([1], c), labels([1])));
  assert.deepEqual(metrics[2].result(), [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  metrics[2].reset();
  assert.equal(liveTensors().tensors, before);
});

test('inputs that do not fit are errors naming the metric and the shapes', () => {
  tidy(() => {
    assert.throws(() => value({ name: 'precision', average: 'binary' }, scores([0, 1, 2], 3), labels([0, 1, 2])), (e: unknown) => e instanceof ShapeError && /precision: average 'binary' needs two classes, predictions \[3, 3\] have 3; use average 'macro'/.test(e.message));
    assert.throws(() => value({ name: 'f1', average: 'macro' }, scores([0, 1], 3), labels([0, 3])), (e: unknown) => e instanceof NnlabError && /class labels must be integers in \[0, 3\)/.test(e.message));
    assert.throws(() => value({ name: 'f1', average: 'macro' }, scores([0, 1], 3), labels([0, -1])), /class labels must be integers in \[0, 3\)/);
    assert.throws(() => value('categoricalAccuracy', scores([0, 1], 3), labels([0, 1])), /categoricalAccuracy: predictions \[2, 3\] need one-hot targets of the same shape, got \[2\]/);
    assert.throws(() => value('sparseCategoricalAccuracy', tensor([0.2, 0.9]), labels([0, 1])), /one value per sample; use binaryAccuracy/);
    assert.throws(() => value('accuracy', scores([0, 1], 3), labels([0, 1, 1])), /accuracy: predictions \[2, 3\] need one-hot targets of the same shape or labels \[2\], got \[3\]/);
    assert.throws(() => value({ name: 'confusionMatrix', numClasses: 4 }, scores([0, 1], 3), labels([0, 1])), /predictions \[2, 3\] have 3 classes, expected 4/);
    const m = metric('confusion_matrix');
    m.update(scores([0], 3), labels([0]));
    assert.throws(() => m.update(scores([0], 5), labels([0])), /have 5 classes, expected 3/);
    m.reset();
  });
});

test('metric configs: Keras names, round trips, history keys, errors naming the field', () => {
  for (const name of METRIC_NAMES) {
    const c = metric(name).getConfig();
    assert.deepEqual(metric(JSON.parse(JSON.stringify(c))).getConfig(), c);
  }
  assert.equal(metric('acc').name, 'accuracy');
  assert.equal(metric('f1_score').name, 'f1');
  assert.equal(metric({ name: 'f1', average: 'macro' }).name, 'f1Macro');
  assert.deepEqual(metric({ name: 'Recall', average: 'macro', num_classes: 10 }).getConfig(), { name: 'recall', average: 'macro', threshold: 0.5, numClasses: 10 });
  assert.throws(
    () => metric('acuracy', 'training.metrics[0]'),
    (e: unknown) => e instanceof ConfigError && /^training\.metrics\[0\]: unknown metric 'acuracy' \(did you mean 'accuracy'\?\); valid: accuracy, binaryAccuracy/.test(e.message),
  );
  assert.throws(() => metric({ name: 'f1', average: 'micro' }, 'm'), /m\.average: unknown value 'micro'.*valid: auto, binary, macro/);
  assert.throws(() => metric({ name: 'f1', numClasses: 1 }, 'm'), /m\.numClasses: expected an integer >= 2/);
});
