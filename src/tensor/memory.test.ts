// Native memory is freed: explicit dispose, tidy scopes, `using`, and — for tensors dropped without any of
// these — V8's garbage collector. The live-tensor counter and RSS are the evidence; the counter counts each
// storage once, however many tensors (views, re-read gradients) share it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { keep, liveTensors, ops, tensor, tidy, zeros, type Tensor } from './index.js';

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

test('100 views of a 40 MB tensor count its storage once, for the counter and for V8', () => {
  // A view shares its base's storage; counting each view in full read as 4 GB here and told V8 so, which made
  // it collect for memory that was never allocated.
  const before = liveTensors();
  const external = process.memoryUsage().external;
  const base = zeros([10_000_000]); // 40 MB of float32
  const counted = liveTensors();
  assert.equal(counted.bytes, before.bytes + 40_000_000);
  assert.equal(counted.storages, before.storages + 1);
  const grid = base.reshape([1000, 10_000]);
  const views: Tensor[] = [grid];
  for (let i = 0; views.length < 100; i++) {
    const kinds = [() => base.view([-1]), () => grid.t(), () => ops.narrow(base, 0, i, 1000), () => ops.select(grid, 0, i), () => base.expand([1, 10_000_000])];
    views.push(kinds[i % kinds.length]());
  }
  assert.equal(liveTensors().tensors, counted.tensors + 100);
  assert.equal(liveTensors().bytes, counted.bytes, 'views add no bytes');
  assert.equal(liveTensors().storages, counted.storages);
  assert.ok(process.memoryUsage().external - external < 200e6, `V8 was told of ${process.memoryUsage().external - external} more external bytes`);
  // The storage stays counted while any view of it lives, whichever is freed first.
  base.dispose();
  assert.equal(liveTensors().bytes, counted.bytes);
  for (const v of views.slice(1)) v.dispose();
  assert.equal(liveTensors().bytes, counted.bytes);
  grid.dispose();
  assert.deepEqual(liveTensors(), before);
});

test('a gradient read many times and to() returning its input are counted once', () => {
  const before = liveTensors();
  const w = zeros([1000, 1000]).requiresGrad_(); // 4 MB
  tidy(() => ops.sum(ops.mul(w, 2)).backward());
  const withGrad = liveTensors();
  const grads = Array.from({ length: 50 }, () => w.grad!);
  const same = Array.from({ length: 50 }, () => w.to('float32'));
  assert.equal(same[0].h === w.h, false, 'to() made new tensor objects');
  assert.equal(liveTensors().bytes, withGrad.bytes + 4_000_000, 'the gradient counted once, to() not at all');
  assert.equal(liveTensors().storages, withGrad.storages + 1);
  for (const t of [...grads, ...same]) t.dispose();
  assert.deepEqual(liveTensors(), withGrad);
  w.dispose();
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
