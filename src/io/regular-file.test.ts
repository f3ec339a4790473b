// The bounded reader: only regular files, opened without blocking, never more than the cap read.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileReadError, formatBytes, readRegularFile, RegularFile } from './regular-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-regular-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a regular file under the cap is read whole; over the cap it is refused before reading, naming the cap', () => {
  const file = path.join(dir, 'small.txt');
  writeFileSync(file, 'hello');
  assert.equal(readRegularFile(file, 5).toString(), 'hello');
  assert.throws(() => readRegularFile(file, 4, 'a note'), (e: unknown) => e instanceof FileReadError && e.message === `${file}: is 5 bytes, more than the 4 bytes a note may have`);
  const big = path.join(dir, 'big.bin');
  writeFileSync(big, '');
  truncateSync(big, 3 * 1024 ** 3); // sparse
  assert.throws(() => readRegularFile(big, 1024 * 1024), /is 3 GiB, more than the 1 MiB a file may have/);
});

test('FIFOs, devices and folders are refused at once; a missing file keeps its system code', () => {
  const fifo = path.join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.throws(() => RegularFile.open(fifo), /is a FIFO \(named pipe\), not a regular file; only regular files are read/);
  assert.throws(() => RegularFile.open('/dev/zero'), /\/dev\/zero: is a character device, not a regular file/);
  assert.throws(() => readRegularFile(dir, 10), /is a folder, not a regular file/);
  assert.throws(() => readRegularFile(path.join(dir, 'nope'), 10), (e: unknown) => e instanceof FileReadError && e.code === 'ENOENT');
});

test('reads at an offset return what is there, never more than asked', () => {
  const file = path.join(dir, 'digits');
  writeFileSync(file, '0123456789');
  const f = RegularFile.open(file);
  try {
    assert.equal(f.size, 10);
    assert.equal(f.read(3, 4).toString(), '3456');
    assert.equal(f.read(8, 10).toString(), '89');
    assert.equal(f.read(3, 4).byteOffset, 0, 'its own memory, aligned for typed arrays');
  } finally {
    f.close();
  }
});

test('formatBytes', () => {
  assert.deepEqual([formatBytes(512), formatBytes(4 * 1024 * 1024), formatBytes(2.5 * 1024 ** 3), formatBytes(1536)], ['512 bytes', '4 MiB', '2.5 GiB', '1.5 KiB']);
});
