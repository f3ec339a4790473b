// IDX reading on fixtures written here byte by byte (not with encodeIdx, so a writer bug cannot hide a reader bug).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants as zlibConstants, deflateRawSync, gzipSync } from 'node:zlib';
import { IdxError, encodeIdx, parseIdx, readIdx, readIdxTensor } from './idx.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nnlab-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Header bytes: 0, 0, type code, ndim, then each dimension as big-endian uint32. */
function header(type: number, dims: number[]): number[] {
  return [0, 0, type, dims.length, ...dims.flatMap((d) => [(d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255])];
}
function fixture(name: string, bytes: number[] | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  return file;
}

// 2 images of 2×3 pixels: 0..11
const images = [...header(0x08, [2, 2, 3]), ...Array.from({ length: 12 }, (_, i) => i * 20)];

test('a valid uint8 file: shape, dtype and values in order', () => {
  const a = readIdx(fixture('valid-idx3-ubyte', images));
  assert.equal(a.dtype, 'uint8');
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.deepEqual([...a.data], Array.from({ length: 12 }, (_, i) => i * 20));
  const t = readIdxTensor(path.join(dir, 'valid-idx3-ubyte'));
  assert.deepEqual(t.shape, [2, 2, 3]);
  assert.equal(t.dtype, 'uint8');
  assert.deepEqual(t.toNumbers(), [...a.data]);
  t.dispose();
});

test('a gzip file is recognised by its magic bytes, whatever its name', () => {
  const a = readIdx(fixture('images-no-suffix', gzipSync(Buffer.from(images))));
  assert.deepEqual(a.shape, [2, 2, 3]);
  assert.equal(a.data[11], 220);
});

test('big-endian multi-byte types are decoded (int32, int16, float32, float64)', () => {
  const int32 = readIdx(fixture('int32', [...header(0x0c, [2]), 0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xfe]));
  assert.equal(int32.dtype, 'int32');
  assert.deepEqual([...int32.data], [258, -2]);
  const int16 = readIdx(fixture('int16', [...header(0x0b, [1]), 0x80, 0x01]));
  assert.deepEqual([...int16.data], [-32767]);
  const f32 = readIdx(fixture('f32', [...header(0x0d, [1]), 0x3f, 0xc0, 0x00, 0x00]));
  assert.deepEqual([...f32.data], [1.5]);
  const f64 = readIdx(fixture('f64', [...header(0x0e, [1]), 0xc0, 0x04, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual([...f64.data], [-2.5]);
});

test('encodeIdx round-trips through parseIdx (plain and gzip)', () => {
  const data = Int32Array.from([1, -7, 1 << 20, 42, 0, -1]);
  for (const gzip of [false, true]) {
    const back = parseIdx(encodeIdx({ dtype: 'int32', shape: [3, 2], data }, { gzip }));
    assert.deepEqual(back.shape, [3, 2]);
    assert.deepEqual([...back.data], [...data]);
  }
  // The encoder writes the bytes the format defines.
  assert.deepEqual([...encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.from([7, 9]) })], [...header(0x08, [2]), 7, 9]);
});

test('a wrong magic number is an IdxError naming the file', () => {
  const file = fixture('wrong-magic', [0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
  assert.throws(() => readIdx(file), (e: unknown) => e instanceof IdxError && e.message.includes(file) && /magic number 0x504b0304/.test(e.message));
  // Unknown type code.
  assert.throws(() => readIdx(fixture('bad-type', [0, 0, 0x07, 1, 0, 0, 0, 1, 5])), /magic number 0x00000701/);
});

test('a truncated file names expected and actual byte counts', () => {
  const file = fixture('truncated', images.slice(0, images.length - 5));
  assert.throws(
    () => readIdx(file),
    (e: unknown) =>
      e instanceof IdxError && e.file === file && e.expectedBytes === 28 && e.actualBytes === 23 && /truncated.*needs 28 bytes.*has 23/.test(e.message),
  );
  // A header cut short.
  assert.throws(() => readIdx(fixture('short-header', header(0x08, [2, 2, 3]).slice(0, 9))), /truncated header: expected 16 bytes.*found 9/);
});

test('a header count that does not match the data is an error (too few or too many items)', () => {
  // The header claims 3 images but the file holds 2: 6 bytes short.
  const fewer = fixture('count-mismatch', [...header(0x08, [3, 2, 3]), ...images.slice(16)]);
  assert.throws(() => readIdx(fewer), (e: unknown) => e instanceof IdxError && e.expectedBytes === 34 && e.actualBytes === 28);
  // Trailing bytes after the data.
  const more = fixture('trailing', [...images, 1, 2]);
  assert.throws(() => readIdx(more), /has trailing bytes.*needs 28 bytes.*has 30/);
});

test('a truncated gzip file is an IdxError; a gzip file with a bad body names decompressed sizes', () => {
  const gz = gzipSync(Buffer.from(images));
  assert.throws(() => readIdx(fixture('truncated.gz', gz.subarray(0, gz.length - 6))), (e: unknown) => e instanceof IdxError && /corrupt or truncated gzip/.test(e.message));
  const short = fixture('short.gz', gzipSync(Buffer.from(images.slice(0, 20))));
  assert.throws(() => readIdx(short), /decompressed file has 20/);
});

test('a missing file is an IdxError naming it', () => {
  const file = path.join(dir, 'does-not-exist');
  assert.throws(() => readIdx(file), (e: unknown) => e instanceof IdxError && e.message.startsWith(file) && /ENOENT/.test(e.message));
});

/**
 * Gzip data of `head` followed by `zeros` zero bytes, built without holding the zeros: a run of 1 MiB of
 * zeros is deflated once after a full flush (a self-contained piece) and repeated. The trailer's CRC is not
 * computed (a reader must stop long before it).
 */
function zeroBomb(head: number[], zeros: number): Buffer {
  const MiB = 1024 * 1024;
  const full = { finishFlush: zlibConstants.Z_FULL_FLUSH };
  const run = deflateRawSync(Buffer.alloc(MiB), full);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE((head.length + zeros) % 2 ** 32, 4);
  return Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]),
    deflateRawSync(Buffer.from(head), full),
    ...Array.from({ length: zeros / MiB }, () => run),
    deflateRawSync(Buffer.alloc(0)),
    trailer,
  ]);
}

