// The fused native Adam/AdamW pass equals the op-by-op update (float64: to rounding; float32: to 1e-6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad, ops, tensor, tidy, type Tensor } from '../tensor/index.js';
import { adamState, adamStep, fusedAdamStep } from './adam.js';
import { randomValues, seededRandom } from '../testing/torch-oracle.js';

const variants = [
  { amsgrad: false, weightDecay: 0, decoupled: false },
  { amsgrad: true, weightDecay: 0.1, decoupled: false },
  { amsgrad: false, weightDecay: 0.05, decoupled: true },
  { amsgrad: true, weightDecay: 0.05, decoupled: true },
];

for (const dtype of ['float64', 'float32'] as const) {
  for (const v of variants) {
    test(`fused Adam = op path (${dtype}, amsgrad ${v.amsgrad}, weight decay ${v.weightDecay}${v.decoupled ? ' decoupled' : ''})`, () => {
      tidy(() =>
        noGrad(() => {
          const rand = seededRandom(9);
          const p0 = tensor(Float64Array.from(randomValues(rand, 1000)), [10, 100], dtype);
          const grads = Array.from({ length: 6 }, () => tensor(Float64Array.from(randomValues(rand, 1000)), [10, 100], dtype));
          const h = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, amsgrad: v.amsgrad };
          const lr = 0.01;
          const run = (fused: boolean): Tensor => {
            const p = ops.clone(p0);
            const state = adamState(p, v.amsgrad);
            grads.forEach((g, i) => {
              if (fused) {
                assert.equal(fusedAdamStep(p, g, state, i + 1, lr, h, v.weightDecay, v.decoupled), true, 'took the fused path');
              } else {
                let gg = g;
                if (v.decoupled) ops.mul_(p, 1 - lr * v.weightDecay);
                else if (v.weightDecay) gg = ops.add(g, p, v.weightDecay);
                adamStep(p, gg, state, i + 1, lr, h);
              }
            });
            return p;
          };
          const a = run(false).toNumbers();
          const b = run(true).toNumbers();
          const tol = dtype === 'float64' ? 1e-12 : 1e-6;
          a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol * (1 + Math.abs(x)), `element ${i}: ${x} vs ${b[i]}`));
          assert.ok(a.some((x, i) => x !== p0.toNumbers()[i]), 'the parameters moved');
        }),
      );
    });
  }
}

test('tensors that do not fit the fused path are left to the op path', () => {
  tidy(() => {
    const p = ops.t(tensor(Float64Array.from({ length: 6 }, (_, i) => i), [2, 3])); // not contiguous
    const g = ops.onesLike(p);
    const state = adamState(p, false);
    assert.equal(fusedAdamStep(p, g, state, 1, 0.1, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false }, 0, false), false);
    const half = tensor([1, 2]).to('float16');
    assert.equal(fusedAdamStep(half, ops.onesLike(half), adamState(half, false), 1, 0.1, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false }, 0, false), false);
  });
});
