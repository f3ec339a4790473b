// SGD against torch.optim.SGD: 20 steps on the same MLP, losses and weights per step within 1e-5 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch } from '../testing/torch-compare.js';
import { optimizer } from './optimizers.js';
import { makeParams, fixture } from '../testing/torch-compare.js';
import { ConfigError } from '../engine/errors.js';
import { dispose } from '../tensor/index.js';

test('sgd agrees with torch.optim.SGD (plain, momentum, nesterov, dampening, weight decay)', () => {
  const failures = compareWithTorch([
    { name: 'plain', config: { name: 'sgd', lr: 0.1 }, torch: 'torch.optim.SGD(params, lr=0.1)' },
    { name: 'momentum', config: { name: 'sgd', lr: 0.05, momentum: 0.9 }, torch: 'torch.optim.SGD(params, lr=0.05, momentum=0.9)' },
    { name: 'nesterov', config: { name: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true }, torch: 'torch.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True)' },
    {
      name: 'dampening and weight decay',
      config: { name: 'sgd', lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 },
      torch: 'torch.optim.SGD(params, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)',
    },
  ]);
  assert.deepEqual(failures, []);
});

test('sgd config: defaults, Keras spellings, and errors naming the field', () => {
  const params = makeParams(fixture());
  const opt = optimizer({ name: 'SGD', learning_rate: 0.2, momentum: 0.5 }, params);
  assert.deepEqual(opt.getConfig(), { name: 'sgd', lr: 0.2, momentum: 0.5, nesterov: false, weightDecay: 0, dampening: 0, decay: 0 });
  assert.throws(() => optimizer({ name: 'sgd', nesterov: true }, params, 'training.optimizer'), (e: Error) => e instanceof ConfigError && /^training\.optimizer\.nesterov: .*momentum > 0/.test(e.message));
  assert.throws(() => optimizer({ name: 'sgd', momentum: -0.1 }, params), /optimizer\.momentum: must be >= 0/);
  assert.throws(() => optimizer({ name: 'sgd', dampening: 2 }, params), /optimizer\.dampening: must be <= 1/);
  dispose(params);
});
