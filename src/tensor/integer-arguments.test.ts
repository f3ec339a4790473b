// Numbers where the addon needs an integer (shapes, int op arguments, thread counts, seeds, op ids, tensor
// handles): NaN, infinities, values beyond int64 and fractions are rejected before any conversion (a C++
// float-to-int cast of them is undefined behaviour), with an error naming the argument and the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getNative } from '../engine/native.js';
import { getThreads, setThreads } from '../engine/threads.js';
import { ops, tensor, tidy, zeros } from './index.js';

const native = getNative();

/** Numbers that are not integers int64 holds, with their text (as JS writes it) escaped for a RegExp. */
const BAD: [number, string][] = [NaN, Infinity, -Infinity, 1e30, 2 ** 63, 2.5].map((v) => [v, escapeRe(String(v))]);

function escapeRe(text: string): string {
  return text.replace(/[.+]/g, '\\$&');
}

function rejects(fn: () => unknown, message: RegExp, kind: ErrorConstructor = RangeError): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof kind, `${e.name}: ${e.message} is not a ${kind.name}`);
    assert.match(e.message, message);
    return true;
  });
}

test('a shape element that is not a non-negative integer is a RangeError naming its position and value', () => {
  for (const [bad, text] of BAD) {
    rejects(() => native.fromArray(new Float32Array(0), [2, bad]), new RegExp(`^fromArray: shape\\[1\\] expects a non-negative integer, got ${text}$`));
    rejects(() => ops.zeros([bad]), new RegExp(`aten::zeros\\(.*\\): argument 'size' \\(int\\[\\]\\) expects an integer, got ${text}$`));
  }
  rejects(() => native.fromArray(new Float32Array(0), [-1]), /shape\[0\] expects a non-negative integer, got -1$/);
  rejects(() => native.fromArray(new Float32Array(0), ['2' as never]), /shape\[0\] expects a non-negative integer, got the string '2'$/, TypeError);
  rejects(() => native.fromArray(new Float32Array(0), [2 ** 40, 2 ** 40, 0]), /fromArray: shape \[1099511627776, 1099511627776, 0\] has more than 2\^63 elements/);
  // The largest exact integers still pass the check and reach libtorch (which has its own limits).
  tidy(() => assert.deepEqual(ops.zeros([0, 2 ** 53]).shape, [0, 2 ** 53]));
});

test('an int op argument that is not an integer is a RangeError naming the op, the argument and the value', () => {
  tidy(() => {
    const a = zeros([2, 3]);
    for (const [bad, text] of BAD) {
      rejects(() => ops.softmax(a, bad), new RegExp(`^aten::softmax\\.int\\(.*\\): argument 'dim' \\(int\\) expects an integer, got ${text}$`));
      rejects(() => ops.narrow(a, 1, bad, 1), new RegExp(`argument 'start' \\(int\\) expects an integer, got ${text}$`));
      rejects(() => ops.view(a, [bad, 3]), new RegExp(`argument 'size' \\(int\\[\\]\\) expects an integer, got ${text}$`));
    }
    rejects(() => ops.softmax(a, '1' as never), /argument 'dim' \(int\) expects an integer, got the string '1'$/, TypeError);
    // Integral values still work, negative ones included.
    assert.deepEqual(ops.softmax(a, -1).shape, [2, 3]);
  });
});

test('thread counts and seeds that are not integers are RangeErrors, and change nothing', () => {
  const before = getThreads();
  for (const [bad, text] of BAD) {
    rejects(() => setThreads({ intraOp: bad }), new RegExp(`^setIntraOpThreads: the thread count expects a positive integer, got ${text}$`));
    rejects(() => native.setBlasThreads(bad), new RegExp(`^setBlasThreads: the thread count expects a positive integer, got ${text}$`));
    rejects(() => native.manualSeed(bad), new RegExp(`^manualSeed: the seed expects a non-negative integer, got ${text}$`));
  }
  rejects(() => setThreads({ intraOp: 2 ** 31 }), /thread count expects a positive integer, got 2147483648$/);
  rejects(() => native.manualSeed(-1), /the seed expects a non-negative integer, got -1$/);
  rejects(() => native.setIntraOpThreads(undefined as never), /the thread count expects a positive integer, got undefined$/, TypeError);
  assert.deepEqual(getThreads(), before);
});

test('op ids, repeat counts and tensor handles that are not integers name no op and no tensor', () => {
  tidy(() => {
    const a = tensor([1, -2]);
    const relu = native.opId('aten::relu', '');
    // 2^32 used to wrap to op 0 and 1.5 to op 1, calling an op nobody asked for.
    for (const id of [relu + 0.5, 2 ** 32, -1, NaN, Infinity]) {
      rejects(() => native.call(id, a.h), new RegExp(`^call: not an op id \\(get one with opId\\), got ${escapeRe(String(id))}`), TypeError);
    }
    rejects(() => native.loopOp(relu, 2.5, a.h), /^loopOp: the repeat count expects a non-negative integer, got 2\.5$/);
    // A fraction of a live handle used to name that handle's slot.
    for (const h of [a.h + 0.5, NaN, Infinity, -1, 2 ** 60]) {
      rejects(() => native.toArray(h as never), /^toArray: expected a tensor, got the number .* \(not a tensor handle\)$/, TypeError);
      assert.equal(native.dispose(h as never), false);
    }
    assert.deepEqual(a.toNumbers(), [1, -2]);
  });
});

test('the fused Adam step checks its step count and hyper-parameters', () => {
  tidy(() => {
    const [p, g, m, v] = [zeros([4]), zeros([4]), zeros([4]), zeros([4])];
    for (const [bad, text] of BAD) {
      rejects(() => native.adamStep(p.h, g.h, m.h, v.h, null, 0.1, 0.9, 0.999, 1e-8, 0, false, bad), new RegExp(`^adamStep: step expects a positive integer, got ${text}$`));
    }
    rejects(() => native.adamStep(p.h, g.h, m.h, v.h, null, '0.1' as never, 0.9, 0.999, 1e-8, 0, false, 1), /^adamStep: lr expects a number, got the string '0\.1'$/, TypeError);
    assert.equal(native.adamStep(p.h, g.h, m.h, v.h, null, 0.1, 0.9, 0.999, 1e-8, 0, false, 1), true);
  });
});
