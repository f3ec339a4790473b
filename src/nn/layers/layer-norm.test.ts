// layerNormalization against PyTorch's LayerNorm (outputs, input and weight gradients), its config and errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors } from '../../tensor/index.js';
import { compareWithTorch } from '../../testing/layer-oracle.js';
import { layer } from './registry.js';

// Keras's center: false / scale: false separately (PyTorch 1.13's LayerNorm has both or neither).
const setup = `
class Affine(nn.Module):
    def __init__(self, shape, eps, weight, bias):
        super().__init__()
        self.shape, self.eps = shape, eps
        self.weight = nn.Parameter(torch.ones(shape)) if weight else None
        self.bias = nn.Parameter(torch.zeros(shape)) if bias else None
    def forward(self, x):
        return F.layer_norm(x, self.shape, self.weight, self.bias, self.eps)
`;

test('layerNormalization computes what PyTorch LayerNorm computes: outputs, input and weight gradients', () => {
  const before = liveTensors().tensors;
  compareWithTorch(
    [
      { config: { type: 'layerNormalization' }, input: [6], torch: 'nn.LayerNorm(6, eps=1e-3)' },
      { config: { type: 'LayerNorm', normalized_shape: [5, 4], eps: 1e-5 }, input: [3, 5, 4], torch: 'nn.LayerNorm([5, 4])' },
      { config: { type: 'LayerNormalization', epsilon: 1e-5 }, input: [7, 8], torch: 'nn.LayerNorm(8)', batch: 3 },
      { config: { type: 'layerNorm', normalizedShape: 4, elementwise_affine: false }, input: [2, 4], torch: 'nn.LayerNorm(4, eps=1e-3, elementwise_affine=False)' },
      { config: { type: 'layerNormalization', center: false }, input: [5], torch: 'Affine([5], 1e-3, True, False)' },
      { config: { type: 'layerNormalization', scale: false }, input: [3, 5], torch: 'Affine([5], 1e-3, False, True)' },
    ],
    setup,
  );
  assert.equal(liveTensors().tensors, before);
});

test('layerNormalization: weights declared before they are made, parameter counts, config round trip', () => {
  const l = layer({ type: 'LayerNorm', name: 'ln', normalizedShape: [4, 4] }, 'l');
  assert.deepEqual(l.build([8, 4, 4]), [8, 4, 4]);
  assert.deepEqual(l.weightShapes([8, 4, 4]), [[4, 4], [4, 4]]);
  assert.deepEqual([...l.weights.keys()], ['weight', 'bias']);
  assert.deepEqual([...l.weights.values()].map((t) => t.shape), [[4, 4], [4, 4]]);
  assert.deepEqual(l.countParams(), { trainable: 32, nonTrainable: 0 });
  assert.deepEqual(l.getConfig(), { type: 'layerNormalization', name: 'ln', normalizedShape: [4, 4], epsilon: 1e-3, center: true, scale: true });
  assert.deepEqual(layer(l.getConfig(), 'l').getConfig(), l.getConfig());
  l.dispose();
  const off = layer({ type: 'layerNormalization', elementwiseAffine: false }, 'l');
  assert.deepEqual(off.getConfig(), { type: 'layerNormalization', name: '', normalizedShape: null, epsilon: 1e-3, center: false, scale: false });
  assert.deepEqual(off.weightShapes([10]), []);
});

test('layerNormalization errors name the field, or the layer and both shapes', () => {
  const l = layer({ type: 'layerNormalization', normalizedShape: [4, 4] }, 'model.layers[2]');
  l.name = 'ln';
  assert.throws(() => l.build([4, 5, 4]), /^ShapeError: layer 'ln' \(layerNormalization\): input \[4, 5, 4\] does not end in normalizedShape \[4, 4\]$/);
  assert.throws(() => l.build([4]), /input \[4\] does not end in normalizedShape \[4, 4\]/);
  assert.throws(() => layer({ type: 'layerNormalization', normalizedShape: [0] }, 'model.layers[2]'), /model\.layers\[2\]\.normalizedShape: expected a size or the list of the last axes' sizes/);
  assert.throws(() => layer({ type: 'layerNormalization', epsilon: 0 }, 'model.layers[2]'), /model\.layers\[2\]\.epsilon: must be > 0/);
});
