import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confusionText, isConfusionMatrix } from './confusion.js';

test('a confusion matrix as text: rows true, columns predicted, with each row recall; names escaped', () => {
  const m = [[2, 1, 0], [0, 1, 1], [0, 1, 2]];
  assert.equal(
    confusionText(m, ['cat', 'dog', 'f\x07x']),
    [
      'true \\ predicted  cat  dog  f\\x07x  recall',
      'cat                 2    1       0  0.6667',
      'dog                 0    1       1  0.5000',
      'f\\x07x              0    1       2  0.6667',
    ].join('\n'),
  );
  assert.equal(confusionText([[0, 0], [1, 3]]), 'true \\ predicted  0  1  recall\n0                 0  0       —\n1                 1  3  0.7500');
  assert.ok(isConfusionMatrix(m));
  assert.ok(!isConfusionMatrix([[1, 2]]) && !isConfusionMatrix(0.5) && !isConfusionMatrix([0.1, 0.2]));
});
