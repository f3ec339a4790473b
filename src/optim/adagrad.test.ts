// Adagrad against torch.optim.Adagrad: 20 steps on the same MLP, losses and weights per step within 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch, fixture, makeParams } from '../testing/torch-compare.js';
import { optimizer } from './optimizers.js';
import { dispose } from '../tensor/index.js';

test('adagrad agrees with torch.optim.Adagrad (defaults, initial accumulator, lrDecay, weight decay)', () => {
  const failures = compareWithTorch([
    { name: 'defaults', config: { name: 'adagrad', lr: 0.05 }, torch: 'torch.optim.Adagrad(params, lr=0.05)' },
    {
      name: 'initial accumulator and epsilon',
      config: { name: 'adagrad', lr: 0.05, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
      torch: 'torch.optim.Adagrad(params, lr=0.05, initial_accumulator_value=0.1, eps=1e-7)',
    },
    {
      name: 'lrDecay and weight decay',
      config: { name: 'adagrad', lr: 0.05, lrDecay: 0.05, weightDecay: 0.02 },
      torch: 'torch.optim.Adagrad(params, lr=0.05, lr_decay=0.05, weight_decay=0.02)',
    },
  ]);
  assert.deepEqual(failures, []);
});

test('adagrad config: defaults and snake_case names', () => {
  const params = makeParams(fixture());
  assert.deepEqual(optimizer({ name: 'adagrad', initial_accumulator_value: 0.1, lr_decay: 0.01 }, params).getConfig(), {
    name: 'adagrad', lr: 0.01, initialAccumulatorValue: 0.1, epsilon: 1e-10, lrDecay: 0.01, weightDecay: 0, decay: 0,
  });
  assert.throws(() => optimizer({ name: 'adagrad', initialAccumulatorValue: -1 }, params), /optimizer\.initialAccumulatorValue: must be >= 0/);
  dispose(params);
});