test('a gzip bomb (a header for [10, 28, 28] and 3 GiB of zeros) is refused without inflating it', () => {
  const bomb = zeroBomb(header(0x08, [10, 28, 28]), 3 * 1024 ** 3);
  // The file is far larger than 7,856 bytes can compress to: refused before it is read whole.
  const file = fixture('bomb-idx3-ubyte.gz', bomb);
  assert.throws(
    () => readIdx(file),
    (e: unknown) => e instanceof IdxError && e.expectedBytes === 7856 && e.actualBytes === bomb.length && /more than that data compresses to/.test(e.message),
  );
  // Given as bytes, inflation stops at the size the header declares.
  assert.throws(
    () => parseIdx(bomb, 'bomb'),
    (e: unknown) => e instanceof IdxError && /^bomb: has trailing bytes: .*needs 7856 bytes, but the decompressed file has more \(inflation stopped there\)/.test(e.message),
  );
  // A small file that inflates to far more than declared: inflation stops there too.
  const small = fixture('inflates-idx3-ubyte.gz', zeroBomb(header(0x08, [10, 28, 28]), 64 * 1024 * 1024));
  assert.ok(readFileSync(small).length < 7856 + 65536);
  assert.throws(() => readIdx(small), /has trailing bytes: .*needs 7856 bytes, but the decompressed file has more \(inflation stopped there\)/);
});

test('a header declaring more than this machine can hold is refused before anything is allocated', () => {
  const huge = fixture('huge-idx3-ubyte.gz', gzipSync(Buffer.from(header(0x08, [65535, 65535, 65535]))));
  assert.throws(() => readIdx(huge), (e: unknown) => e instanceof IdxError && /uint8 \[65535, 65535, 65535\], which needs \d+ bytes, more than can be held in memory here/.test(e.message));
});

test('a plain file is checked against its header before its data is read (a 3 GiB sparse file)', () => {
  const file = fixture('sparse-idx3-ubyte', header(0x08, [10, 28, 28]));
  truncateSync(file, 3 * 1024 ** 3);
  assert.throws(
    () => readIdx(file),
    (e: unknown) => e instanceof IdxError && e.expectedBytes === 7856 && e.actualBytes === 3 * 1024 ** 3 && /has trailing bytes: .*needs 7856 bytes, but the file has 3221225472/.test(e.message),
  );
});

test('only regular files are read: a symlink to /dev/zero, a FIFO and a folder are refused at once', () => {
  const zero = path.join(dir, 'zero-idx3-ubyte');
  symlinkSync('/dev/zero', zero);
  assert.throws(() => readIdx(zero), (e: unknown) => e instanceof IdxError && e.message === `${zero}: is a character device, not a regular file; only regular files are read`);
  // A FIFO with no writer: opening it for reading would wait forever.
  const fifo = path.join(dir, 'fifo-idx3-ubyte');
  const made = spawnSync('mkfifo', [fifo]);
  assert.equal(made.status, 0, `mkfifo: ${made.stderr}`);
  assert.throws(() => readIdx(fifo), /fifo-idx3-ubyte: is a FIFO \(named pipe\), not a regular file/);
  assert.throws(() => readIdx(dir), /is a folder, not a regular file/);
});
