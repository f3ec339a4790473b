// The cache folder and atomic writes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, writeDirAtomic, writeFileAtomic } from './cache.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnlab-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('cacheDir: an explicit folder, then NNLAB_CACHE, then ~/.cache/nnlab', () => {
  const saved = { NNLAB_CACHE: process.env.NNLAB_CACHE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  try {
    process.env.NNLAB_CACHE = '/somewhere/cache';
    assert.equal(cacheDir('rel'), path.resolve('rel'));
    assert.equal(cacheDir(), '/somewhere/cache');
    delete process.env.NNLAB_CACHE;
    delete process.env.XDG_CACHE_HOME;
    assert.equal(cacheDir(), path.join(os.homedir(), '.cache', 'nnlab'));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('atomic writes leave no temporary files; a finished entry is kept, an incomplete folder replaced', () => {
  const file = path.join(tmp, 'a', 'f.txt');
  writeFileAtomic(file, 'one');
  writeFileAtomic(file, 'two');
  assert.equal(readFileSync(file, 'utf8'), 'two');
  assert.deepEqual(readdirSync(path.dirname(file)), ['f.txt']);

  const entry = path.join(tmp, 'entry');
  writeDirAtomic(entry, (d) => {
    writeFileSync(path.join(d, 'data'), 'first');
    writeFileSync(path.join(d, 'meta.json'), '{}');
  });
  // A second writer of the same entry loses the race quietly; the first entry stays.
  writeDirAtomic(entry, (d) => {
    writeFileSync(path.join(d, 'data'), 'second');
    writeFileSync(path.join(d, 'meta.json'), '{}');
  });
  assert.equal(readFileSync(path.join(entry, 'data'), 'utf8'), 'first');
  assert.deepEqual(readdirSync(tmp).sort(), ['a', 'entry']);
  // A folder without the marker is not a finished entry.
  const broken = path.join(tmp, 'broken');
  mkdirSync(broken);
  writeFileSync(path.join(broken, 'junk'), '');
  writeDirAtomic(broken, (d) => writeFileSync(path.join(d, 'meta.json'), '{"ok":true}'));
  assert.equal(existsSync(path.join(broken, 'junk')), false);
  // A failing fill leaves nothing behind.
  assert.throws(() => writeDirAtomic(path.join(tmp, 'never'), () => { throw new Error('boom'); }), /boom/);
  assert.deepEqual(readdirSync(tmp).sort(), ['a', 'broken', 'entry']);
});
