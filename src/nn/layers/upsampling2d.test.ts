// upSampling2d against PyTorch's Upsample (nearest and bilinear), its spellings, config and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

test('upSampling2d computes what PyTorch Upsample computes: outputs and input gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch([
    { config: { type: 'upSampling2d' }, input: [2, 3, 4], torch: 'nn.Upsample(scale_factor=2)' },
    { config: { type: 'UpSampling2D', size: [2, 3] }, input: [2, 3, 3], torch: "nn.Upsample(scale_factor=(2, 3), mode='nearest')" },
    { config: { type: 'upSampling2d', size: 2, interpolation: 'bilinear' }, input: [3, 4, 5], torch: "nn.Upsample(scale_factor=2, mode='bilinear')" },
    { config: { type: 'Upsample', scale_factor: [3, 2], mode: 'bilinear' }, input: [1, 3, 4], torch: "nn.Upsample(scale_factor=(3, 2), mode='bilinear', align_corners=False)" },
  ]);
  assert.equal(liveTensors().tensors, before);
});

test('upSampling2d: config round trip, output shape, errors', () => {
  const l = layer({ type: 'Upsample', name: 'up', scaleFactor: 2, mode: 'bilinear' }, 'l');
  assert.deepEqual(l.getConfig(), { type: 'upSampling2d', name: 'up', size: [2, 2], interpolation: 'bilinear' });
  assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
  assert.deepEqual(l.build([8, 5, 7]), [8, 10, 14]);
  // PyTorch's Upsample(size) is an output size, Keras's UpSampling2D(size) a factor: the PyTorch spelling refuses it.
  assert.throws(() => layer({ type: 'Upsample', size: 32 }, 'model.layers[5]'), /model\.layers\[5\]\.size: PyTorch's Upsample\(size\) is an output size, which this layer does not take; give the factor as scaleFactor/);
  assert.throws(() => layer({ type: 'upSampling2d', interpolation: 'bicubic' }, 'm'), /m\.interpolation: unknown value 'bicubic'/);
  assert.throws(() => layer({ type: 'upSampling2d', size: 1.5 }, 'm'), /m\.size: expected a positive integer or a pair of them, got 1\.5/);
  const fresh = layer({ type: 'upSampling2d', name: 'up' }, 'l');
  fresh.name = 'up';
  assert.throws(() => fresh.build([8, 5]), /layer 'up' \(upSampling2d\): input \[8, 5\] does not fit: upSampling2d expects \[channels, height, width\]/);
});
