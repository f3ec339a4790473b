// The defaults of an experiment file are written once, where the loader fills them in (TRAINING_DEFAULTS,
// TEMPLATE_DEFAULTS, the callbacks' own): the schema's descriptions are built from them, and the annotated
// example at the top of experiment.ts must say the same, or this test names the line that does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../engine/native.js';
import { TRAINING_DEFAULTS } from './run-spec.js';
import { TEMPLATE_DEFAULTS } from './templates.js';
import { EXPERIMENT_SCHEMA } from './schema.js';

/** A default as the header and the schema write it: [accuracy], glorotUniform, 0. */
const shown = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : String(v));

test("the annotated example in experiment.ts states the loader's defaults", () => {
  const header = readFileSync(path.join(packageRoot, 'src', 'lab', 'experiment', 'experiment.ts'), 'utf8').split('\n').filter((l) => l.startsWith('//'));
  const claims = new Map<string, string>();
  let section = '';
  for (const line of header) {
    const top = /^\/\/ {3}(\w+):/.exec(line);
    if (top) section = top[1];
    const field = /^\/\/ {5}(\w+):.*#\s*default (\[[^\]]*\]|[\w.]+)/.exec(line);
    if (field) claims.set(`${section}.${field[1]}`, field[2]);
  }
  const expected: Record<string, unknown> = {
    ...Object.fromEntries(Object.entries(TRAINING_DEFAULTS).map(([k, v]) => [`training.${k}`, v])),
    ...Object.fromEntries(Object.entries(TEMPLATE_DEFAULTS).map(([k, v]) => [`model.${k}`, v])),
  };
  const checked = [...claims].filter(([key]) => key in expected);
  assert.ok(checked.length >= 8, `the header states defaults of the training and model sections (${checked.map(([k]) => k).join(', ')})`);
  for (const [key, value] of checked) assert.equal(value, shown(expected[key]), `${key}: the header says default ${value}`);
});

test('the schema describes the same defaults', () => {
  const schema = JSON.stringify(EXPERIMENT_SCHEMA);
  for (const [key, value] of Object.entries(TRAINING_DEFAULTS)) {
    if (key === 'device') continue; // described in words: auto, the first GPU when there is one
    assert.match(schema, new RegExp(`[Dd]efault ${shown(value).replace(/[[\]]/g, '\\$&')}`), `training.${key}`);
  }
  for (const key of ['activation', 'initializer', 'outputActivation', 'kernelSize', 'poolSize'] as const) {
    assert.match(schema, new RegExp(`default ${shown(TEMPLATE_DEFAULTS[key])}`), `model.${key}`);
  }
});
