// Checkpoint directories: round trip, atomic replacement, and errors that name the missing or corrupt file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { liveTensors, tensor, tidy, type Tensor } from '../tensor/index.js';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { SafetensorsError } from './safetensors.js';

const root = mkdtempSync(path.join(tmpdir(), 'nnlab-checkpoint-'));
after(() => rmSync(root, { recursive: true, force: true }));

const config = { name: 'mlp', layers: [{ type: 'dense', units: 3, activation: 'relu' }, { type: 'dense', units: 2 }], seed: 7, note: null };

function numbers(tensors: Record<string, Tensor>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.toNumbers()]));
}

test('a checkpoint round-trips: config, weights, metadata, extra JSON and extra tensor files', () => {
  const base = liveTensors().tensors;
  const dir = path.join(root, 'roundtrip', 'model');
  tidy(() => {
    const tensors = { 'dense1.kernel': tensor([[1, 2, 3], [4, 5, 6]]), 'dense1.bias': tensor([0.5, -0.5, 0]), steps: tensor(new BigInt64Array([12n])) };
    const optimizer = { 'dense1.kernel.m': tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]) };
    saveCheckpoint(dir, { config, tensors, metadata: { epoch: '3' }, extra: { training: { epoch: 3, loss: [0.9, 0.5] }, 'optimizer.hyper': { lr: 0.001 } }, extraTensors: { optimizer } });
    assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'optimizer.hyper.json', 'optimizer.safetensors', 'training.json', 'weights.safetensors']);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')), config, 'config.json is plain JSON');
    const loaded = loadCheckpoint(dir);
    assert.deepEqual(loaded.config, config);
    assert.deepEqual(numbers(loaded.tensors), numbers(tensors));
    assert.equal(loaded.tensors.steps.dtype, 'int64');
    assert.deepEqual(loaded.metadata, { epoch: '3' });
    assert.deepEqual(loaded.extra, { training: { epoch: 3, loss: [0.9, 0.5] }, 'optimizer.hyper': { lr: 0.001 } });
    assert.deepEqual(Object.keys(loaded.extraTensors), ['optimizer']);
    assert.deepEqual(numbers(loaded.extraTensors.optimizer), numbers(optimizer));
  });
  assert.equal(liveTensors().tensors, base, 'every tensor was freed');
});

test('saving again replaces the whole directory; a failed save leaves the previous checkpoint untouched and no temp files', () => {
  const parent = path.join(root, 'replace');
  const dir = path.join(parent, 'ckpt');
  tidy(() => {
    saveCheckpoint(dir, { config: { v: 1 }, tensors: { w: tensor([1]) }, extra: { old: { a: 1 } } });
    saveCheckpoint(dir, { config: { v: 2 }, tensors: { w: tensor([2]) } });
    const second = loadCheckpoint(dir);
    assert.deepEqual(second.config, { v: 2 });
    assert.deepEqual(second.tensors.w.toNumbers(), [2]);
    assert.deepEqual(second.extra, {}, 'files of the previous save are gone');
    assert.deepEqual(readdirSync(parent), ['ckpt'], 'no temp or old directory is left');

    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const disposed = tensor([3]);
    disposed.dispose();
    const failures: [Parameters<typeof saveCheckpoint>[1], RegExp][] = [
      [{ config: { v: 3 }, tensors: { w: disposed } }, new RegExp(`^${dir}/weights\\.safetensors: tensor 'w': was disposed`)],
      [{ config: { v: 3 }, tensors: { w: tensor([3]) }, extraTensors: { opt: { m: disposed } } }, new RegExp(`^${dir}/opt\\.safetensors: tensor 'm': was disposed`)],
      [{ config: { lr: NaN }, tensors: {} }, /config\.json: config\.lr: NaN cannot be stored as JSON/],
      [{ config: { layers: [{ init: () => 0 }] }, tensors: {} }, /config\.layers\[0\]\.init: a function/],
      [{ config: { w: tensor([1]) }, tensors: {} }, /config\.w: a Tensor cannot be stored/],
      [{ config: [1, 2] as unknown as Record<string, unknown>, tensors: {} }, /config must be a JSON object/],
      [{ config: cyclic, tensors: {} }, /config\.self: a reference to itself/],
      [{ config: {}, tensors: {}, extra: { config: {} } }, /extra\.config: an extra file name/],
      [{ config: {}, tensors: {}, extra: { '../escape': {} } }, /extra\.\.\.\/escape/],
      [{ config: {}, tensors: {}, extraTensors: { weights: {} } }, /extraTensors\.weights/],
      [{ config: {}, tensors: {}, extra: { info: { big: 10n } } }, /info\.json: extra\.info\.big: a bigint/],
    ];
    for (const [checkpoint, message] of failures) {
      assert.throws(() => saveCheckpoint(dir, checkpoint), (e: unknown) => e instanceof Error && message.test(e.message), `expected ${message}`);
      const kept = loadCheckpoint(dir);
      assert.deepEqual([kept.config, kept.tensors.w.toNumbers()], [{ v: 2 }, [2]], `after ${message}: the previous checkpoint is intact`);
      assert.deepEqual(readdirSync(parent), ['ckpt'], `after ${message}: no temp directory is left`);
    }
    assert.ok(!existsSync(path.join(root, 'escape.json')));
  });
});

