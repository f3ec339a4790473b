// Output heads: probabilities and classes from one-unit sigmoid, logit, score and softmax outputs, and the
// trainer's predictClasses on a one-unit model (it called every sample class 1 once).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { Sequential } from './model.js';
import { classProbabilities, metricInput, outputHead, predictedClasses, type OutputHead } from './outputs.js';
import { Trainer } from '../train/trainer.js';

const close = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-6);
const model = (units: number, activation: string) => new Sequential({ inputShape: [3], layers: [{ type: 'dense', units, activation }] });

test('heads: a model ending in sigmoid or softmax gives probabilities; a logit loss gives logits; else scores', () => {
  const cases: [number, string, Record<string, unknown> | undefined, OutputHead][] = [
    [1, 'sigmoid', { name: 'binaryCrossentropy', fromLogits: false }, { units: 1, kind: 'probabilities', activation: 'sigmoid' }],
    [1, 'linear', { name: 'binaryCrossentropy', fromLogits: true }, { units: 1, kind: 'logits', activation: null }],
    [1, 'linear', { name: 'meanSquaredError' }, { units: 1, kind: 'scores', activation: null }],
    [4, 'softmax', undefined, { units: 4, kind: 'probabilities', activation: 'softmax' }],
  ];
  for (const [units, act, loss, head] of cases) {
    const m = model(units, act);
    assert.deepEqual(outputHead(m, loss), head, `${units} ${act}`);
    m.dispose();
  }
});

test('one unit: P(class 1) = p, probabilities [1 − p, p], class 1 where p > 0.5, whatever the head holds', () => {
  tidy(() => {
    const p = [0.9, 0.2, 0.5, 0.51];
    const logit = p.map((v) => Math.log(v / (1 - v)));
    const heads: [OutputHead, number[], boolean][] = [
      [{ units: 1, kind: 'probabilities', activation: 'sigmoid' }, p, false],
      [{ units: 1, kind: 'probabilities', activation: 'sigmoid' }, logit, true], // computed without the sigmoid
      [{ units: 1, kind: 'logits', activation: null }, logit, false],
      [{ units: 1, kind: 'scores', activation: null }, p, false],
    ];
    for (const [head, values, pre] of heads) {
      const out = tensor(values, [4, 1]);
      assert.ok(close(classProbabilities(out, head, pre).toNumbers(), p.flatMap((v) => [1 - v, v])), `${head.kind} ${pre}`);
      assert.deepEqual(predictedClasses(out, head, pre).toNumbers(), [1, 0, 0, 1]);
      assert.ok(close(metricInput(out, head, pre).toNumbers(), p), 'metrics see P(class 1)');
    }
    assert.deepEqual(classProbabilities(tensor([-0.5, 1.7], [2, 1]), { units: 1, kind: 'scores', activation: null }).toNumbers(), [1, 0, 0, 1], 'scores are clamped to [0, 1]');
  });
});

test('C units: softmax outputs as they are, logits through softmax, the argmax as the class', () => {
  tidy(() => {
    const logits = tensor([[2, 0, -1], [0, 0, 3]]);
    const probs = ops.softmax(logits, -1);
    const expected = probs.toNumbers();
    const softmax: OutputHead = { units: 3, kind: 'probabilities', activation: 'softmax' };
    assert.ok(close(classProbabilities(probs, softmax).toNumbers(), expected));
    assert.ok(close(classProbabilities(logits, softmax, true).toNumbers(), expected));
    assert.ok(close(classProbabilities(logits, { units: 3, kind: 'logits', activation: null }).toNumbers(), expected));
    assert.deepEqual(predictedClasses(logits, softmax, true).toNumbers(), [0, 2]);
  });
});

test('Trainer.predictClasses and predictProbabilities of a one-unit sigmoid model follow its probabilities', () => {
  const before = liveTensors().tensors;
  manualSeed(3);
  const m = model(1, 'sigmoid');
  const trainer = new Trainer(m, { optimizer: { name: 'sgd' }, loss: 'binaryCrossentropy' });
  tidy(() => {
    const x = ops.randn([64, 3], 'float32');
    const p = trainer.predict(x).toNumbers();
    assert.ok(p.some((v) => v < 0.5) && p.some((v) => v > 0.5), 'both sides occur');
    assert.deepEqual(trainer.predictClasses(x).toNumbers(), p.map((v) => (v > 0.5 ? 1 : 0)));
    assert.ok(close(trainer.predictProbabilities(x).toNumbers(), p.flatMap((v) => [1 - v, v])));
  });
  trainer.dispose();
  m.dispose();
  assert.equal(liveTensors().tensors, before);
});
