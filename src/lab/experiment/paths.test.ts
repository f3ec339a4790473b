// Field paths: parsing both index spellings, printing, and setting values into plain data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../engine/errors.js';
import { formatPath, parsePath, setPath } from './paths.js';

test('field paths parse in both index spellings and print back', () => {
  assert.deepEqual(parsePath('model.layers[2].units'), ['model', 'layers', 2, 'units']);
  assert.deepEqual(parsePath('model.layers.2.units'), ['model', 'layers', 2, 'units']);
  assert.deepEqual(parsePath('study.factors.model.activation'), ['study', 'factors', 'model.activation']);
  assert.equal(formatPath(['model', 'layers', 2, 'units']), 'model.layers[2].units');
  for (const bad of ['', 'a..b', '[0].a', 'a.b]', 'a[x]', 'a b.c']) assert.throws(() => parsePath(bad), ConfigError, bad);
});

test('setPath creates what is missing, turns a name into { name }, and refuses what cannot hold a field', () => {
  const root: Record<string, unknown> = { training: { optimizer: 'adam' }, model: { layers: [{ type: 'dense' }] } };
  setPath(root, ['training', 'optimizer', 'lr'], 0.1, 'x');
  setPath(root, ['data', 'subset', 'perClass'], 5, 'x');
  setPath(root, ['model', 'layers', 0, 'units'], 4, 'x');
  setPath(root, ['training', 'classWeight', 1], 5, 'x');
  assert.deepEqual(root, {
    training: { optimizer: { name: 'adam', lr: 0.1 }, classWeight: { 1: 5 } },
    model: { layers: [{ type: 'dense', units: 4 }] },
    data: { subset: { perClass: 5 } },
  });
  assert.throws(() => setPath(root, ['model', 'layers', 3, 'units'], 4, 'x'), /has 1 entries; \[3\] does not exist/);
  assert.throws(() => setPath(root, ['model', 'layers', 'units'], 4, 'x'), /is a list: give an index/);
  assert.throws(() => setPath(root, ['training', 'optimizer', 'lr', 'x'], 4, 'x'), /is 0\.1, not an object/);
});
