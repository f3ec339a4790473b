// Autograd against finite differences: central differences in float64 agree with backward().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ops, tensor, tidy, noGrad, type Tensor } from './index.js';
import { randomValues, seededRandom } from '../testing/torch-oracle.js';

/** d f / d x[i] by central differences, for every element of every input. */
function numericGrads(f: (xs: Tensor[]) => Tensor, inputs: Tensor[], eps = 1e-6): number[][] {
  return inputs.map((x, k) => {
    const values = x.toNumbers();
    return values.map((v, i) =>
      tidy(() =>
        noGrad(() => {
          const at = (delta: number) => {
            const shifted = [...values];
            shifted[i] = v + delta;
            const args = inputs.map((y, j) => (j === k ? tensor(Float64Array.from(shifted), x.shape) : y));
            return f(args).item();
          };
          return (at(eps) - at(-eps)) / (2 * eps);
        }),
      ),
    );
  });
}

test('backward matches finite differences on a composite function', () => {
  const rand = seededRandom(7);
  tidy(() => {
    const x = tensor(Float64Array.from(randomValues(rand, 12)), [3, 4]).requiresGrad_();
    const w = tensor(Float64Array.from(randomValues(rand, 20)), [4, 5]).requiresGrad_();
    const b = tensor(Float64Array.from(randomValues(rand, 5)), [5]).requiresGrad_();
    // tanh(x w + b), a softmax cross-entropy-like log-sum-exp, and a product: several backward formulas chained.
    const f = ([x, w, b]: Tensor[]) => {
      const h = ops.tanh(ops.addmm(b, x, w));
      return ops.sum(ops.mul(ops.logsumexp(h, [1]), ops.sigmoid(ops.sumDim(h, [1]))));
    };
    f([x, w, b]).backward();
    const numeric = numericGrads(f, [x, w, b]);
    [x, w, b].forEach((t, k) => {
      const analytic = t.grad!.toNumbers();
      analytic.forEach((g, i) => {
        assert.ok(Math.abs(g - numeric[k][i]) < 1e-7 + 1e-6 * Math.abs(g), `input ${k}[${i}]: ${g} vs ${numeric[k][i]}`);
      });
    });
  });
});

test('gradients accumulate across backward calls and zeroGrad clears them', () => {
  tidy(() => {
    const x = tensor([1, 2, 3], undefined, 'float64').requiresGrad_();
    ops.sum(ops.mul(x, x)).backward();
    ops.sum(ops.mul(x, x)).backward();
    assert.deepEqual(x.grad!.toNumbers(), [4, 8, 12]);
    x.zeroGrad();
    assert.equal(x.grad, null);
    ops.sum(x).backward();
    x.zeroGrad(false);
    assert.deepEqual(x.grad!.toNumbers(), [0, 0, 0]);
  });
});

test('noGrad records no graph; detach cuts it', () => {
  tidy(() => {
    const x = tensor([1, 2], undefined, 'float64').requiresGrad_();
    const y = noGrad(() => ops.mul(x, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = ops.mul(x, 2);
    assert.match(z.gradFn!, /^MulBackward/);
    assert.equal(ops.detach(z).requiresGrad, false);
  });
});
