// Augmentation: geometric identities, PyTorch's resampling on the same inputs, seeding, configs, no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy, zeros, type Tensor } from '../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';
import { Augmentation, checkAugmentConfig, cropResize, hflip, normalize, planAugment, resize, rotate, vflip } from './augment.js';

const rand = seededRandom(99);
const batch = (shape: number[]): { t: Tensor; values: number[] } => {
  const values = randomValues(rand, shape.reduce((a, b) => a * b, 1), 0, 1);
  return { t: tensor(Float32Array.from(values), shape), values };
};
const maxDiff = (a: Tensor, b: Tensor): number => tidy(() => ops.max(a.sub(b).abs()).item());

test('flip twice is the identity; flip mirrors columns', () => {
  const base = liveTensors().tensors;
  const { t: x } = batch([2, 3, 4, 5]);
  tidy(() => {
    assert.equal(maxDiff(hflip(hflip(x)), x), 0);
    assert.deepEqual(hflip(x).select(3, 0).toNumbers(), x.select(3, 4).toNumbers());
    const always = new Augmentation({ steps: [{ name: 'flip', p: 1 }], seed: 1 });
    assert.equal(maxDiff(always.apply(always.apply(x)), x), 0);
    assert.equal(maxDiff(always.apply(x), hflip(x)), 0);
    const never = new Augmentation({ steps: [{ name: 'flip', p: 0 }] });
    assert.equal(maxDiff(never.apply(x), x), 0);
  });
  x.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('vertical flips turn images upside down; horizontal_and_vertical draws each axis on its own', () => {
  const base = liveTensors().tensors;
  const { t: x } = batch([64, 1, 3, 3]);
  tidy(() => {
    assert.deepEqual(vflip(x).select(2, 0).toNumbers(), x.select(2, 2).toNumbers(), 'the top row becomes the bottom one');
    const up = new Augmentation({ steps: [{ name: 'flip', p: 1, mode: 'vertical' }] });
    assert.equal(maxDiff(up.apply(x), vflip(x)), 0);
    const both = new Augmentation({ steps: [{ name: 'flip', p: 1, mode: 'horizontal_and_vertical' }] });
    assert.equal(maxDiff(both.apply(x), hflip(vflip(x))), 0);
    // p = 0.5 on both axes: all four outcomes occur, and each sample is one of them.
    const out = new Augmentation({ steps: [{ name: 'flip', mode: 'horizontal_and_vertical' }], seed: 4 }).apply(x);
    const is = (y: Tensor) => ops.sumDim(out.eq(y), [1, 2, 3]).eq(9);
    const kinds = [x, hflip(x), vflip(x), hflip(vflip(x))].map(is);
    assert.equal(kinds.reduce((a, b) => ops.logicalOr(a, b)).sum().item(), 64);
    for (const [i, k] of kinds.entries()) assert.ok(k.sum().item() > 0, `outcome ${i} occurs`);
  });
  x.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('a misspelt step name gets a did-you-mean', () => {
  const at = (name: string) => () => checkAugmentConfig({ steps: [{ name } as never] }, 'data.augment');
  assert.throws(at('rotation'), /^.*data\.augment\.steps\[0\]\.name: unknown augmentation 'rotation' \(did you mean 'rotate'\?\); valid: rotate, flip, randomResizedCrop, resize, normalize/);
  assert.throws(at('fipl'), /unknown augmentation 'fipl' \(did you mean 'flip'\?\)/);
  assert.throws(at('crop'), /unknown augmentation 'crop' \(did you mean 'randomResizedCrop'\?\)/);
  assert.throws(at('normalise'), /did you mean 'normalize'\?/);
  assert.throws(at('RandomVerticalFlipp'), /did you mean 'RandomVerticalFlip'\?/);
});

test('flip with p = 0.5 flips some samples whole, leaves the others', () => {
  const { t: x } = batch([64, 1, 3, 3]);
  tidy(() => {
    const out = new Augmentation({ steps: [{ name: 'flip', p: 0.5 }], seed: 5 }).apply(x);
    const same = ops.sumDim(out.eq(x), [1, 2, 3]).eq(9);
    const flipped = ops.sumDim(out.eq(hflip(x)), [1, 2, 3]).eq(9);
    assert.equal(ops.logicalOr(same, flipped).sum().item(), 64, 'every sample is either unchanged or mirrored');
    const nFlipped = flipped.logicalAnd(same.logicalNot()).sum().item();
    assert.ok(nFlipped > 16 && nFlipped < 48, `${nFlipped} of 64 flipped`);
  });
  x.dispose();
});

test('rotation by 0 is the identity; by 90° it is transpose + flip; by 180° on a non-square image, both flips', () => {
  const { t: sq } = batch([2, 2, 6, 6]);
  const { t: wide } = batch([1, 1, 4, 7]);
  tidy(() => {
    assert.ok(maxDiff(rotate(sq, 0), sq) < 1e-6);
    // Counter-clockwise: column j becomes row W-1-j.
    const ccw = ops.flip(ops.transpose(sq, 2, 3), [2]);
    assert.ok(maxDiff(rotate(sq, 90), ccw) < 1e-5);
    assert.ok(maxDiff(rotate(sq, -90), ops.flip(ops.transpose(sq, 2, 3), [3])) < 1e-5);
    assert.ok(maxDiff(rotate(wide, 180), ops.flip(wide, [2, 3])) < 1e-5);
    // Direction: a lit pixel right of centre ends up above the centre.
    const dot = zeros([1, 1, 5, 5]);
    dot.select(2, 2).select(2, 4).fill_(1);
    const r = rotate(dot, 90);
    assert.ok(tidy(() => r.select(2, 0).select(2, 2).item()) > 0.99);
  });
  sq.dispose();
  wide.dispose();
});

test('rotate, resize and cropResize match PyTorch (affine_grid + grid_sample, interpolate)', () => {
  const x = batch([3, 2, 5, 7]);
  const angles = [12.5, -33, 71];
  const boxes = [0.1, -0.2, 0.5, 0.7, 0, 0, 1, 1, -0.3, 0.25, 0.6, 0.4];
  const want = runTorch<{ rot: number[]; up: number[]; down: number[]; crop: number[] }>(
    `
x = torch.tensor(input['x']).reshape(3, 2, 5, 7)
a = torch.tensor(input['angles'], dtype=torch.float64) * math.pi / 180
h, w = 5, 7
c, s = torch.cos(a), torch.sin(a)
z = torch.zeros(3, dtype=torch.float64)
theta = torch.stack([c, -s * h / w, z, s * w / h, c, z], 1).reshape(3, 2, 3).float()
rot = F.grid_sample(x, F.affine_grid(theta, [3, 2, 5, 7], align_corners=False), mode='bilinear', padding_mode='zeros', align_corners=False)
b = torch.tensor(input['boxes'], dtype=torch.float64).reshape(3, 4)
theta2 = torch.stack([b[:, 2], z, b[:, 0], z, b[:, 3], b[:, 1]], 1).reshape(3, 2, 3).float()
crop = F.grid_sample(x, F.affine_grid(theta2, [3, 2, 4, 4], align_corners=False), mode='bilinear', padding_mode='border', align_corners=False)
output = {'rot': rot.flatten().tolist(), 'crop': crop.flatten().tolist(),
          'up': F.interpolate(x, size=(9, 11), mode='bilinear', align_corners=False).flatten().tolist(),
          'down': F.interpolate(x, size=(3, 4), mode='bilinear', align_corners=False).flatten().tolist()}
`,
    { x: x.values, angles, boxes },
  );
  tidy(() => {
    assert.ok(closeness(rotate(x.t, tensor(angles)).toNumbers(), want.rot, 1e-4, 1e-5) <= 1);
    assert.ok(closeness(resize(x.t, [9, 11]).toNumbers(), want.up, 1e-4, 1e-5) <= 1);
    assert.ok(closeness(resize(x.t, [3, 4]).toNumbers(), want.down, 1e-4, 1e-5) <= 1);
    assert.ok(closeness(cropResize(x.t, tensor(boxes, [3, 4]), 4).toNumbers(), want.crop, 1e-4, 1e-5) <= 1);
  });
  x.t.dispose();
});

test('cropResize of the left half at half width is exactly the left half', () => {
  const { t: x } = batch([2, 1, 4, 6]);
  tidy(() => {
    const boxes = tensor([-0.5, 0, 0.5, 1, -0.5, 0, 0.5, 1], [2, 4]);
    assert.ok(maxDiff(cropResize(x, boxes, [4, 3]), x.narrow(3, 0, 3)) < 1e-6);
  });
  x.dispose();
});

test('random resized crop and rotation: output size, seeded repeatability, fresh draws per batch', () => {
  const base = liveTensors().tensors;
  const { t: x } = batch([4, 3, 8, 8]);
  const config = { steps: [{ name: 'rotate' as const, degrees: 30 }, { name: 'randomResizedCrop' as const, size: [5, 6] as [number, number], scale: [0.3, 1] as [number, number] }], seed: 11 };
  const a = new Augmentation(config);
  const b = new Augmentation(config);
  tidy(() => {
    const out = a.apply(x, 3);
    assert.deepEqual(out.shape, [4, 3, 5, 6]);
    assert.equal(maxDiff(out, b.apply(x, 3)), 0, 'same seed and draw, same result');
    assert.ok(maxDiff(out, b.apply(x, 4)) > 1e-3, 'another draw, other parameters');
    // Crops stay inside the image: no zero padding appears without rotation.
    const cropOnly = new Augmentation({ steps: [{ name: 'randomResizedCrop', size: 8, scale: [0.08, 1], ratio: [0.5, 2] }], seed: 2 });
    const ones = cropOnly.apply(ops.onesLike(x));
    assert.ok(ops.min(ones).item() > 0.999, 'every output pixel samples inside the image');
  });
  x.dispose();
  assert.equal(liveTensors().tensors, base);
});

test('normalize per channel; uint8 input becomes float32', () => {
  tidy(() => {
    const x = tensor(Uint8Array.from([0, 255, 10, 20]), [1, 2, 1, 2]);
    const out = new Augmentation({ steps: [{ name: 'normalize', mean: [0, 10], std: [255, 5] }] }).apply(x);
    assert.equal(out.dtype, 'float32');
    assert.deepEqual(out.toNumbers(), [0, 1, 0, 2]);
    assert.deepEqual(normalize(tensor([1, 3], [1, 1, 1, 2]), [1], [2]).toNumbers(), [0, 1]);
    assert.deepEqual(normalize(tensor(Uint8Array.from([1, 3]), [1, 1, 1, 2]), [2], [1]).toNumbers(), [-1, 1]);
    assert.throws(() => normalize(x, [0, 0, 0], [1, 1, 1]), /normalize: mean and std need 1 or 2 values each/);
  });
});

test('bad augmentation configs name the step and field', () => {
  assert.throws(() => new Augmentation({ steps: [{ name: 'rotat' } as never] }), /augment\.steps\[0\]\.name: unknown augmentation 'rotat' \(did you mean 'rotate'\?\)/);
  assert.throws(() => new Augmentation({ steps: [{ name: 'flip', p: 2 }] }), /augment\.steps\[0\]\.p: must be <= 1 \(the range is \[0, 1\]\), got 2/);
  assert.throws(() => new Augmentation({ steps: [{ name: 'flip' }, { name: 'rotate', degrees: 10, p: 1 } as never] }), /augment\.steps\[1\]\.p: unknown field of augmentation 'rotate' 'p'; valid: degrees/);
  assert.throws(() => new Augmentation({ steps: [{ name: 'resize', size: [0, 3] }] }), /augment\.steps\[0\]\.size: expected a positive integer or \[height, width\]/);
  assert.throws(() => new Augmentation({ steps: [{ name: 'randomResizedCrop', size: 4, scale: [0.5, 0.2] }] }), /scale: expected \[low, high\]/);
  assert.throws(() => new Augmentation({ steps: [{ name: 'normalize', mean: [0], std: [0] }] }), /std\[0\]: expected a positive number/);
  const config = { steps: [{ name: 'rotate' as const, degrees: 10 }, { name: 'normalize' as const, mean: [0.5], std: [0.25] }], seed: 3 };
  assert.deepEqual(new Augmentation(JSON.parse(JSON.stringify(new Augmentation(config).getConfig()))).getConfig(), config);
  assert.deepEqual(new Augmentation({ steps: ['flip'] }).getConfig(), { steps: [{ name: 'flip' }] }, 'a step by name alone');
  assert.throws(() => new Augmentation({ steps: ['rotate'] }), /augment\.steps\[0\]\.degrees: augmentation 'rotate' needs 'degrees' \(a number in \[0, 180\]\)/);
  const flat = zeros([2, 4]);
  assert.throws(() => new Augmentation({ steps: [] }).apply(flat), /expects image batches N×C×H×W, got \[2, 4\]/);
  flat.dispose();
});

test("torchvision's and Keras's step names and fields are nnlab's steps", () => {
  const peers = (steps: unknown[]) => ({ steps }) as unknown as Parameters<typeof checkAugmentConfig>[0];
  const c = checkAugmentConfig(peers([
      { name: 'RandomRotation', degrees: 2 },
      'RandomHorizontalFlip',
      { name: 'random_horizontal_flip', p: 0.3 },
      { name: 'Resize', size: [256, 256] },
      { name: 'RandomRotation', factor: 0.1 },
      { name: 'RandomFlip', mode: 'horizontal' },
      { name: 'Resizing', height: 32, width: 48 },
  ]));
  assert.deepEqual(c.steps, [
    { name: 'rotate', degrees: 2 },
    { name: 'flip' },
    { name: 'flip', p: 0.3 },
    { name: 'resize', size: [256, 256] },
    { name: 'rotate', degrees: 36 },
    { name: 'flip' },
    { name: 'resize', size: [32, 48] },
  ]);
  // Keras's RandomFlip: both axes by default, or the mode given; torchvision's RandomVerticalFlip(p).
  assert.deepEqual(checkAugmentConfig(peers([{ name: 'RandomFlip' }, { name: 'random_flip', mode: 'vertical' }, { name: 'RandomVerticalFlip', p: 0.2 }])).steps, [
    { name: 'flip', mode: 'horizontal_and_vertical' },
    { name: 'flip', mode: 'vertical' },
    { name: 'flip', p: 0.2, mode: 'vertical' },
  ]);
  assert.throws(() => checkAugmentConfig(peers([{ name: 'RandomFlip', mode: 'verticle' }]), 'data.augment'), /data\.augment\.steps\[0\]\.mode: unknown flip mode "verticle" \(did you mean 'vertical'\?\)/);
  assert.throws(() => checkAugmentConfig(peers([{ name: 'RandomRotation', factor: 2 }]), 'data.augment'), /steps\[0\]\.factor: expected Keras's factor/);
});

test('planAugment: resize and normalize are fixed steps for every split; a random crop resizes the evaluation splits', () => {
  const plan = planAugment({ steps: ['flip', { name: 'resize', size: 8 }, { name: 'randomResizedCrop', size: [6, 4] }, { name: 'normalize', mean: [0.5], std: [0.5] }], seed: 3 });
  assert.deepEqual(plan.fixed, [{ name: 'resize', size: 8 }, { name: 'normalize', mean: [0.5], std: [0.5] }]);
  assert.deepEqual(plan.random, { steps: [{ name: 'flip' }, { name: 'randomResizedCrop', size: [6, 4] }], seed: 3 });
  assert.deepEqual(plan.evalSize, [6, 4]);
  assert.deepEqual(planAugment({ steps: [{ name: 'resize', size: 4 }] }), { fixed: [{ name: 'resize', size: 4 }], random: null, evalSize: null });
});
