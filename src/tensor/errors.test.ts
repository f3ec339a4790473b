// Every libtorch error becomes a JS Error with libtorch's message, and the process lives on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ops, tensor, tidy, opId, zeros } from './index.js';
import { getNative } from '../engine/native.js';

test('mismatched shapes throw a JS Error naming both shapes, and the process lives on', () => {
  tidy(() => {
    const a = zeros([2, 3]);
    const b = zeros([4, 5]);
    assert.throws(
      () => ops.matmul(a, b),
      (e: Error) => {
        assert.equal(e.name, 'TorchError');
        assert.match(e.message, /aten::matmul\(Tensor\[2, 3\] float32, Tensor\[4, 5\] float32\)/);
        assert.match(e.message, /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/);
        return true;
      },
    );
    assert.throws(() => ops.add(a, b), /aten::add\.Tensor\(Tensor\[2, 3\] float32, Tensor\[4, 5\] float32\).*size of tensor a \(3\) must match/);
    // Still alive and computing.
    assert.deepEqual(ops.add(a, 1).toNumbers(), [1, 1, 1, 1, 1, 1]);
  });
});

test('many failing calls in a row leak nothing and never abort', () => {
  const native = getNative();
  tidy(() => {
    const a = zeros([2, 3]);
    const b = zeros([4, 5]);
    const before = native.live().tensors;
    for (let i = 0; i < 1000; i++) assert.throws(() => ops.mm(a, b));
    assert.equal(native.live().tensors, before);
  });
});

test('an unknown op name is a clear error with a suggestion', () => {
  assert.throws(() => opId('aten::matmull'), /unknown libtorch op 'aten::matmull'; did you mean 'aten::matmul'\?/);
  assert.throws(() => opId('aten::add', 'Tensors'), /the overloads of aten::add are .*'Tensor'/);
});

test('unsupported dtypes and arrays are clear errors', () => {
  assert.throws(() => tensor(new Uint16Array(4) as never), /Uint16Array is not supported/);
  assert.throws(() => getNative().fromArray(new Float32Array(4), [4], 'complex64'), /unsupported dtype 'complex64' \(supported: float32/);
  assert.throws(() => tensor(new Float32Array(5), [2, 3]), /shape \[2, 3\] holds 6 elements but the array has 5/);
  tidy(() => {
    const half = tensor([1, 2]).to('float16');
    assert.throws(() => half.toTypedArray(), /dtype float16 has no TypedArray; convert it first/);
  });
});

test('wrong argument types name the op and the argument', () => {
  tidy(() => {
    const a = zeros([2, 2]);
    assert.throws(() => ops.conv2d(a, a, null, 'x' as never), /aten::conv2d\(Tensor\[2, 2\] float32, Tensor\[2, 2\] float32, null, "x"\): argument 'stride' \(int\[\]\) expects an array of integers$/);
    assert.throws(() => ops.softmax(a, 1.5), /aten::softmax\.int\(.*\): argument 'dim' \(int\) expects an integer/);
    const native = getNative();
    assert.throws(() => native.call(opId('aten::relu'), a.h, a.h), /aten::relu takes 1 arguments, got 2/);
    assert.throws(() => native.call(opId('aten::relu')), /aten::relu: argument 'self' \(Tensor\) is required/);
    assert.throws(() => native.call(123456, a.h), /not an op id/);
  });
});

test('a disposed tensor cannot be used', () => {
  const a = zeros([2]);
  a.dispose();
  a.dispose(); // idempotent
  assert.equal(a.isDisposed, true);
  assert.throws(() => ops.relu(a), /the tensor was disposed/);
  assert.throws(() => a.toNumbers(), /the tensor was disposed/);
});
