// Tensor handles stay valid while one call makes many tensors (native/src/tensor_box.cc, ops.cc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getNative, type Handle } from '../engine/native.js';
import { allocatorStats } from '../engine/allocator.js';
import { arange, liveTensors, ops, tensor, tidy } from './index.js';

const native = getNative();

test('a call whose outputs grow the handle table leaves its inputs and every output intact', () => {
  // Guards UnwrapTensor returning a copy of the tensor, not a reference into the handle table: the table is a
  // vector that moves all its slots when it grows, so a reference held by a call while it wraps its outputs
  // would dangle. This process holds far fewer than 50,000 handles, so wrapping the 50,000 outputs of one
  // split grows the table many times within the call, and stacking them back unwraps 50,000 inputs while
  // wrapping the result; every tensor involved must still read right.
  const n = 50_000;
  tidy(() => {
    const x = ops.reshape(arange(0, 2 * n, 1, { dtype: 'float64' }), [n, 2]);
    const before = liveTensors().tensors;
    const rows = ops.split(x, 1, 0);
    assert.equal(rows.length, n);
    assert.equal(liveTensors().tensors, before + n);
    for (const i of [0, 1, 4097, n - 1]) assert.deepEqual(rows[i].toNumbers(), [2 * i, 2 * i + 1]);
    assert.equal(ops.sum(x).item(), (2 * n * (2 * n - 1)) / 2);
    const back = ops.cat(rows, 0);
    assert.equal(ops.equal(back, x), true);
    // Outputs made in one call are independent handles: freeing some leaves the others readable.
    for (let i = 0; i < n; i += 2) rows[i].dispose();
    assert.deepEqual(rows[n - 1].toNumbers(), [2 * n - 2, 2 * n - 1]);
    assert.equal(rows[0].isDisposed, true);
  });
});

test('an op called while another call converts its arguments does not disturb that call', () => {
  // An argument array with a getter runs JS in the middle of a native call's argument conversion; an op
  // called there used to clear and refill the call stack that the outer call was filling (a reused static),
  // so the outer call returned [null, result] instead of its result.
  tidy(() => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4]]);
    const c = tensor([5, 6]);
    const mul = native.opId('aten::mul', 'Scalar');
    let inner: Handle | undefined;
    const list: Handle[] = [a.h];
    Object.defineProperty(list, 1, {
      enumerable: true,
      get() {
        inner = native.call(mul, c.h, 7) as Handle;
        return b.h;
      },
    });
    const out = native.call(native.opId('aten::cat', ''), list, 0) as Handle;
    assert.equal(typeof out, 'number', `cat returned ${JSON.stringify(out)}`);
    assert.deepEqual(native.shape(out), [2, 2]);
    assert.deepEqual(Array.from(native.toArray(out) as Float32Array), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(native.toArray(inner!) as Float32Array), [35, 42]);
    native.dispose(out);
    native.dispose(inner!);
  });
});

test('a tensor disposed after an in-place op is freed at once, not kept by the call stack', () => {
  // The reused call stack used to keep the tensor an in-place op returns (its own input) until the next op
  // call, so its memory outlived dispose(). The caching allocator shows when the block really comes back.
  assert.equal(allocatorStats().caching, true);
  const x = tensor(new Float32Array(1 << 20), [1 << 20]); // 4 MiB: a cached block size
  ops.add_(x, 1);
  const cached = allocatorStats().cachedBytes;
  x.dispose();
  assert.ok(allocatorStats().cachedBytes >= cached + 4 * 1024 * 1024, 'the block went back to the allocator at dispose()');
  // Likewise after a failed call: its arguments are not kept.
  const y = tensor(new Float32Array(1 << 20), [1 << 20]);
  const z = tensor(new Float32Array(1 << 20), [1 << 10, 1 << 10]);
  assert.throws(() => ops.matmul(y, z), /size mismatch|cannot be multiplied|must match/);
  const cachedYZ = allocatorStats().cachedBytes;
  y.dispose();
  z.dispose();
  assert.ok(allocatorStats().cachedBytes >= cachedYZ + 8 * 1024 * 1024, "the blocks of a failed call's arguments came back");
});
