// Global pooling (Keras's) and adaptive pooling (PyTorch's) against PyTorch, their configs and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

// Global pooling as PyTorch users write it: adaptive pooling to 1, flattened unless keepdims.
const setup = `
class Global(nn.Module):
    def __init__(self, pool, dims, keep):
        super().__init__()
        self.pool, self.dims, self.keep = pool, dims, keep
    def forward(self, x):
        return x.mean(self.dims, keepdim=self.keep) if self.pool == 'avg' else x.amax(self.dims, keepdim=self.keep)
`;

test('global and adaptive pooling compute what PyTorch computes: outputs and input gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch(
    [
      { config: { type: 'globalAveragePooling2d' }, input: [3, 4, 5], torch: 'nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())' },
      { config: { type: 'GlobalAveragePooling2D', keepdims: true }, input: [3, 4, 5], torch: 'nn.AdaptiveAvgPool2d(1)' },
      { config: { type: 'globalAveragePooling1d' }, input: [4, 7], torch: "Global('avg', [2], False)" },
      { config: { type: 'GlobalMaxPooling2D' }, input: [3, 5, 4], torch: "Global('max', [2, 3], False)" },
      { config: { type: 'globalMaxPooling1d', keepDims: true }, input: [2, 6], torch: "Global('max', [2], True)" },
      { config: { type: 'AdaptiveAvgPool2d', outputSize: 1 }, input: [3, 7, 6], torch: 'nn.AdaptiveAvgPool2d(1)' },
      { config: { type: 'adaptiveAvgPool2d', output_size: [3, 2] }, input: [2, 7, 5], torch: 'nn.AdaptiveAvgPool2d((3, 2))' },
      { config: { type: 'AdaptiveMaxPool2d', outputSize: 2 }, input: [2, 5, 5], torch: 'nn.AdaptiveMaxPool2d(2)' },
    ],
    setup,
  );
  assert.equal(liveTensors().tensors, before);
});

test("PyTorch's head, AdaptiveAvgPool2d(1) then Flatten, gives [channels], as globalAveragePooling2d", () => {
  const pool = layer({ type: 'AdaptiveAvgPool2d', outputSize: 1 }, 'l');
  const flat = layer({ type: 'Flatten' }, 'l');
  assert.deepEqual(flat.build(pool.build([512, 7, 7])), [512]);
  assert.deepEqual(layer({ type: 'globalAveragePooling2d' }, 'l').build([512, 7, 7]), [512]);
  assert.deepEqual(layer({ type: 'globalAveragePooling2d', keepDims: true }, 'l').build([512, 7, 7]), [512, 1, 1]);
});

test('global and adaptive pooling: config round trips and errors', () => {
  for (const config of [{ type: 'globalMaxPooling2d', name: 'g', keepDims: true }, { type: 'adaptiveAvgPool2d', name: 'a', outputSize: [2, 3] }]) {
    const l = layer(config, 'l');
    assert.deepEqual(l.getConfig(), config);
    assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), config);
  }
  assert.deepEqual(layer({ type: 'adaptiveMaxPool2d', outputSize: 4 }, 'l').getConfig().outputSize, [4, 4]);
  assert.throws(() => layer({ type: 'AdaptiveAvgPool2d' }, 'model.layers[4]'), /model\.layers\[4\]\.outputSize: adaptiveAvgPool2d needs 'outputSize'/);
  const g = layer({ type: 'globalAveragePooling2d' }, 'l');
  g.name = 'gap';
  assert.throws(() => g.build([16, 10]), /layer 'gap' \(globalAveragePooling2d\): input \[16, 10\] does not fit: globalAveragePooling2d expects \[channels, height, width\]/);
  const g1 = layer({ type: 'globalAveragePooling1d' }, 'l');
  g1.name = 'gap';
  assert.throws(() => g1.build([16, 10, 10]), /input \[16, 10, 10\] does not fit: globalAveragePooling1d expects \[channels, length\]/);
});