test('loading names the missing or corrupt file', () => {
  const dir = path.join(root, 'broken');
  const good = () => tidy(() => saveCheckpoint(dir, { config: { a: 1 }, tensors: { w: tensor([1, 2]) }, extraTensors: { opt: { m: tensor([0]) } } }));
  const expectError = (kind: typeof CheckpointError | typeof SafetensorsError, file: string, words: RegExp) =>
    assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof kind && e.message.startsWith(`${file}: `) && words.test(e.message), `${file} ${words}`);

  expectError(CheckpointError, dir, /no such checkpoint directory/);
  mkdirSync(path.join(root, 'a-file-parent'), { recursive: true });
  writeFileSync(path.join(root, 'a-file-parent', 'x'), '');
  assert.throws(() => loadCheckpoint(path.join(root, 'a-file-parent', 'x')), /x: is not a directory/);

  good();
  rmSync(path.join(dir, 'config.json'));
  expectError(CheckpointError, path.join(dir, 'config.json'), /missing/);
  good();
  writeFileSync(path.join(dir, 'config.json'), '{"a": 1,');
  expectError(CheckpointError, path.join(dir, 'config.json'), /not valid JSON/);
  good();
  writeFileSync(path.join(dir, 'config.json'), '[1, 2]');
  expectError(CheckpointError, path.join(dir, 'config.json'), /must hold a JSON object/);
  good();
  rmSync(path.join(dir, 'weights.safetensors'));
  expectError(CheckpointError, path.join(dir, 'weights.safetensors'), /missing/);
  good();
  writeFileSync(path.join(dir, 'weights.safetensors'), Buffer.from([200, 0, 0, 0, 0, 0, 0, 0, 123]));
  expectError(SafetensorsError, path.join(dir, 'weights.safetensors'), /header length 200 runs past the end/);
  good();
  writeFileSync(path.join(dir, 'training.json'), 'not json');
  expectError(CheckpointError, path.join(dir, 'training.json'), /not valid JSON/);
  // Only regular files are read: a link to /dev/zero or a FIFO is refused at once, never read or waited on.
  good();
  rmSync(path.join(dir, 'config.json'));
  symlinkSync('/dev/zero', path.join(dir, 'config.json'));
  expectError(CheckpointError, path.join(dir, 'config.json'), /is a character device, not a regular file/);
  good();
  assert.equal(spawnSync('mkfifo', [path.join(dir, 'training.json')]).status, 0);
  expectError(CheckpointError, path.join(dir, 'training.json'), /is a FIFO \(named pipe\), not a regular file/);

  // A corrupt extra tensor file after the weights were read: the weights are freed again.
  good();
  const opt = path.join(dir, 'opt.safetensors');
  writeFileSync(opt, readFileSync(opt).subarray(0, 20));
  const base = liveTensors().tensors;
  expectError(SafetensorsError, opt, /./);
  assert.equal(liveTensors().tensors, base, 'tensors read before the error are freed');
});

test('a save interrupted between its two renames is pointed out by the loader', () => {
  const dir = path.join(root, 'interrupted', 'model');
  tidy(() => saveCheckpoint(dir, { config: {}, tensors: {} }));
  // What replaceDirAtomic leaves if the process dies after moving the old directory aside.
  const aside = path.join(root, 'interrupted', '.model.old-123-abcd');
  renameSync(dir, aside);
  assert.throws(() => loadCheckpoint(dir), (e: unknown) => e instanceof CheckpointError && e.message.includes(`previous one at ${aside}`));
});
