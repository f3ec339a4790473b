// The shape layers, reshape, permute and identity: against PyTorch's reshape, permute and nn.Identity (values
// and gradients), their configs, and their errors naming the layer and both shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

const setup = `
class Reshape(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape
    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)
class Permute(nn.Module):
    def __init__(self, *dims):
        super().__init__()
        self.dims = dims
    def forward(self, x):
        return x.permute(*self.dims)
`;

test('reshape, permute and identity compute what PyTorch computes: outputs and input gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch(
    [
      { config: { type: 'reshape', targetShape: [4, -1] }, input: [2, 3, 4], torch: 'Reshape(4, 6)' },
      { config: { type: 'Reshape', target_shape: [1, 28, 28] }, input: [784], torch: 'nn.Unflatten(1, (1, 28, 28))' },
      // Keras's 1-based dims over the sample's axes are PyTorch's dims after the batch axis.
      { config: { type: 'permute', dims: [2, 1] }, input: [5, 3], torch: 'Permute(0, 2, 1)' },
      { config: { type: 'Permute', dims: [2, 3, 1] }, input: [3, 4, 2], torch: 'Permute(0, 2, 3, 1)' },
      { config: { type: 'Identity' }, input: [3, 2], torch: 'nn.Identity()' },
    ],
    setup,
  );
  assert.equal(liveTensors().tensors, before);
});

test('reshape resolves its -1 at build; configs round trip', () => {
  const r = layer({ type: 'reshape', name: 'r', targetShape: [16, -1] }, 'l');
  assert.deepEqual(r.build([16, 4, 4]), [16, 16]);
  assert.deepEqual(r.getConfig(), { type: 'reshape', name: 'r', targetShape: [16, -1] });
  const p = layer({ type: 'permute', name: 'p', dims: [2, 3, 1] }, 'l');
  assert.deepEqual(p.build([3, 8, 6]), [8, 6, 3]);
  assert.deepEqual(p.getConfig(), { type: 'permute', name: 'p', dims: [2, 3, 1] });
  const i = layer({ type: 'identity', name: 'i' }, 'l');
  assert.deepEqual(i.build([7]), [7]);
  for (const l of [r, p, i]) assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
});

test('reshape and permute errors name the field, or the layer and both shapes', () => {
  const built = (config: Record<string, unknown>, input: number[]) => () => {
    const l = layer(config, 'model.layers[1]');
    l.name = 'shape_1';
    l.build(input);
  };
  assert.throws(built({ type: 'reshape', targetShape: [5, 5] }, [3, 8]), /^ShapeError: layer 'shape_1' \(reshape\): input \[3, 8\] \(24 values\) cannot be reshaped to \[5, 5\] \(25 values\)$/);
  assert.throws(built({ type: 'reshape', targetShape: [5, -1] }, [3, 8]), /^ShapeError: layer 'shape_1' \(reshape\): input \[3, 8\] \(24 values\) cannot be reshaped to \[5, -1\]$/);
  assert.throws(built({ type: 'reshape', targetShape: [-1, -1] }, [4]), /model\.layers\[1\]\.targetShape: only one size may be -1, got \[-1,-1\]/);
  assert.throws(built({ type: 'reshape', targetShape: [0, 4] }, [4]), /model\.layers\[1\]\.targetShape: expected a list of positive sizes \(one may be -1\)/);
  assert.throws(built({ type: 'reshape' }, [4]), /model\.layers\[1\]\.targetShape: reshape needs 'targetShape'/);
  assert.throws(built({ type: 'permute', dims: [2, 3, 1] }, [3, 8]), /^ShapeError: layer 'shape_1' \(permute\): input \[3, 8\] does not fit: dims \[2, 3, 1\] order 3 axes, the input has 2$/);
  assert.throws(built({ type: 'permute', dims: [0, 1] }, [3, 8]), /model\.layers\[1\]\.dims: expected an order of the sample's axes counted from 1 \(the batch axis stays first\)/);
  assert.throws(built({ type: 'permute', dims: [1, 1] }, [3, 8]), /model\.layers\[1\]\.dims: expected an order/);
  assert.throws(built({ type: 'identity', units: 3 }, [3]), /model\.layers\[1\]\.units: unknown field of identity/);
});
