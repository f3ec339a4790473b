// The evaluation fast paths give the numbers of the plain ones: dense layers on their transposed kernels
// (Sequential.inferenceWeights), and the fused cross-entropy for logits and labels.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveTensors, noGrad, ones, ops, randn, tensor, tidy } from '../tensor/index.js';
import { manualSeed } from '../engine/seed.js';
import { Sequential } from './model.js';
import { loss } from './losses.js';

test('a forward pass on the inference weights equals the plain one, and the weights are freed after', () => {
  manualSeed(3);
  const model = new Sequential({ inputShape: [20], layers: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dense', units: 5, useBias: false, activation: 'softmax' }] });
  try {
    const before = liveTensors().tensors;
    const inference = model.inferenceWeights();
    assert.equal(inference.weights.size, 2);
    const [plain, fast] = noGrad(() =>
      tidy(() => {
        const x = randn([33, 20]);
        return [model.forward(x, { training: false }).toNumbers(), model.forward(x, { training: false, inference: inference.weights }).toNumbers()];
      }),
    );
    inference.dispose();
    assert.equal(liveTensors().tensors, before);
    const worst = Math.max(...plain.map((v, i) => Math.abs(v - fast[i])));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  } finally {
    model.dispose();
  }
});

test('the fused cross-entropy for logits [N, C] and labels [N] equals the general path, gradient too', () => {
  const sce = loss({ name: 'sparseCategoricalCrossentropy', fromLogits: true });
  const logits = tensor([[2, -1, 0.5], [0.1, 0.2, 3], [-2, 4, 1], [0, 0, 0]]).requiresGrad_(true);
  const labels = tensor([0, 2, 1, 1], [4], 'int64');
  const fused = sce.compute(logits, labels);
  fused.backward();
  const g1 = logits.grad!.toNumbers();
  const logits2 = tensor([[2, -1, 0.5], [0.1, 0.2, 3], [-2, 4, 1], [0, 0, 0]]).requiresGrad_(true);
  const general = sce.compute(logits2, labels, ones([4])); // sample weights of 1: the op-by-op path
  general.backward();
  assert.ok(Math.abs(fused.item() - general.item()) < 1e-6, `${fused.item()} vs ${general.item()}`);
  const g2 = logits2.grad!.toNumbers();
  assert.ok(g1.every((v, i) => Math.abs(v - g2[i]) < 1e-6));
  assert.ok(Math.abs(fused.item() - ops.crossEntropyLoss(logits, labels).item()) < 1e-7);
});
