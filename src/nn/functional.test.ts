// Graph models written in code (Keras's functional style): the config they make is the one a file writes, the
// model builds and runs, and misuse is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy } from '../tensor/index.js';
import { apply, graphModel, input } from './functional.js';
import { buildModel } from './model.js';

test('input, apply and graphModel write the graph config a file would, named as a model names layers', () => {
  const x = input([2, 4, 4]);
  const c = apply({ type: 'conv2d', filters: 2, kernelSize: 3, padding: 'same' }, x);
  const sum = apply({ type: 'add', name: 'skip' }, c, x);
  const both = apply({ type: 'Concatenate' }, sum, c);
  const out = apply({ type: 'dense', units: 3, activation: 'softmax' }, apply({ type: 'flatten' }, both));
  const model = graphModel(x, out, { seed: 5 });
  const config = model.getConfig();
  assert.deepEqual(config.layers.map((l) => [l.name, l.inputs]), [
    ['conv2d_1', ['input']],
    ['skip', ['conv2d_1', 'input']],
    ['concatenate_1', ['skip', 'conv2d_1']],
    ['flatten_1', ['concatenate_1']],
    ['dense_1', ['flatten_1']],
  ]);
  assert.equal(config.outputs, 'dense_1');
  assert.deepEqual(model.outputShape, [3]);
  const again = buildModel({ ...config, seed: 5 });
  tidy(() => {
    const xs = tensor(Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)), [1, 2, 4, 4]);
    assert.deepEqual(model.forward(xs, { training: false }).toNumbers(), again.forward(xs, { training: false }).toNumbers(), 'the same seed, the same model');
  });
  model.dispose();
  again.dispose();
});

test('misuse is a clear error: no layer applied, a value from another input, apply without values', () => {
  const x = input([4]);
  assert.throws(() => graphModel(x, x), /the output is the input itself/);
  const other = input([4]);
  assert.throws(() => graphModel(x, apply({ type: 'add' }, x, other)), /depends on an input\(\) other than the model input/);
  assert.throws(() => apply({ type: 'dense', units: 2 }), /apply\(\) needs the value\(s\) the layer takes/);
});
