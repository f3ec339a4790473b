// embedding against PyTorch's nn.Embedding: the same table and indices give the same vectors and weight
// gradients (the padding row none); float batches of whole numbers are indices (the trainer feeds float32);
// anything else is an error naming the layer and the value. Its initial weights, config spellings and parameter
// counts are checked with the recurrent layers' (recurrent.test.ts), a model of both there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, ops, tensor, tidy } from '../../tensor/index.js';
import { manualSeed } from '../../engine/seed.js';
import { NnlabError } from '../../engine/errors.js';
import { closeness, runTorch } from '../../testing/torch-oracle.js';
import { layer } from './registry.js';
import type { Layer, Shape } from './layer.js';

function built(config: Record<string, unknown>, shape: Shape, name: string): Layer {
  const l = layer(config, 'model.layers[0]');
  l.name = name;
  l.build(shape);
  return l;
}

test('embedding computes what nn.Embedding computes: vectors and weight gradients, padding row untouched, float or integer indices', () => {
  const before = liveTensors().tensors;
  manualSeed(5);
  const l = built({ type: 'embedding', inputDim: 7, outputDim: 3, paddingIdx: 0 }, [4], 'embedding_1');
  assert.deepEqual(l.outputShape, [4, 3]);
  const idx = [1, 0, 6, 2, 2, 5, 0, 3];
  const want = runTorch<{ y: number[]; dw: number[] }>(
    `
m = torch.nn.Embedding(7, 3, padding_idx=0)
m.load_state_dict({'weight': torch.tensor(input['w']).reshape(7, 3)})
y = m(torch.tensor(input['idx']).reshape(2, 4))
(y * torch.linspace(-1, 1, y.numel()).reshape(y.shape)).sum().backward()
output = {'y': y.detach().flatten().tolist(), 'dw': m.weight.grad.flatten().tolist()}
`,
    { w: l.weights.get('weight')!.toNumbers(), idx },
  );
  for (const dtype of ['float32', 'int64'] as const) {
    tidy(() => {
      const w = l.weights.get('weight')!;
      w.grad?.zero_();
      const y = l.call(tensor(idx, [2, 4], dtype), { training: true });
      assert.deepEqual(y.shape, [2, 4, 3]);
      ops.sum(ops.mul(y, ops.reshape(ops.linspace(-1, 1, y.size), y.shape))).backward();
      assert.ok(closeness(y.toNumbers(), want.y, 1e-6, 1e-7) <= 1, `${dtype} indices: vectors`);
      assert.ok(closeness(w.grad!.toNumbers(), want.dw, 1e-5, 1e-7) <= 1, `${dtype} indices: weight gradient`);
      assert.deepEqual(w.grad!.toNumbers().slice(0, 3), [0, 0, 0], 'the padding row gets no gradient');
    });
  }
  l.dispose();
  assert.equal(liveTensors().tensors, before);
});

test('an embedding refuses inputs that are not token indices, naming the layer and the value', () => {
  const before = liveTensors().tensors;
  const l = built({ type: 'embedding', inputDim: 10, outputDim: 2 }, [3], 'tokens');
  const call = (values: number[], dtype: 'float32' | 'int64' | 'bool' = 'float32') => tidy(() => l.call(tensor(values, [1, 3], dtype), { training: false }));
  assert.throws(() => call([1, 2.5, 3]), (e: Error) => e instanceof NnlabError && /layer 'tokens' \(embedding\): input value 2\.5 is not an integer token index; indices are whole numbers in \[0, 9\] \(inputDim 10\)/.test(e.message));
  assert.throws(() => call([1, 10, 3]), /layer 'tokens' \(embedding\): input index 10 is out of range; indices are whole numbers in \[0, 9\]/);
  assert.throws(() => call([-1, 0, 3], 'int64'), /layer 'tokens' \(embedding\): input index -1 is out of range/);
  assert.throws(() => call([1, 0, 1], 'bool'), /layer 'tokens' \(embedding\): its input must be integer token indices, got a bool tensor/);
  assert.deepEqual(tidy(() => call([9, 0, 9]).shape), [1, 3, 2]);
  l.dispose();
  assert.equal(liveTensors().tensors, before);
});
