// zeroPadding2d against PyTorch's ZeroPad2d, in Keras's and PyTorch's forms of its padding; config and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

test('zeroPadding2d computes what PyTorch ZeroPad2d computes, for every form of padding', () => {
  const before = liveTensors().tensors;
  compareWithTorch([
    { config: { type: 'zeroPadding2d' }, input: [2, 3, 4], torch: 'nn.ZeroPad2d(1)' },
    { config: { type: 'ZeroPadding2D', padding: [1, 2] }, input: [2, 3, 3], torch: 'nn.ZeroPad2d((2, 2, 1, 1))' },
    { config: { type: 'zeroPadding2d', padding: [[0, 1], [2, 3]] }, input: [1, 2, 3], torch: 'nn.ZeroPad2d((2, 3, 0, 1))' },
    // PyTorch's four numbers, in its order: left, right, top, bottom.
    { config: { type: 'ZeroPad2d', padding: [1, 0, 3, 2] }, input: [2, 2, 2], torch: 'nn.ZeroPad2d((1, 0, 3, 2))' },
  ]);
  assert.equal(liveTensors().tensors, before);
});

test('zeroPadding2d: config round trip in [[top, bottom], [left, right]], output shape, errors', () => {
  const l = layer({ type: 'ZeroPad2d', name: 'pad', padding: [1, 0, 3, 2] }, 'l');
  assert.deepEqual(l.getConfig(), { type: 'zeroPadding2d', name: 'pad', padding: [[3, 2], [1, 0]] });
  assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
  assert.deepEqual(l.build([3, 10, 10]), [3, 15, 11]);
  assert.throws(() => layer({ type: 'zeroPadding2d', padding: -1 }, 'model.layers[0]'), /model\.layers\[0\]\.padding: expected pixels as n, \[h, w\], \[\[top, bottom\], \[left, right\]\] or PyTorch's \[left, right, top, bottom\], got -1/);
  assert.throws(() => layer({ type: 'zeroPadding2d', padding: [1, 2, 3] }, 'm'), /m\.padding: expected pixels/);
  const fresh = layer({ type: 'zeroPadding2d' }, 'l');
  fresh.name = 'pad';
  assert.throws(() => fresh.build([100]), /layer 'pad' \(zeroPadding2d\): input \[100\] does not fit: zeroPadding2d expects \[channels, height, width\]/);
});
