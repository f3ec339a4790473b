// Gradient clipping against torch.nn.utils.clip_grad_norm_ and clip_grad_value_ on the same gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipGradNorm_, clipGradValue_ } from './clip.js';
import { dispose, liveTensors, tensor, type Tensor } from '../tensor/index.js';
import { closeness, randomValues, runTorch, seededRandom } from '../testing/torch-oracle.js';

/** Gradient sizes (flat: clipping does not depend on shapes). */
const SIZES = [12, 3, 8];

function grads(seed: number): number[][] {
  const rand = seededRandom(seed);
  return SIZES.map((n) => randomValues(rand, n, -2, 2));
}

const script = `
output = []
for c in input:
    gs = [torch.tensor(v, dtype=torch.float32) for v in c['grads']]
    ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    if c['kind'] == 'norm':
        torch.nn.utils.clip_grad_norm_(ps, c['limit'])
    else:
        torch.nn.utils.clip_grad_value_(ps, c['limit'])
    output.append([p.grad.tolist() for p in ps])
`;

test('clipGradNorm_ and clipGradValue_ agree with torch.nn.utils', () => {
  // Norm limits below and above the total norm (about 5.5 here): the second leaves the gradients unchanged.
  const cases = [
    { kind: 'norm', limit: 1.5, grads: grads(1) },
    { kind: 'norm', limit: 100, grads: grads(2) },
    { kind: 'value', limit: 0.5, grads: grads(3) },
  ];
  const expected = runTorch<number[][][]>(script, cases);
  const before = liveTensors().tensors;
  cases.forEach((c, i) => {
    const gs: Tensor[] = c.grads.map((v) => tensor(Float32Array.from(v)));
    if (c.kind === 'norm') clipGradNorm_(gs, c.limit);
    else clipGradValue_(gs, c.limit);
    gs.forEach((g, j) => {
      assert.ok(closeness(g.toNumbers(), expected[i][j], 1e-6, 1e-7) <= 1, `${c.kind} ${c.limit}: gradient ${j}`);
    });
    const changed = gs.some((g, j) => closeness(g.toNumbers(), c.grads[j], 1e-6, 0) > 1);
    assert.equal(changed, c.limit !== 100, `${c.kind} ${c.limit}: clipping changed the gradients`);
    dispose(gs);
  });
  assert.equal(liveTensors().tensors, before);
});

test('clipping limits must be positive', () => {
  assert.throws(() => clipGradNorm_([], 0), RangeError);
  assert.throws(() => clipGradValue_([], -1), RangeError);
});
