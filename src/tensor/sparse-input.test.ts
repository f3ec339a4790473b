// The dense layer over sparse inputs (sparse-input.ts, native/src/sparse_linear.cc) equals aten::linear: the
// product, and the weight and bias gradients through autograd, on every kernel variant this CPU runs, at the
// shapes that exercise the panels' edges, at densities on both sides of the switch to the BLAS path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getNative } from '../engine/native.js';
import { getThreads, setThreads } from '../engine/threads.js';
import { keep, noGrad, ops, tensor, tidy, type Tensor } from './index.js';
import { sparseInputLinear } from './sparse-input.js';
import { seededRandom } from '../testing/torch-oracle.js';

const native = getNative();

/** [rows, cols] float32 with about `density` of the entries nonzero (uniform in [0, 1), as scaled pixels). */
function sparseMatrix(rand: () => number, rows: number, cols: number, density: number): Tensor {
  const v = new Float32Array(rows * cols);
  for (let i = 0; i < v.length; i++) v[i] = rand() < density ? rand() : 0;
  return tensor(v, [rows, cols]);
}

function randomMatrix(rand: () => number, rows: number, cols: number): Tensor {
  return tensor(Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1), [rows, cols]);
}

/** The largest difference relative to the largest magnitude of the reference. */
function relativeError(a: Tensor, ref: Tensor): number {
  const x = a.toNumbers();
  const y = ref.toNumbers();
  assert.equal(x.length, y.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return diff / (scale || 1);
}

/** Forward and gradients of loss = Σ (y ⊙ r) through sparseInputLinear and through ops.linear. */
function both(x: Tensor, w0: Tensor, b0: Tensor | null, r: Tensor) {
  const run = (sparse: boolean) =>
    tidy(() => {
      const w = ops.clone(w0).requiresGrad_();
      const b = b0 ? ops.clone(b0).requiresGrad_() : null;
      const y = sparse ? sparseInputLinear(x, w, b) : ops.linear(x, w, b);
      ops.sum(ops.mul(y, r)).backward();
      return { y: keep(ops.detach(y)), dw: keep(w.grad!), db: b ? keep(b.grad!) : null, gradFn: y.gradFn };
    });
  return { sparse: run(true), dense: run(false) };
}

const best = native.sparseLinearIsa(); // the CPU's best: put back after each test that switches
const variants = ['avx512', 'avx2', 'generic'].filter((v) => {
  try {
    native.sparseLinearIsa(v);
    return true;
  } catch {
    return false;
  }
});
native.sparseLinearIsa(best);

for (const variant of variants) {
  test(`sparse-input linear (${variant}) = aten::linear: product, weight and bias gradients, at panel edges and on both sides of the density switch`, () => {
    native.sparseLinearIsa(variant);
    try {
      const rand = seededRandom(3);
      // [batch, in, out]: MNIST's 784 -> 800; outputs that are not a multiple of a vector or a panel; a
      // batch of 1; an input width that is not a multiple of the compress step.
      const shapes = [[256, 784, 800], [7, 101, 33], [1, 101, 10], [32, 50, 1], [33, 784, 130]];
      for (const [batch, inputs, outputs] of shapes) {
        for (const density of [0.19, 0.6]) {
          for (const withBias of [true, false]) {
            tidy(() => {
              const x = sparseMatrix(rand, batch, inputs, density);
              const w = randomMatrix(rand, outputs, inputs);
              const b = withBias ? randomMatrix(rand, 1, outputs).reshape([outputs]) : null;
              const r = randomMatrix(rand, batch, outputs);
              const { sparse, dense } = both(x, w, b, r);
              const what = `[${batch}, ${inputs}] -> ${outputs}, density ${density}, bias ${withBias}`;
              assert.ok(relativeError(sparse.y, dense.y) < 2e-6, `product ${what}: ${relativeError(sparse.y, dense.y)}`);
              assert.ok(relativeError(sparse.dw, dense.dw) < 2e-6, `weight gradient ${what}: ${relativeError(sparse.dw, dense.dw)}`);
              if (b) assert.ok(relativeError(sparse.db!, dense.db!) < 2e-6, `bias gradient ${what}`);
              assert.ok(sparse.gradFn !== null, 'the result is in the graph');
            });
          }
        }
      }
    } finally {
      native.sparseLinearIsa(best);
    }
  });
}

test('sparse-input linear splits its work over the intra-op pool where that has the threads (MKL builds), with the same results', () => {
  const before = getThreads().intraOp;
  setThreads({ intraOp: 2 });
  try {
    tidy(() => {
      const rand = seededRandom(11);
      for (const [batch, inputs, outputs] of [[256, 784, 800], [1000, 784, 130]]) {
        const x = sparseMatrix(rand, batch, inputs, 0.2);
        const w = randomMatrix(rand, outputs, inputs);
        const b = randomMatrix(rand, 1, outputs).reshape([outputs]);
        const { sparse, dense } = both(x, w, b, randomMatrix(rand, batch, outputs));
        assert.ok(relativeError(sparse.y, dense.y) < 2e-6);
        assert.ok(relativeError(sparse.dw, dense.dw) < 2e-6);
        assert.ok(relativeError(sparse.db!, dense.db!) < 2e-6);
      }
    });
  } finally {
    setThreads({ intraOp: before });
  }
});

test('sparse-input linear without a graph (evaluation) equals the product, reading the inference kernel in place or packing, on every kernel variant', () => {
  for (const variant of variants) {
    native.sparseLinearIsa(variant);
    try {
      evaluationCases();
    } finally {
      native.sparseLinearIsa(best);
    }
  }
});

function evaluationCases() {
  tidy(() =>
    noGrad(() => {
      const rand = seededRandom(5);
      // 800 outputs fill whole panels (read from the kernel in place); 33 and 10 end in a partial one (packed)
      for (const [batch, inputs, outputs] of [[1000, 784, 800], [32, 784, 800], [7, 101, 33], [1, 101, 10]]) {
        for (const density of [0.1, 0.9]) {
          const x = sparseMatrix(rand, batch, inputs, density);
          const w = randomMatrix(rand, outputs, inputs);
          const b = randomMatrix(rand, 1, outputs).reshape([outputs]);
          const kernel = ops.contiguous(ops.transpose(w, 0, 1));
          const ref = ops.linear(x, w, b);
          const what = `[${batch}, ${inputs}] -> ${outputs}, density ${density}`;
          assert.ok(relativeError(sparseInputLinear(x, w, b), ref) < 2e-6, what);
          const viaKernel = sparseInputLinear(x, w, b, kernel);
          assert.ok(relativeError(viaKernel, ref) < 2e-6, `${what}, with the kernel`);
          assert.ok(relativeError(sparseInputLinear(x, w, null, kernel), ops.linear(x, w, null)) < 2e-6, `${what}, no bias`);
          assert.equal(viaKernel.gradFn, null);
        }
      }
    }),
  );
}

test('an input that needs a gradient gets it; other dtypes and all-zero batches go through as aten::linear', () => {
  tidy(() => {
    const rand = seededRandom(8);
    const x = sparseMatrix(rand, 16, 40, 0.2).requiresGrad_();
    const w = randomMatrix(rand, 24, 40);
    const y = sparseInputLinear(x, w, null);
    ops.sum(y).backward();
    const xRef = ops.detach(x).requiresGrad_();
    ops.sum(ops.linear(xRef, w, null)).backward();
    assert.ok(relativeError(x.grad!, xRef.grad!) < 1e-6);

    const x64 = sparseMatrix(rand, 4, 6, 0.2).to('float64');
    const w64 = randomMatrix(rand, 3, 6).to('float64');
    const y64 = sparseInputLinear(x64, w64, null);
    assert.equal(y64.dtype, 'float64');
    assert.deepEqual(y64.toNumbers(), ops.linear(x64, w64, null).toNumbers(), 'float64: aten::linear itself');

    const zeros = tensor(new Float32Array(5 * 6), [5, 6]);
    const b = randomMatrix(rand, 1, 3).reshape([3]);
    const yz = sparseInputLinear(zeros, w64.to('float32'), b);
    for (let i = 0; i < 5; i++) assert.deepEqual(yz.toNumbers().slice(i * 3, i * 3 + 3), b.toNumbers(), 'an all-zero row is the bias');
  });
});

test('a NaN input propagates as in the BLAS product; a shape mismatch is aten::linear error naming the shapes', () => {
  tidy(() => {
    const rand = seededRandom(2);
    const x = sparseMatrix(rand, 4, 20, 0.1);
    const values = x.toNumbers();
    values[5] = NaN;
    const xn = tensor(Float32Array.from(values), [4, 20]);
    const w = randomMatrix(rand, 8, 20);
    const y = sparseInputLinear(xn, w, null).toNumbers();
    const ref = ops.linear(xn, w, null).toNumbers();
    for (let i = 0; i < y.length; i++) assert.equal(Number.isNaN(y[i]), Number.isNaN(ref[i]), `output ${i}`);
    assert.ok(y.slice(0, 8).every(Number.isNaN) && y.slice(8).every(Number.isFinite));

    assert.throws(
      () => sparseInputLinear(x, randomMatrix(rand, 8, 21), null),
      (e: Error) => /^aten::linear\(Tensor\[4, 20\] float32, Tensor\[8, 21\] float32, null\): .*4x20 and 21x8/.test(e.message),
    );
  });
});

test('which path a product takes: over the nonzeros at 19%, the BLAS at 60%; the first dense layer of a model trains and evaluates on the sparse path, its hidden layer trains on the BLAS', async () => {
  const { Sequential } = await import('../nn/model.js');
  const delta = (f: () => void) => {
    const before = native.sparseLinearInfo();
    f();
    const after = native.sparseLinearInfo();
    return { sparse: after.sparse - before.sparse, blas: after.blas - before.blas };
  };
  const rand = seededRandom(4);
  tidy(() => {
    const w = randomMatrix(rand, 30, 50).requiresGrad_();
    const sparseBatch = sparseMatrix(rand, 64, 50, 0.19);
    const denseBatch = sparseMatrix(rand, 64, 50, 0.6);
    // forward and weight gradient: two products each
    assert.deepEqual(delta(() => ops.sum(sparseInputLinear(sparseBatch, w, null)).backward()), { sparse: 2, blas: 0 });
    assert.deepEqual(delta(() => ops.sum(sparseInputLinear(denseBatch, w, null)).backward()), { sparse: 0, blas: 2 });
  });
  const model = new Sequential({ inputShape: [50], layers: [{ type: 'dense', units: 40, activation: 'relu' }, { type: 'dense', units: 5 }] });
  try {
    tidy(() => {
      const x = sparseMatrix(rand, 64, 50, 0.19);
      const step = delta(() => ops.sum(model.forward(x, { training: true })).backward());
      assert.deepEqual(step, { sparse: 2, blas: 0 }, 'the first layer over the nonzeros; the second (its input needs a gradient) through ops.linear');
      const inference = model.inferenceWeights();
      try {
        // Without a graph no input needs a gradient: both layers check their input, the hidden one's ReLU
        // outputs go whichever way their density says.
        const evaluation = delta(() => noGrad(() => model.forward(x, { training: false, inference: inference.weights })));
        assert.ok(evaluation.sparse >= 1 && evaluation.sparse + evaluation.blas === 2, JSON.stringify(evaluation));
      } finally {
        inference.dispose();
      }
    });
  } finally {
    model.dispose();
  }
});
