// RMSprop against torch.optim.RMSprop: 20 steps on the same MLP, losses and weights per step within 1e-5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch, fixture, makeParams } from '../testing/torch-compare.js';
import { optimizer } from './optimizers.js';
import { dispose } from '../tensor/index.js';

test('rmsprop agrees with torch.optim.RMSprop (plain, centered with momentum, weight decay)', () => {
  const failures = compareWithTorch([
    { name: 'defaults', config: { name: 'rmsprop' }, torch: 'torch.optim.RMSprop(params)' },
    { name: 'rho 0.9, epsilon 1e-6', config: { name: 'rmsprop', lr: 0.005, rho: 0.9, epsilon: 1e-6 }, torch: 'torch.optim.RMSprop(params, lr=0.005, alpha=0.9, eps=1e-6)' },
    { name: 'momentum', config: { name: 'rmsprop', lr: 0.003, momentum: 0.7 }, torch: 'torch.optim.RMSprop(params, lr=0.003, momentum=0.7)' },
    {
      name: 'centered with momentum',
      config: { name: 'rmsprop', lr: 0.003, momentum: 0.5, centered: true },
      torch: 'torch.optim.RMSprop(params, lr=0.003, momentum=0.5, centered=True)',
    },
    { name: 'centered', config: { name: 'rmsprop', lr: 0.005, centered: true }, torch: 'torch.optim.RMSprop(params, lr=0.005, centered=True)' },
    { name: 'weight decay', config: { name: 'rmsprop', lr: 0.005, weightDecay: 0.05 }, torch: 'torch.optim.RMSprop(params, lr=0.005, weight_decay=0.05)' },
  ]);
  assert.deepEqual(failures, []);
});

test("rmsprop config: PyTorch's alpha is rho; rho must lie in [0, 1)", () => {
  const params = makeParams(fixture());
  assert.equal(optimizer({ name: 'rmsprop', alpha: 0.8 }, params).getConfig().rho, 0.8);
  assert.deepEqual(optimizer({ name: 'rmsprop' }, params).getConfig(), {
    name: 'rmsprop', lr: 0.01, rho: 0.99, epsilon: 1e-8, momentum: 0, centered: false, weightDecay: 0, decay: 0,
  });
  assert.throws(() => optimizer({ name: 'rmsprop', rho: 1 }, params), /optimizer\.rho: must be < 1 \(the range is \[0, 1\)\), got 1/);
  assert.throws(() => optimizer({ name: 'rmsprop', rho: 0.9, alpha: 0.9 }, params), /optimizer\.alpha: field 'rho' .* given twice/);
  dispose(params);
});
