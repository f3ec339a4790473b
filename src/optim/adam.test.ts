// Adam against torch.optim.Adam: 20 steps on the same MLP, losses and weights per step within 1e-5 relative.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithTorch, fixture, makeParams } from '../testing/torch-compare.js';
import { optimizer } from './optimizers.js';
import { ConfigError } from '../engine/errors.js';
import { dispose } from '../tensor/index.js';

test('adam agrees with torch.optim.Adam (defaults, betas, amsgrad, weight decay)', () => {
  const failures = compareWithTorch([
    { name: 'defaults', config: { name: 'adam', lr: 0.01 }, torch: 'torch.optim.Adam(params, lr=0.01)' },
    {
      name: 'betas and epsilon',
      config: { name: 'adam', lr: 0.02, beta1: 0.8, beta2: 0.95, epsilon: 1e-6 },
      torch: 'torch.optim.Adam(params, lr=0.02, betas=(0.8, 0.95), eps=1e-6)',
    },
    { name: 'amsgrad', config: { name: 'adam', lr: 0.01, amsgrad: true }, torch: 'torch.optim.Adam(params, lr=0.01, amsgrad=True)' },
    { name: 'weight decay', config: { name: 'adam', lr: 0.01, weightDecay: 0.1 }, torch: 'torch.optim.Adam(params, lr=0.01, weight_decay=0.1)' },
    {
      name: 'amsgrad with weight decay',
      config: { name: 'adam', lr: 0.01, amsgrad: true, weightDecay: 0.05 },
      torch: 'torch.optim.Adam(params, lr=0.01, amsgrad=True, weight_decay=0.05)',
    },
  ]);
  assert.deepEqual(failures, []);
});

test('adam config: defaults, beta ranges, and hints for PyTorch names', () => {
  const params = makeParams(fixture());
  assert.deepEqual(optimizer({ name: 'adam', beta_1: 0.85, eps: 1e-7 }, params).getConfig(), {
    name: 'adam', lr: 0.001, beta1: 0.85, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0, decay: 0,
  });
  for (const [field, value, message] of [
    ['beta1', 1, /optimizer\.beta1: must be < 1 \(the range is \[0, 1\)\), got 1/],
    ['beta2', -0.5, /optimizer\.beta2: must be >= 0 \(the range is \[0, 1\)\), got -0\.5/],
    ['lr', -0.001, /optimizer\.lr: must be >= 0, got -0\.001/],
    ['amsgrad', 'yes', /optimizer\.amsgrad: expected true or false/],
    ['epsilon', Number.NaN, /optimizer\.epsilon: expected a finite number/],
    ['betas', [0.9, 0.99], /optimizer\.betas: unknown field of optimizer 'adam': nnlab takes 'beta1' and 'beta2'/],
    ['bta1', 0.9, /optimizer\.bta1: unknown field of optimizer 'adam' 'bta1' \(did you mean 'beta1'\?\); valid: lr, beta1, beta2/],
  ] as const) {
    assert.throws(() => optimizer({ name: 'adam', [field]: value }, params), (e: Error) => e instanceof ConfigError && message.test(e.message), field);
  }
  dispose(params);
});
