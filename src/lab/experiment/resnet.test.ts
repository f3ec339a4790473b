// The resnet template against torchvision: ResNet-18 built from the template has torchvision's state-dict names
// and shapes, loads a torchvision resnet18 state dict saved as safetensors unchanged, and gives its outputs on the
// same batch; the CIFAR ResNet-20 has the paper's size and fits 3x32x32 images.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildModel } from '../../nn/model.js';
import { readSafetensors } from '../../io/safetensors.js';
import { dispose, noGrad, tensor, tidy } from '../../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../../testing/torch-oracle.js';
import { PYTHON_SAFETENSORS } from '../../testing/python-safetensors.js';
import { CLASSES, expandModel } from './templates.js';
import type { LayerConfig } from '../../nn/layers/layer.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-resnet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The template's layers with the output sized to `classes`. */
const layersOf = (depth: 18 | 20, classes: number, outputActivation = 'softmax'): LayerConfig[] =>
  expandModel({ template: 'resnet', depth, outputActivation }).map((l) => (l.units === CLASSES ? { ...l, units: classes } : l));

test("ResNet-18 from the template is torchvision's resnet18: its state dict loads unchanged and the outputs agree", () => {
  const file = path.join(dir, 'resnet18.safetensors');
  const xShape = [2, 3, 64, 64];
  const xs = randomValues(seededRandom(7), 2 * 3 * 64 * 64);
  const ref = runTorch<{ logits: number[]; keys: string[] }>(
    `${PYTHON_SAFETENSORS}
import torchvision
torch.manual_seed(0)
net = torchvision.models.resnet18(num_classes=1000)
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5); m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.1, 0.1)
sd = {k: v for k, v in net.state_dict().items() if not k.endswith('num_batches_tracked')}
write_safetensors(input['file'], sd, {})
net.eval()
x = torch.tensor(input['x']).reshape(input['xShape'])
with torch.no_grad():
    logits = net(x)
output = {'logits': logits.flatten().tolist(), 'keys': sorted(sd.keys())}
`,
    { file, x: xs, xShape },
  );
  const model = buildModel({ inputShape: [3, 64, 64], layers: layersOf(18, 1000, 'linear') });
  try {
    assert.deepEqual(Object.keys(model.stateDict()).sort(), ref.keys, "torchvision's names, every one");
    assert.equal(model.countParams().trainable, 11_689_512, "resnet18's parameter count");
    const { tensors } = readSafetensors(file);
    try {
      model.loadStateDict(tensors, file);
    } finally {
      dispose(Object.values(tensors));
    }
    noGrad(() =>
      tidy(() => {
        const logits = model.forward(tensor(Float32Array.from(xs), xShape), { training: false });
        assert.ok(closeness(logits.toNumbers(), ref.logits, 1e-3, 1e-4) <= 1, 'the same logits as torchvision');
      }),
    );
  } finally {
    model.dispose();
  }
});

test('the CIFAR ResNet-20 of He et al.: 3 stages of 16/32/64 filters, 0.27M weights, [3, 32, 32] to one output per class', () => {
  const layers = layersOf(20, 10);
  const model = buildModel({ inputShape: [3, 32, 32], layers });
  try {
    const convs = layers.filter((l) => l.type === 'conv2d' && !String(l.name).includes('downsample'));
    assert.equal(convs.length + 1, 20, '19 convolutions and fc: depth 20');
    assert.deepEqual([...new Set(convs.map((l) => l.filters))], [16, 32, 64]);
    const { trainable } = model.countParams();
    assert.ok(trainable > 270_000 && trainable < 280_000, `${trainable} trainable weights`);
    assert.deepEqual(model.outputShape, [10]);
    tidy(() => {
      const p = model.forward(tensor(new Float32Array(2 * 3 * 32 * 32).fill(0.1), [2, 3, 32, 32]), { training: true });
      assert.deepEqual(p.shape, [2, 10]);
    });
  } finally {
    model.dispose();
  }
});
