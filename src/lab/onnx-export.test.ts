// The resnet template exports to ONNX: torchvision's ResNet-18 (on 3x64x64 images) and the CIFAR ResNet-20 of
// He et al., built as the template builds them (graph models of conv, batchNorm, add, global average pooling),
// give in onnxruntime the class probabilities nnlab's predict gives, to 1e-4 at two batch sizes, and
// onnx.checker accepts the files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../engine/seed.js';
import { buildModel, type ModelConfig } from '../nn/model.js';
import { exportsExactly, randomizeState, waves } from '../testing/onnx-export.js';
import { expandResnet } from './experiment/resnet.js';
import { CLASSES } from './experiment/templates.js';

/** The template's layers for `depth`, with `classes` output units. */
function resnet(depth: 18 | 20, inputShape: number[], classes: number): ModelConfig {
  const layers = expandResnet({ template: 'resnet', depth }).map((l) => (l.units === CLASSES ? { ...l, units: classes } : l));
  return { inputShape, layers };
}

for (const [depth, inputShape, classes] of [
  [18, [3, 64, 64], 10],
  [20, [3, 32, 32], 10],
] as const) {
  test(`resnet depth ${depth} (the template, on ${inputShape.join('x')}) exports: onnxruntime gives predict's probabilities`, async () => {
    manualSeed(depth);
    const model = buildModel(resnet(depth, [...inputShape], classes));
    try {
      assert.ok(model.layers.some((l) => l.type === 'add') && model.layers.some((l) => l.name === 'layer3.0.downsample.0'));
      // Random running statistics and scales, so every batch norm does something, as in a trained network.
      randomizeState(model, depth);
      const checked = await exportsExactly(model, `resnet${depth}`, { batches: [2, 3], inputs: waves });
      assert.ok(checked.initializers.includes('layer1.0.conv1.weight') && checked.initializers.includes('fc.weight'), "weights under torchvision's names");
      assert.equal(checked.ops.filter((op) => op === 'Sum').length, depth === 18 ? 8 : 9, 'one Sum per residual block');
    } finally {
      model.dispose();
    }
  });
}
