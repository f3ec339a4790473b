// The caching CPU allocator reuses freed large blocks, keeps small ones out, and gives its cache back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { allocatorStats, emptyCache } from './allocator.js';
import { ops, zeros } from '../tensor/index.js';

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
