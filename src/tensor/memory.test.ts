// Native memory is freed: explicit dispose, tidy scopes, `using`, and — for tensors dropped without any of
// these — V8's garbage collector. The live-tensor counter and RSS are the evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { keep, liveTensors, ops, tensor, tidy, type Tensor } from './index.js';

const gc = (globalThis as { gc?: () => void }).gc;

async function collect(): Promise<void> {
  assert.ok(gc, 'run the tests with node --expose-gc');
  for (let i = 0; i < 6; i++) {
    gc();
    await tick(); // finalizers of napi externals run after the collection
  }
}

function iteration(data: Float32Array): void {
  const a = tensor(data, [16, 16]);
  const b = ops.add(a, a);
  const c = b.relu();
  const d = ops.matmul(c, a);
  for (const t of [a, b, c, d]) t.dispose();
}

test('100,000 create/op/dispose iterations: live tensors back to baseline, RSS within 5% after warm-up', async () => {
  const data = new Float32Array(256).fill(0.5);
  const base = liveTensors().tensors;
  // Warm-up: allocator arenas and V8's heap (which holds the FinalizationRegistry cells) reach their steady size.
  for (let i = 0; i < 200_000; i++) iteration(data);
  await collect();
  const warm = process.memoryUsage().rss;
  for (let i = 0; i < 100_000; i++) iteration(data);
  assert.equal(liveTensors().tensors, base);
  await collect();
  const after = process.memoryUsage().rss;
  assert.ok(after <= warm * 1.05, `RSS grew from ${warm} to ${after} bytes`);
});

test('the live-byte counter follows tensor sizes', () => {
  const before = liveTensors();
  const t = tensor(new Float64Array(1000), [10, 100]);
  assert.equal(liveTensors().tensors, before.tensors + 1);
  assert.equal(liveTensors().bytes, before.bytes + 8000);
  t.dispose();
  assert.deepEqual(liveTensors(), before);
});

test('tensors dropped without dispose are reclaimed by the garbage collector', async () => {
  await collect();
  const base = liveTensors().tensors;
  (() => {
    const data = new Float32Array(1024);
    for (let i = 0; i < 5_000; i++) ops.add(tensor(data), 1);
  })();
  assert.ok(liveTensors().tensors >= base, 'counter is sane');
  await collect();
  assert.ok(liveTensors().tensors <= base + 10, `${liveTensors().tensors - base} tensors still alive after GC`);
});

test('tidy frees intermediates, keeps what it returns, and frees everything on a throw', () => {
  const base = liveTensors().tensors;
  const [kept, also] = tidy(() => {
    const x = tensor([1, 2, 3]);
    const y = ops.mul(x, 2);
    ops.add(y, 1); // dropped: freed by tidy
    return [ops.sum(y), { z: ops.neg(x) }] as const;
  });
  assert.equal(liveTensors().tensors, base + 2);
  assert.equal(kept.item(), 12);
  assert.deepEqual(also.z.toNumbers(), [-1, -2, -3]);
  kept.dispose();
  also.z.dispose();
  assert.equal(liveTensors().tensors, base);
  assert.throws(() =>
    tidy(() => {
      tensor([1, 2]);
      throw new Error('boom');
    }),
  );
  assert.equal(liveTensors().tensors, base);
});

test('nested tidy passes returned tensors to the outer scope; keep() exempts a tensor', async () => {
  const base = liveTensors().tensors;
  let kept: Tensor | undefined;
  const outer = tidy(() => {
    const inner = tidy(() => {
      kept = keep(tensor([5]));
      return ops.add(tensor([1]), 1);
    });
    assert.equal(inner.isDisposed, false);
    return ops.mul(inner, 3); // `inner` is freed by the outer tidy
  });
  assert.deepEqual(outer.toNumbers(), [6]);
  assert.equal(kept!.isDisposed, false);
  assert.equal(liveTensors().tensors, base + 2);
  outer.dispose();
  kept!.dispose();
  assert.throws(() => tidy(() => Promise.resolve(1)), /tidy only scopes synchronous code/);
});

test('`using` disposes at the end of the block', () => {
  const base = liveTensors().tensors;
  let seen: Tensor;
  {
    using t = tensor([1, 2]);
    seen = t;
    assert.equal(liveTensors().tensors, base + 1);
  }
  assert.equal(seen.isDisposed, true);
  assert.equal(liveTensors().tensors, base);
});
