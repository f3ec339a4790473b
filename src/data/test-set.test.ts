// The sealed test set: data only inside finalEvaluation, uses counted, transforms not counted, tidy-proof.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveTensors, tensor, tidy } from '../tensor/index.js';
import { makeDataset } from './dataset.js';
import { TestSet } from './test-set.js';

test('data are reached only through finalEvaluation, and each use is counted', () => {
  const base = liveTensors().tensors;
  const sealed = tidy(() => new TestSet(makeDataset({ name: 'd/test', x: tensor([1, 2, 3, 4, 5, 6], [3, 2]), y: tensor(Float64Array.from([0, 1, 1]), [3], 'int64'), classes: ['a', 'b'] })));
  // Made inside a tidy() and still alive: the test set owns its tensors.
  assert.equal(liveTensors().tensors, base + 2);
  assert.equal(sealed.size, 3);
  assert.deepEqual(sealed.sampleShape, [2]);
  assert.equal(sealed.name, 'd/test');
  assert.equal(Object.keys(sealed).length, 0, 'no enumerable data properties');
  assert.equal((sealed as unknown as { x?: unknown }).x, undefined);
  const doubled = sealed.map((d) => ({ ...d, x: d.x.mul(2), y: d.y.detach() }));
  assert.equal(sealed.evaluations, 0, 'a transform is not an evaluation');
  assert.deepEqual(doubled.finalEvaluation((d) => d.x.toNumbers()), [2, 4, 6, 8, 10, 12]);
  assert.equal(doubled.evaluations, 1);
  assert.deepEqual(sealed.finalEvaluation((d) => d.y.toNumbers()), [0, 1, 1]);
  assert.equal(sealed.evaluations, 1);
  sealed.dispose();
  doubled.dispose();
  assert.equal(liveTensors().tensors, base);
});
