// AdamW against torch.optim.AdamW: 20 steps on the same MLP, losses and weights per step within 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch, fixture, makeParams } from '../testing/torch-compare.js';
import { optimizer } from './optimizers.js';
import { dispose } from '../tensor/index.js';

test('adamw agrees with torch.optim.AdamW (defaults, strong decay, amsgrad)', () => {
  const failures = compareWithTorch([
    { name: 'defaults', config: { name: 'adamw', lr: 0.01 }, torch: 'torch.optim.AdamW(params, lr=0.01)' },
    { name: 'weight decay 0.5', config: { name: 'adamw', lr: 0.01, weightDecay: 0.5 }, torch: 'torch.optim.AdamW(params, lr=0.01, weight_decay=0.5)' },
    {
      name: 'amsgrad and betas',
      config: { name: 'adamw', lr: 0.01, amsgrad: true, beta1: 0.85, beta2: 0.99 },
      torch: 'torch.optim.AdamW(params, lr=0.01, amsgrad=True, betas=(0.85, 0.99))',
    },
  ]);
  assert.deepEqual(failures, []);
});

test("adamw config: PyTorch's default weight decay 0.01, decoupled from Adam's", () => {
  const params = makeParams(fixture());
  assert.deepEqual(optimizer({ name: 'AdamW' }, params).getConfig(), {
    name: 'adamw', lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0.01, decay: 0,
  });
  dispose(params);
});
