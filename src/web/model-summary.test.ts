// The model summary a run page shows: the one kept in config.json, else one from the weights file's header.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { modelSummary } from './model-summary.js';

function safetensors(tensors: Record<string, number[]>): Buffer {
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const [name, shape] of Object.entries(tensors)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset)]);
}

test('without a kept summary, the weights header gives each layer its tensors and parameter count', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nnlab-summary-'));
  try {
    writeFileSync(path.join(dir, 'weights.safetensors'), safetensors({ '0.weight': [32, 784], '0.bias': [32], '2.weight': [10, 32], '2.bias': [10] }));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ format: 'nnlab.model/1' }));
    const text = modelSummary(dir)!;
    assert.match(text, /^0\s+weight \(32, 784\), bias \(32\)\s+25,120$/m);
    assert.match(text, /^2\s+weight \(10, 32\), bias \(10\)\s+330$/m);
    assert.match(text, /Total params: 25,450/);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ summary: 'kept summary' }));
    assert.equal(modelSummary(dir), 'kept summary');
    assert.equal(modelSummary(path.join(dir, 'absent')), null);
    writeFileSync(path.join(dir, 'weights.safetensors'), Buffer.from('not a safetensors file'));
    rmSync(path.join(dir, 'config.json'));
    assert.equal(modelSummary(dir), null, 'a corrupt file gives no summary, not an error page');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
