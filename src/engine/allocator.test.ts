// The caching CPU allocator reuses freed large blocks, keeps small ones out, holds no more than its cap, and
// gives its cache back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { allocatorStats, emptyCache, setCacheLimit } from './allocator.js';
import { ops, zeros, type Tensor } from '../tensor/index.js';

test('a freed large block is reused for the next allocation of its size', () => {
  const before = allocatorStats();
  assert.equal(before.caching, true);
  const a = zeros([256, 1024]); // 1 MiB
  const afterFirst = allocatorStats();
  a.dispose();
  assert.ok(allocatorStats().cachedBytes >= afterFirst.cachedBytes + 1024 * 1024, 'the block went to the cache');
  const b = zeros([256, 1024]);
  const afterSecond = allocatorStats();
  assert.equal(afterSecond.hits, afterFirst.hits + 1);
  assert.equal(afterSecond.misses, afterFirst.misses);
  // Values are right after reuse (the block is not handed out zeroed by accident or by luck).
  b.fill_(3);
  assert.equal(ops.sum(b).item(), 3 * 256 * 1024);
  b.dispose();
  emptyCache();
  assert.equal(allocatorStats().cachedBytes, 0);
});

test('small allocations bypass the cache; pooling and convolution work on cached blocks', () => {
  const before = allocatorStats();
  for (let i = 0; i < 100; i++) zeros([16]).dispose();
  assert.equal(allocatorStats().hits + allocatorStats().misses, before.hits + before.misses);
  const x = zeros([8, 16, 64, 64]);
  const w = zeros([16, 16, 3, 3]);
  for (let i = 0; i < 3; i++) ops.maxPool2d(ops.conv2d(x, w, null, 1, 1), 2).dispose();
  x.dispose();
  w.dispose();
  assert.ok(allocatorStats().hits > before.hits);
});

test('NNLAB_CPU_CACHE_MB=0 turns the cache off', () => {
  const script = `import('${new URL('./allocator.js', import.meta.url).href}').then(m => console.log(JSON.stringify(m.allocatorStats())))`;
  const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NNLAB_CPU_CACHE_MB: '0' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).caching, false);
});

test('the cache never holds more than its cap; emptyCache() gives everything back and tensors still work', () => {
  const cap = allocatorStats().limitBytes;
  try {
    setCacheLimit(8 * 1024 * 1024);
    assert.equal(allocatorStats().limitBytes, 8 * 1024 * 1024);
    // 64 tensors of 1 MiB and 16 of 3 MiB alive at once, then all freed: 112 MiB handed back, 8 MiB kept.
    for (let round = 0; round < 3; round++) {
      const held: Tensor[] = [];
      for (let i = 0; i < 64; i++) held.push(zeros([256, 1024]));
      for (let i = 0; i < 16; i++) held.push(zeros([3, 256, 1024]));
      for (const t of held) t.dispose();
      const s = allocatorStats();
      assert.ok(s.cachedBytes <= s.limitBytes, `${s.cachedBytes} cached bytes over the ${s.limitBytes} cap`);
      assert.ok(s.cachedBytes >= 7 * 1024 * 1024, 'the cache still caches up to its cap');
    }
    // Lowering the cap gives back what is over it at once.
    setCacheLimit(2 * 1024 * 1024);
    assert.ok(allocatorStats().cachedBytes <= 2 * 1024 * 1024);
    emptyCache();
    assert.equal(allocatorStats().cachedBytes, 0);
    const x = zeros([512, 1024]).fill_(2);
    assert.equal(ops.sum(x).item(), 2 * 512 * 1024);
    x.dispose();
    // A cap of 0 keeps nothing.
    setCacheLimit(0);
    zeros([512, 1024]).dispose();
    assert.equal(allocatorStats().cachedBytes, 0);
  } finally {
    setCacheLimit(cap);
  }
  assert.throws(() => setCacheLimit(NaN), (e: Error) => e instanceof RangeError && /setCacheLimit: the limit expects a non-negative whole number of bytes, got NaN/.test(e.message));
  assert.throws(() => setCacheLimit(-1), RangeError);
});

test('the default cap is 2 GiB or an eighth of the memory, whichever is smaller; NNLAB_CPU_CACHE_MB sets it', () => {
  const stats = (value: string | undefined) => {
    const env = { ...process.env, NNLAB_CPU_CACHE_MB: value };
    if (value === undefined) delete env.NNLAB_CPU_CACHE_MB;
    const script = `import('${new URL('./allocator.js', import.meta.url).href}').then(m => console.log(JSON.stringify(m.allocatorStats())))`;
    return spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  };
  const byDefault = stats(undefined);
  assert.equal(byDefault.status, 0, byDefault.stderr);
  const limit = JSON.parse(byDefault.stdout).limitBytes as number;
  assert.ok(limit > 0 && limit <= 2048 * 1024 * 1024 && limit <= os.totalmem() / 8 + 1, `default cap ${limit}`);
  const set = stats('64');
  assert.equal(JSON.parse(set.stdout).limitBytes, 64 * 1024 * 1024);
  for (const bad of ['lots', '1.5', '-3', '64MB']) {
    const r = stats(bad);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`AddonError: NNLAB_CPU_CACHE_MB must be a whole number of MiB \\(0 turns the CPU cache off\\), got '${bad.replace('.', '\\.')}'`));
  }
});

test('a block of 16 MiB or more is cached only once its size recurs: a one-off buffer goes back at once', () => {
  emptyCache();
  // 4,200,000 floats: 16.8 MB, a size no other test asks for.
  const once = zeros([4_200_000]);
  once.dispose();
  assert.equal(allocatorStats().cachedBytes, 0, 'asked for once: not kept');
  const again = zeros([4_200_000]);
  again.dispose();
  assert.ok(allocatorStats().cachedBytes >= 16_800_000, 'asked for twice: a recurring size, kept for the next');
  const third = zeros([4_200_000]);
  const s = allocatorStats();
  third.dispose();
  assert.equal(s.cachedBytes, 0, 'the third one came from the cache');
  emptyCache();
});
